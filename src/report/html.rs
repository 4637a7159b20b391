//! The HTML report: one self-contained page a newsroom editor can read instead of the JSON.
//!
//! # What it shows
//!
//! - a header: command, counts, configuration (shingles, permutations, threshold, family
//!   policy), stemma and schema version, input warnings, a colour legend and a table of contents;
//! - an index of the families, largest first (id, documents, pairs, relations, first members),
//!   with a filter box: typing keeps the rows whose id, relations or member ids contain the
//!   text;
//! - per family, largest first, in a `<details>` section (the 20 largest open, the others
//!   closed until clicked or followed from the index, their content kept as inert text until
//!   then): its stemma drawn as an inline SVG graph (a layered layout computed here:
//!   roots and sources outside the corpus, drawn as dashed boxes, at the top, each child below
//!   its parents, arrows labelled with kind and confidence; related pairs that are not stemma
//!   edges as faint dashed lines), a members table (id, title, url, outlet, published_at,
//!   tokens, stemma parent, cues), a table of stemma edges with their strongest evidence, then
//!   for every edge from a document and every other pair of the family a comparison: the two
//!   texts side by side (parent on the left for an edge), shared passages highlighted and
//!   numbered with the same number on both sides (photo captions and boilerplate in a weaker
//!   grey with their label), cues underlined, the figures, the direction verdict with its
//!   confidence and the evidence (signal, what it favors, weight, reason). Edges from an
//!   external source show their evidence and the child's cues (in context) that name a source;
//!   roots show why they are roots;
//! - related pairs that cross families, and documents in no family (each folded in a
//!   `<details>` beyond 50 rows).
//!
//! Long texts are rendered whole inside scrollable boxes. Hovering a passage outlines its
//! counterpart (CSS `:has`). The page scales with the number of families: the body of a closed
//! section is written inside `<noscript class="lazy">`, which a browser with scripting on reads
//! as one raw text node, not as markup (`lazy`), so the first render costs the index and the
//! open families, not the parse of every family (fam-10k, 9,955 families: from ~30 s to a few
//! seconds, benches/runs/2026-12-08-html-scaling.md). The browser's find-in-page does not see
//! the text of a family not yet opened; the filter box matches every member id.
//!
//! One small inline script (`html/filter.js`, right after the index, so the filter works while
//! the rest of a long page is still being read) drives the filter box, fills a closed section
//! in when it is opened (parsing the `<noscript>` text in an inert `<template>`: the page's own
//! markup, nothing else), and opens the sections a link leads to. Without script the page
//! works the same, the filter box hidden: a browser with scripting off parses `<noscript>` as
//! ordinary markup, so every section is there (and the page loads as slowly as before).
//!
//! # Files
//! This file holds [`render`] and the small helpers; `page` the head, header, pairs across
//! families and documents in no family; `family` a family section (members, stemma table,
//! blocks); `side_by_side` a pair compared with both texts; `layout` the pure layered layout of
//! a stemma and `svg` its drawing; `style.css` the stylesheet and `filter.js` the script
//! (through `include_str!`); `sha256` hashes the script for the content policy.
//!
//! # Escaping guarantees
//!
//! Every string from the report or the texts (ids, text, outlets, titles, urls, dates, cue text,
//! evidence, warnings, even the command and family ids) is untrusted. It is written only as HTML
//! or SVG element text or inside a double-quoted attribute (`title`, `data-kind`,
//! `aria-label`, `data-ids`, `lang` after validation), always through `super::push_html`: `& < > " '`
//! are escaped, bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
//! control characters are shown as visible `⟨U+202E⟩`, and in short labels so are zero-width
//! characters. No untrusted byte reaches a `<style>`, a URL, an `href` (links are only
//! `#b3`-style fragments made from counters), an event handler or the `<script>`, whose text is
//! a constant of this crate. The same escaped markup fills the `<noscript>` raw texts: with no
//! `<` in any escaped string, no `</noscript` can end one early (checked: a body that held
//! one would be written eagerly), and the markup the script parses from it is exactly what
//! a browser with scripting off parses. A Content-Security-Policy meta tag (`default-src 'none'`,
//! `script-src` the SHA-256 of that script and nothing else, `img-src 'none'`, inline styles
//! only) is a second line of defence: the page loads nothing, and a script that ever slipped
//! through the escaping would not run.
//!
//! # What it does not do
//!
//! It does not link to the documents' urls (they are shown as text), does not load fonts or
//! images, does not re-align texts (it shows the passages of the report as given: offsets past
//! the end of a text are clamped and noted, overlapping passages are cut at the overlap), and
//! does not abridge: the page grows with the number of pairs times the length of their texts.

use std::fmt::Write as _;

use super::json::{
    CueLine, DocumentLine, EvidenceLine, FamilyLine, PairLine, Report, Span, StemmaEdgeLine,
};
use super::{cues_naming, html_escape as esc, plural, push_html, visible_hazards, Lookup};

mod family;
mod layout;
mod lazy;
mod page;
mod sha256;
mod side_by_side;
mod svg;

use family::family;
use page::{alone, crossing, head, header};

/// Prefix of a stemma parent that is a source outside the corpus.
const EXTERNAL: &str = "external:";
/// Passages numbers linked across the two sides by the hover CSS.
const MAX_LINKED: usize = 400;

/// The stylesheet (no untrusted byte ever reaches it).
const CSS: &str = include_str!("html/style.css");
/// The page's only script: the family filter and the filling of closed sections. The
/// Content-Security-Policy allows exactly this text (by its SHA-256), so no other script could
/// run even if one got in.
const SCRIPT: &str = include_str!("html/filter.js");
/// Family sections shown open (the largest); the others are closed `<details>` whose content
/// is inert text until opened, so the first render stays fast at 10k families.
const OPEN_FAMILIES: usize = 20;
/// Member ids shown per family in the index (all of them are matched by the filter).
const INDEX_MEMBERS: usize = 3;
/// Longer lists (pairs across families, documents in no family) are folded in a `<details>`.
const FOLD_LIST: usize = 50;

/// The report as one HTML page. `texts[i]` is the original text of `report.documents[i]`; a
/// missing text is reported as such, never a panic. The 20 largest families are shown open.
pub fn render(report: &Report, texts: &[&str]) -> String {
    render_open(report, texts, OPEN_FAMILIES)
}

/// [`render`] with the `open` largest families shown open; the others are closed, their
/// content kept as inert text that the page's script turns into markup when one is opened
/// (without script, a browser shows them as ordinary closed sections).
pub fn render_open(report: &Report, texts: &[&str], open: usize) -> String {
    let ctx = Ctx {
        report,
        texts,
        lookup: Lookup::new(report),
    };
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let mut o = String::with_capacity(32 * 1024 + total * 3);
    let order = by_size(report);
    head(&mut o, report);
    header(&mut o, &ctx, &order, open);
    let mut counter = 0;
    for (rank, &fi) in order.iter().enumerate() {
        let f = &report.families[fi];
        family(&mut o, &ctx, fi, f, &mut counter, rank < open);
    }
    crossing(&mut o, &ctx);
    alone(&mut o, &ctx);
    let _ = write!(
        o,
        "<footer>Written by stemma {}. This page is self-contained: it loads nothing; its one script filters the family index and fills in a closed section when it is opened.</footer>\n</main>\n</body>\n</html>\n",
        esc(&report.stemma_version)
    );
    o
}

/// Indexes of the families, the largest first (report order among equals).
fn by_size(report: &Report) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.families.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(report.families[i].members.len()));
    order
}

struct Ctx<'a> {
    report: &'a Report,
    texts: &'a [&'a str],
    /// Documents, families and pairs by id.
    lookup: Lookup<'a>,
}

impl<'a> Ctx<'a> {
    fn doc(&self, id: &str) -> Option<&'a DocumentLine> {
        self.lookup.doc(id)
    }
    fn text(&self, id: &str) -> Option<&'a str> {
        self.lookup
            .doc_index(id)
            .and_then(|i| self.texts.get(i).copied())
    }
    /// The pair of `x` and `y` in either order; `true` when it is stored as (y, x).
    fn pair(&self, x: &str, y: &str) -> Option<(&'a PairLine, bool)> {
        self.lookup.pair_either(x, y)
    }
}

/// At most `max` characters of `s` (hazards counted as their visible stand-ins), `…` when cut.
fn short(s: &str, max: usize) -> String {
    let s = visible_hazards(s);
    if s.chars().count() <= max {
        s.into_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// An id, shortened for display, with the whole id in its tooltip.
fn id_html(id: &str, max: usize) -> String {
    format!(
        "<span class=\"id\" title=\"{}\">{}</span>",
        esc(id),
        esc(&short(id, max))
    )
}

fn f2(x: f64) -> String {
    format!("{x:.2}")
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A BCP 47-looking language tag, or nothing (the value goes into a `lang` attribute).
fn lang_attr(d: Option<&DocumentLine>) -> String {
    match d.and_then(|d| d.lang.as_deref()) {
        Some(l)
            if !l.is_empty()
                && l.len() <= 35
                && l.split('-').all(|p| {
                    (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
                }) =>
        {
            format!(" lang=\"{}\"", esc(l))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn rendered() -> (Report, Vec<String>, String) {
        let (report, texts) = fixture::report();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let html = render(&report, &refs);
        (report, texts, html)
    }

    /// Every tag of the page: (name, [(attribute, value)]). Text never holds a raw `<`, so each
    /// `<` opens a tag; `<style>` content holds none either.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            let end = rest[i..].find('>').expect("tag is closed") + i;
            let inner = &rest[i + 1..end];
            rest = &rest[end + 1..];
            if inner.starts_with('!') || inner.starts_with('/') {
                continue;
            }
            let inner = inner.trim_end_matches('/');
            let (name, mut attrs) = inner.split_once(' ').unwrap_or((inner, ""));
            let mut list = Vec::new();
            loop {
                attrs = attrs.trim_start();
                if attrs.is_empty() {
                    break;
                }
                let stop = attrs.find(['=', ' ']).unwrap_or(attrs.len());
                let key = attrs[..stop].to_string();
                attrs = &attrs[stop..];
                if let Some(v) = attrs.strip_prefix("=\"") {
                    let q = v.find('"').expect("attribute value is quoted");
                    list.push((key, v[..q].to_string()));
                    attrs = &v[q + 1..];
                } else {
                    assert!(
                        !attrs.starts_with('='),
                        "unquoted attribute {key} in <{inner}>"
                    );
                    list.push((key, String::new()));
                }
            }
            if name == "script" {
                // Script text is not markup: skip to its end tag.
                rest = &rest[rest.find("</script>").expect("script is closed")..];
            }
            out.push((name.to_string(), list));
        }
        out
    }

    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(['&', '⟨']) {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let (entity, c) = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&#39;", '\''),
            ]
            .into_iter()
            .find(|(e, _)| rest.starts_with(e))
            .map(|(e, c)| (e.len(), c))
            .unwrap_or_else(|| {
                let end = rest.find('⟩').expect("visible escape is closed");
                let hex = &rest["⟨U+".len()..end];
                (
                    end + '⟩'.len_utf8(),
                    char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap(),
                )
            });
            out.push(c);
            rest = &rest[entity..];
        }
        out.push_str(rest);
        out
    }

    fn strip_tags(s: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// (mark id, highlighted text) for every passage mark.
    fn marks(html: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find("<mark class=\"p") {
            let open_end = rest[i..].find('>').unwrap() + i;
            let open = &rest[i..open_end];
            let id = open
                .split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let close = rest[open_end..].find("</mark>").unwrap() + open_end;
            out.push((
                id.to_string(),
                unescape(&strip_tags(&rest[open_end + 1..close])),
            ));
            rest = &rest[close..];
        }
        out
    }

    fn char_slice(text: &str, s: Span) -> String {
        text.chars().skip(s.start).take(s.end - s.start).collect()
    }

    #[test]
    fn passages_are_highlighted_with_the_exact_char_slices() {
        let (report, texts, html) = rendered();
        let text_of = |id: &str| &texts[report.documents.iter().position(|d| d.id == id).unwrap()];
        let mut expected = Vec::new();
        for p in report.pairs.iter().filter(|p| !p.passages.is_empty()) {
            for q in &p.passages {
                expected.push(char_slice(text_of(&p.a), q.a));
                expected.push(char_slice(text_of(&p.b), q.b));
            }
        }
        let mut got: Vec<String> = marks(&html).into_iter().map(|(_, t)| t).collect();
        assert!(!got.is_empty());
        expected.sort();
        got.sort();
        assert_eq!(got, expected);
        // The edge plo -> baomoi is stored as (baomoi, plo): the parent goes left, and its first
        // mark is the Vietnamese lead, whose char and byte offsets differ.
        let lead = "Tổng Bí thư Tô Lâm đã tham dự Cuộc họp Khai mạc Hội đồng Hòa bình về Gaza tại Washington D.C (Hoa Kỳ) từ ngày 18 - 20/2.";
        let all = marks(&html);
        let plo_lead = all.iter().find(|(_, t)| t == lead).unwrap();
        assert!(plo_lead.0.ends_with("-l1"), "{plo_lead:?}");
        let q = &report.pairs[0].passages[0];
        assert_ne!(
            q.a.start, q.a_bytes.start,
            "the fixture exercises multi-byte offsets"
        );
        // Captions are marked weaker, with their label; the same number is on both sides.
        assert_eq!(html.matches("data-kind=\"caption\"").count(), 2);
        assert!(html.contains("class=\"p bp\""));
        let k = plo_lead.0.split('-').next().unwrap();
        for n in 1..=3 {
            assert!(html.contains(&format!("id=\"{k}-l{n}\" data-n=\"{n}\"")));
            assert!(html.contains(&format!("id=\"{k}-r{n}\" data-n=\"{n}\"")));
        }
    }

    #[test]
    fn page_is_self_contained_and_loads_nothing() {
        let (_, _, html) = rendered();
        assert!(html.contains("Content-Security-Policy"));
        assert!(html.contains("default-src 'none'"));
        assert!(!html.contains("https://"));
        // The only "http://" is the SVG namespace, which loads nothing.
        assert_eq!(
            html.matches("http://").count(),
            html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
        );
        for (name, attrs) in tags(&html) {
            for (k, v) in attrs {
                assert!(
                    !matches!(
                        k.as_str(),
                        "src" | "srcset" | "action" | "style" | "background" | "poster" | "data"
                    ),
                    "<{name} {k}>"
                );
                if k == "href" {
                    assert!(v.starts_with('#'), "href {v}");
                }
                if k == "marker-end" {
                    assert!(v.starts_with("url(#"), "{v}");
                }
            }
        }
        assert!(!html.contains("@import") && !html.contains("@font-face"));
    }

    #[test]
    fn hostile_text_ids_outlets_and_cues_are_escaped() {
        let (_, _, html) = rendered();
        let lower = html.to_lowercase();
        assert_eq!(
            lower.matches("<script").count(),
            1,
            "one script element: the page's own"
        );
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(html.contains(&format!(
            "script-src 'sha256-{}'",
            sha256::base64(&sha256::sha256(SCRIPT.as_bytes()))
        )));
        // The script writes markup once: the text of a lazy <noscript>, into a <template>.
        assert_eq!(SCRIPT.matches("innerHTML").count(), 1);
        assert!(SCRIPT.contains("t.innerHTML = lazy.textContent;"));
        assert!(!SCRIPT.contains("</") && !SCRIPT.contains("<!--"));
        assert!(!lower.contains("<img"));
        assert!(!lower.contains("</textarea"));
        assert!(!lower.contains("<b>lonely"));
        assert_eq!(
            lower.matches("<style").count(),
            1,
            "only the page's own style"
        );
        let allowed = [
            "html", "head", "meta", "title", "style", "body", "main", "header", "nav", "section",
            "footer", "h1", "h2", "h3", "h4", "p", "div", "span", "b", "a", "ul", "li", "table",
            "thead", "tbody", "tr", "th", "td", "details", "summary", "mark", "meter", "svg",
            "defs", "marker", "path", "g", "rect", "text", "line", "script", "input", "noscript",
        ];
        for (name, attrs) in tags(&html) {
            assert!(
                allowed.contains(&name.as_str()),
                "unexpected element <{name}>"
            );
            for (k, v) in attrs {
                assert!(!k.starts_with("on"), "event handler {k} on <{name}>");
                assert!(
                    !v.to_lowercase().contains("javascript:")
                        || k == "title"
                        || k == "aria-label"
                        || k == "data-kind",
                    "{k}={v}"
                );
            }
        }
        for c in html.chars() {
            assert!(
                !crate::report::is_bidi_control(c),
                "raw bidi control U+{:04X}",
                c as u32
            );
        }
        assert!(html.contains("⟨U+202E⟩"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=&quot;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&quot;&gt;"));
        assert!(html.contains("&lt;/textarea&gt;"));
        assert!(html.contains("{{7*7}}"));
        assert!(html.contains("&lt;b&gt;Lonely&lt;/b&gt;"));
    }

    #[test]
    fn stemma_graph_has_external_sources_roots_and_labelled_edges() {
        let (_, _, html) = rendered();
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(html.contains(">VNA</text>"));
        assert!(html.contains("outside the corpus</text>"));
        assert!(html.contains(">credited-external-source 0.86</text>"));
        assert!(html.contains(">partial-reuse 0.78</text>"));
        assert!(html.contains(" · root</text>"));
        assert!(html.contains("stroke-dasharray=\"5 4\""));
        // The external source is above its child, the child above its copy.
        let y_of = |label: &str| -> f64 {
            let i = html.find(&format!(">{label}</text>")).unwrap();
            let t = html[..i].rfind("<text").unwrap();
            html[t..i]
                .split("y=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(y_of("VNA") < y_of("plo/ket-qua-chuyen-cong-du…"));
        assert!(y_of("plo/ket-qua-chuyen-cong-du…") < y_of("baomoi/tong-bi-thu-to-lam.…"));
    }

    #[test]
    fn external_edges_show_the_cues_that_support_them() {
        let (_, _, html) = rendered();
        assert!(html.contains("Cues naming VNA:"));
        assert!(html.contains("<mark>Theo TTXVN</mark>"));
        assert!(html.contains("No cue names &quot;&gt;&lt;img"));
    }

    #[test]
    fn mismatched_or_missing_texts_do_not_panic() {
        let (mut report, texts) = fixture::report();
        report.pairs[0].passages[0].a = Span {
            start: 10_000,
            end: 10_010,
        };
        report.pairs[0].passages[1].b = Span { start: 5, end: 2 };
        let cut: Vec<String> = texts.iter().map(|t| t.chars().take(20).collect()).collect();
        let short_texts: Vec<&str> = cut.iter().map(String::as_str).collect();
        let html = render(&report, &short_texts);
        assert!(html.contains("does not fit a text"));
        let html = render(&report, &[]);
        assert!(html.contains("was not given"));
    }

    /// The lazy page with its `<noscript>` wrappers, `data-b` ranges and note taken out.
    fn unwrapped(lazy: &str) -> String {
        let mut out = lazy
            .replace("<noscript class=\"lazy\">", "")
            .replace("</noscript>\n", "")
            .replace(
                "<p class=\"meta\">The families are not shown open below; the others open when clicked or followed from this table.</p>\n",
                "",
            );
        while let Some(i) = out.find(" data-b=\"") {
            let end = out[i + 9..].find('"').unwrap() + i + 10;
            out.replace_range(i..end, "");
        }
        out
    }

    #[test]
    fn closed_families_hold_the_open_markup_as_inert_text() {
        let (report, texts) = fixture::report();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let open = render(&report, &refs);
        let lazy = render_open(&report, &refs, 0);
        let n = report.families.len();
        assert_eq!(lazy.matches("<noscript class=\"lazy\">").count(), n);
        assert_eq!(lazy.matches("</noscript>").count(), n);
        assert_eq!(open.matches("<noscript").count(), 0);
        // Block ranges let a #b12 link find its family: consecutive, covering every block.
        let ranges: Vec<(usize, usize)> = lazy
            .split(" data-b=\"")
            .skip(1)
            .map(|r| {
                let (a, b) = r.split('"').next().unwrap().split_once(' ').unwrap();
                (a.parse().unwrap(), b.parse().unwrap())
            })
            .collect();
        assert_eq!(ranges.len(), n);
        let mut next = 1;
        for (a, b) in ranges {
            assert_eq!(a, next);
            assert!(b >= a);
            assert!(lazy.contains(&format!("id=\"b{b}\"")));
            next = b + 1;
        }
        assert!(!lazy.contains(&format!("id=\"b{next}\"")));
        // Unwrapped, the lazy page is the open page with its families closed.
        assert_eq!(
            unwrapped(&lazy),
            open.replace("\" open>\n<summary><h2>Family", "\">\n<summary><h2>Family")
        );
        // The page says that its families are closed.
        assert!(lazy.contains("The families are not shown open below"));
    }

    #[test]
    fn a_text_cannot_end_the_inert_text_early() {
        let (report, mut texts) = fixture::report();
        let h = report
            .documents
            .iter()
            .position(|d| d.id == fixture::HOSTILE_ID)
            .unwrap();
        texts[h].push_str(" </noscript><img src=x> </NOSCRIPT > </template></script><!-- x");
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let lazy = render_open(&report, &refs, 0);
        let lower = lazy.to_lowercase();
        // Only the wrappers end a <noscript>; the text's own stays escaped.
        assert_eq!(lower.matches("</noscript").count(), report.families.len());
        assert!(lazy.contains("&lt;/noscript&gt;&lt;img src=x&gt; &lt;/NOSCRIPT &gt; &lt;/template&gt;&lt;/script&gt;&lt;!-- x"));
        assert!(!lower.contains("<img") && !lower.contains("<template") && !lower.contains("<!--"));
        assert_eq!(lower.matches("<script").count(), 1);
    }
}
