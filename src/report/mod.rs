//! Reports: pure functions from an [`Analysis`](crate::pipeline::Analysis) to bytes.
//!
//! [`json`] defines the versioned JSON schema (its serde structs are separate from the internal
//! types, so a refactor cannot change the schema by accident) and the JSONL outputs; [`text`]
//! is the human summary printed by the CLI; [`html`] (one self-contained page), [`markdown`]
//! and [`dot`] (Graphviz) are the reports for people. Document text and ids are untrusted: every
//! format escapes or neutralizes what could be interpreted by its reader.

pub mod compare;
pub mod dot;
pub mod html;
pub mod json;
pub mod markdown;
pub mod query;
pub mod text;

/// The renderers' hand-built fixture report, for tests only (its source is shared with
/// `examples/render_fixture.rs` and lives in `tests/fixture/report.rs`).
#[cfg(test)]
#[allow(dead_code)]
mod fixture {
    use super::json::{
        CueLine, DirectionLine, DocumentLine, EvidenceLine, FamilyLine, FamilyPair, InputSummary,
        PairLine, PassageLine, Report, Span, StatsLine, StemmaEdgeLine, SCHEMA, SCHEMA_VERSION,
    };
    use crate::config::{Banding, Config};
    include!("../../tests/fixture/report.rs");
}

use std::borrow::Cow;
use std::collections::HashMap;

/// A string made safe for a terminal: control characters, bidi overrides and other invisible
/// format characters are shown as `\u{..}` escapes so an id cannot move the cursor, recolor
/// the terminal or reorder what is printed.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069): invisible, and able
/// to reorder the text displayed after it.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character an id or a label must not carry invisibly: control characters, bidi controls,
/// zero-width characters and marks, line/paragraph separators, word joiners and the BOM.
pub(crate) fn is_label_hazard(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Appends the visible stand-in of a hazardous character: `⟨U+202E⟩`.
pub(crate) fn push_visible(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "⟨U+{:04X}⟩", c as u32);
}

/// `s` with every [`is_label_hazard`] character replaced by its visible stand-in `⟨U+XXXX⟩`
/// (so a label can be shortened to a width after the stand-ins are counted).
pub(crate) fn visible_hazards(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_label_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_label_hazard(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `s` escaped for HTML element content *and* quoted attribute values (`&`, `<`, `>`,
/// `"`, `'`). With `label` (ids, outlets, cue text, reasons, metadata) every
/// [`is_label_hazard`] character is shown as a visible `⟨U+XXXX⟩`; without it (document body
/// text, shown with `white-space: pre-wrap`) newlines, tabs and zero-width characters are kept
/// and only bidi controls and other control characters are made visible.
pub(crate) fn push_html(out: &mut String, s: &str, label: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' if !label => out.push(c),
            c if is_bidi_control(c) || c.is_control() || (label && is_label_hazard(c)) => {
                push_visible(out, c)
            }
            c => out.push(c),
        }
    }
}

/// `s` escaped for HTML text or a quoted attribute value, hazards made visible (see
/// [`push_html`] with `label`). Safe in element content, in `"..."` or `'...'` attribute
/// values and in SVG `<text>`; never safe inside `<script>`, `<style>`, a URL or an event
/// handler, which is why no report puts untrusted data there.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_html(&mut out, s, true);
    out
}

/// The cues of a document that name `source` (a stemma parent `external:<source>`): their
/// `source` is `source` or their text contains it, ignoring case.
pub(crate) fn cues_naming<'a>(cues: &'a [json::CueLine], source: &str) -> Vec<&'a json::CueLine> {
    let name = source.to_lowercase();
    cues.iter()
        .filter(|c| {
            c.source.as_deref().map(str::to_lowercase).as_deref() == Some(name.as_str())
                || (!name.is_empty() && c.text.to_lowercase().contains(&name))
        })
        .collect()
}

/// One side of a pair's figures, for renderers that show two texts side by side.
pub(crate) struct PairSide<'a> {
    /// Document id.
    pub id: &'a str,
    /// Token count.
    pub tokens: usize,
    /// Share of its shingles found in the other text.
    pub containment: f64,
    /// Share of its word bigrams found in the other text.
    pub bigrams: f64,
    /// Share of its tokens inside verbatim runs.
    pub verbatim: f64,
    /// Share of its tokens inside aligned passages (trace only).
    pub passages: Option<f64>,
}

/// The two sides of a pair, left first; `swapped` puts B on the left.
pub(crate) fn pair_sides(p: &json::PairLine, swapped: bool) -> (PairSide<'_>, PairSide<'_>) {
    let a = PairSide {
        id: &p.a,
        tokens: p.tokens_a,
        containment: p.containment_a_in_b,
        bigrams: p.bigram_containment_a_in_b,
        verbatim: p.verbatim_coverage_a,
        passages: p.passage_coverage_a,
    };
    let b = PairSide {
        id: &p.b,
        tokens: p.tokens_b,
        containment: p.containment_b_in_a,
        bigrams: p.bigram_containment_b_in_a,
        verbatim: p.verbatim_coverage_b,
        passages: p.passage_coverage_b,
    };
    if swapped {
        (b, a)
    } else {
        (a, b)
    }
}

/// What renderers look up by id, indexed once in time linear in the report (documents, family
/// members and pairs), so that rendering stays linear however many families and pairs there
/// are. Every lookup answers exactly as a scan of the report in order would: the first document
/// with an id, the first pair stored as (a, b), the first family listing an id.
pub(crate) struct Lookup<'a> {
    report: &'a json::Report,
    /// Document id -> index of its first occurrence in `documents`.
    docs: HashMap<&'a str, usize>,
    /// Member id -> index of the first family listing it.
    family: HashMap<&'a str, u32>,
    /// Ids listed by more than one family -> every family listing them, ascending. Empty for
    /// a report built from an analysis (its families are disjoint).
    shared: HashMap<&'a str, Vec<u32>>,
    /// (a, b) -> index of the first pair stored in that order.
    pairs: HashMap<(&'a str, &'a str), usize>,
}

impl<'a> Lookup<'a> {
    /// Indexes `report`.
    pub fn new(report: &'a json::Report) -> Self {
        let mut docs = HashMap::with_capacity(report.documents.len());
        for (i, d) in report.documents.iter().enumerate() {
            docs.entry(d.id.as_str()).or_insert(i);
        }
        let mut family: HashMap<&str, u32> = HashMap::with_capacity(report.documents.len());
        let mut shared: HashMap<&str, Vec<u32>> = HashMap::new();
        for (fi, f) in report.families.iter().enumerate() {
            let fi = fi as u32;
            for m in &f.members {
                let first = *family.entry(m.as_str()).or_insert(fi);
                if first != fi {
                    let all = shared.entry(m.as_str()).or_insert_with(|| vec![first]);
                    if all.last() != Some(&fi) {
                        all.push(fi);
                    }
                }
            }
        }
        let mut pairs = HashMap::with_capacity(report.pairs.len());
        for (i, p) in report.pairs.iter().enumerate() {
            pairs.entry((p.a.as_str(), p.b.as_str())).or_insert(i);
        }
        Lookup {
            report,
            docs,
            family,
            shared,
            pairs,
        }
    }

    /// Index in `documents` of the first document with this id.
    pub fn doc_index(&self, id: &str) -> Option<usize> {
        self.docs.get(id).copied()
    }

    /// The first document with this id.
    pub fn doc(&self, id: &str) -> Option<&'a json::DocumentLine> {
        self.doc_index(id).map(|i| &self.report.documents[i])
    }

    /// Index in `families` of the first family listing this id as a member.
    #[cfg(test)]
    pub fn family(&self, id: &str) -> Option<u32> {
        self.family.get(id).copied()
    }

    /// Whether some family lists this id as a member.
    pub fn in_family(&self, id: &str) -> bool {
        self.family.contains_key(id)
    }

    /// For each document of the report, the index of its family (the first listing its id).
    #[cfg(test)]
    pub fn family_of(&self) -> Vec<Option<u32>> {
        self.report
            .documents
            .iter()
            .map(|d| self.family(&d.id))
            .collect()
    }

    /// Whether one family lists both ids as members.
    pub fn same_family(&self, a: &str, b: &str) -> bool {
        let (Some(fa), Some(fb)) = (self.family.get(a), self.family.get(b)) else {
            return false;
        };
        if fa == fb {
            return true;
        }
        if self.shared.is_empty() {
            return false;
        }
        let all =
            |id: &str, first: u32| self.shared.get(id).cloned().unwrap_or_else(|| vec![first]);
        let (la, lb) = (all(a, *fa), all(b, *fb));
        la.iter().any(|f| lb.binary_search(f).is_ok())
    }

    /// The first pair stored as (a, b).
    pub fn pair(&self, a: &str, b: &str) -> Option<&'a json::PairLine> {
        self.pairs.get(&(a, b)).map(|&i| &self.report.pairs[i])
    }

    /// The first pair of `x` and `y` in either order; `true` when it is stored as (y, x).
    pub fn pair_either(&self, x: &str, y: &str) -> Option<(&'a json::PairLine, bool)> {
        let found = match (self.pairs.get(&(x, y)), self.pairs.get(&(y, x))) {
            (Some(&i), Some(&j)) if j < i => (j, true),
            (Some(&i), _) => (i, false),
            (None, Some(&j)) => (j, true),
            (None, None) => return None,
        };
        Some((&self.report.pairs[found.0], found.1))
    }

    /// The related pairs whose two documents are not in one family (kept apart by the strict
    /// family policy), in report order.
    pub fn pairs_across_families(&self) -> Vec<&'a json::PairLine> {
        self.report
            .pairs
            .iter()
            .filter(|p| !self.same_family(&p.a, &p.b))
            .collect()
    }
}

/// Rounds a ratio to 4 decimals for stable, readable output.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::json::{FamilyLine, FamilyPair, Report};
    use super::*;
    use std::collections::BTreeSet;

    /// A report of `n` small families (`famKKK-a`, `-b`, and `-c` for every third), a stemma per
    /// family (`-a` a root, `-b` <- `-a`, `-c` <- `-b`, or `-b` <- `-c` for every sixth, so a
    /// pair is read swapped), pairs across families (`famK-b` ~ `famK+1-a` for every fifth) and
    /// a few documents in no family (`solo-JJ`). Templates come from the fixture.
    fn many_families(n: usize) -> (Report, Vec<String>) {
        let (mut r, _) = fixture::report();
        let doc = json::DocumentLine {
            cues: Vec::new(),
            ..r.documents[0].clone()
        };
        let pair = json::PairLine {
            passages: Vec::new(),
            ..r.pairs[0].clone()
        };
        let edge = r.families[0].stemma[0].clone();
        let id = |k: usize, m: char| format!("fam{k:03}-{m}");
        let mut documents = Vec::new();
        let mut pairs = Vec::new();
        let mut families = Vec::new();
        for k in 0..n {
            let members: Vec<char> = if k % 3 == 0 {
                vec!['a', 'b', 'c']
            } else {
                vec!['a', 'b']
            };
            let family = format!("F{}", k + 1);
            for &m in &members {
                documents.push(json::DocumentLine {
                    id: id(k, m),
                    family: Some(family.clone()),
                    ..doc.clone()
                });
            }
            let mut ends = vec![('a', 'b')];
            if members.len() == 3 {
                ends.extend([('a', 'c'), ('b', 'c')]);
            }
            let mut edges = vec![(None, 'a'), (Some('a'), 'b')];
            if members.len() == 3 {
                edges.push(if k % 6 == 0 {
                    (Some('c'), 'b')
                } else {
                    (Some('b'), 'c')
                });
            }
            for &(a, b) in &ends {
                pairs.push(json::PairLine {
                    a: id(k, a),
                    b: id(k, b),
                    ..pair.clone()
                });
            }
            if k % 5 == 0 && k + 1 < n {
                pairs.push(json::PairLine {
                    a: id(k, 'b'),
                    b: id(k + 1, 'a'),
                    ..pair.clone()
                });
            }
            families.push(FamilyLine {
                family: family.clone(),
                members: members.iter().map(|&m| id(k, m)).collect(),
                capped: false,
                pairs: ends
                    .iter()
                    .map(|&(a, b)| FamilyPair {
                        a: id(k, a),
                        b: id(k, b),
                        relation: pair.relation.clone(),
                    })
                    .collect(),
                stemma: edges
                    .iter()
                    .map(|&(p, c)| json::StemmaEdgeLine {
                        family: family.clone(),
                        parent: p.map(|p| id(k, p)),
                        child: id(k, c),
                        ..edge.clone()
                    })
                    .collect(),
            });
        }
        for j in 0..8 {
            documents.push(json::DocumentLine {
                id: format!("solo-{j:02}"),
                family: None,
                ..doc.clone()
            });
        }
        let texts = documents
            .iter()
            .map(|d| format!("The text of {}.", d.id))
            .collect();
        (r.documents, r.pairs, r.families) = (documents, pairs, families);
        (r, texts)
    }

    /// The document ids named in `s` (`famKKK-x` or `solo-JJ`).
    fn ids_in(s: &str) -> BTreeSet<String> {
        let b = s.as_bytes();
        let mut out = BTreeSet::new();
        for (i, _) in s.match_indices("fam").chain(s.match_indices("solo-")) {
            let len = if b[i] == b'f' { 8 } else { 7 };
            let Some(w) = s.get(i..i + len) else { continue };
            let ok = if len == 8 {
                w[3..6].bytes().all(|c| c.is_ascii_digit())
                    && &w[6..7] == "-"
                    && matches!(&w[7..], "a" | "b" | "c")
            } else {
                w[5..].bytes().all(|c| c.is_ascii_digit())
            };
            if ok {
                out.insert(w.to_string());
            }
        }
        out
    }

    /// Splits `s` at each of `starts` (in order of appearance) up to `end`: the text of
    /// section i runs from the i-th start to the next start (or `end`, or the end of `s`).
    fn sections<'a>(s: &'a str, starts: &[String], end: &str) -> Vec<&'a str> {
        let mut at: Vec<usize> = Vec::new();
        let mut from = 0;
        for m in starts {
            let i = from
                + s[from..]
                    .find(m.as_str())
                    .unwrap_or_else(|| panic!("{m} missing"));
            at.push(i);
            from = i + m.len();
        }
        let stop = s[from..].find(end).map_or(s.len(), |i| from + i);
        at.push(stop);
        at.windows(2).map(|w| &s[w[0]..w[1]]).collect()
    }

    #[test]
    fn many_small_families_each_render_in_their_own_family() {
        let n = 60;
        let (r, texts) = many_families(n);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let lookup = Lookup::new(&r);
        let expected: Vec<Option<u32>> = r
            .documents
            .iter()
            .map(|d| {
                d.id.strip_prefix("fam")
                    .map(|k| k[..3].parse::<u32>().unwrap())
            })
            .collect();
        assert_eq!(lookup.family_of(), expected);
        let members: Vec<BTreeSet<String>> = r
            .families
            .iter()
            .map(|f| f.members.iter().cloned().collect())
            .collect();
        let crossing: Vec<&json::PairLine> =
            r.pairs.iter().filter(|p| p.a[..6] != p.b[..6]).collect();
        assert_eq!(lookup.pairs_across_families(), crossing);
        assert_eq!(crossing.len(), 12);
        let crossing_ids: BTreeSet<String> = crossing
            .iter()
            .flat_map(|p| [p.a.clone(), p.b.clone()])
            .collect();
        let solo: BTreeSet<String> = (0..8).map(|j| format!("solo-{j:02}")).collect();
        let fams = |prefix: &str, suffix: &str| -> Vec<String> {
            r.families
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    prefix
                        .replace("{i}", &i.to_string())
                        .replace("{f}", &f.family)
                        + suffix
                })
                .collect()
        };
        let check = |what: &str, family_sections: &[&str], cross: &str, alone: &str| {
            assert_eq!(family_sections.len(), n, "{what}");
            for (i, sec) in family_sections.iter().enumerate() {
                assert_eq!(ids_in(sec), members[i], "{what}: family {i}");
            }
            assert_eq!(ids_in(cross), crossing_ids, "{what}: pairs across families");
            assert_eq!(ids_in(alone), solo, "{what}: in no family");
        };
        let pairs_of = |i: usize, sep: &str| -> Vec<String> {
            r.families[i]
                .pairs
                .iter()
                .map(|p| format!("{}{sep}{}", p.a, p.b))
                .collect()
        };

        // Text summary and HTML list the families largest first (report order among equals).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(r.families[i].members.len()));
        let in_order =
            |all: Vec<String>| -> Vec<String> { order.iter().map(|&i| all[i].clone()).collect() };
        // Section j of `secs` (in page order) is family order[j]: back to report order.
        fn reorder<'s>(order: &[usize], secs: &[&'s str]) -> Vec<&'s str> {
            let mut out = vec![""; order.len()];
            for (j, &i) in order.iter().enumerate() {
                out[i] = secs[j];
            }
            out
        }

        // Text summary: family sections, then pairs across families, then the others.
        let text = text::trace_summary_limited(&r, &text::SummaryLimits::all());
        let mut starts = in_order(fams("\nfamily {f} (", ""));
        starts.push("\nrelated pairs outside any single family".into());
        starts.push("\nin no family:".into());
        let secs = sections(&text, &starts, "\nstemma of family");
        let fam_secs = reorder(&order, &secs[..n]);
        check("text", &fam_secs, secs[n], secs[n + 1]);
        for (i, sec) in fam_secs.iter().enumerate() {
            for p in pairs_of(i, " ~ ") {
                assert_eq!(sec.matches(&format!("  {p}\n")).count(), 1, "text: {p}");
            }
        }
        // ... and the stemma of each family, with its pairs and their direction.
        let stemmas = reorder(
            &order,
            &sections(
                &text,
                &in_order(fams("\nstemma of family {f}:", "")),
                "\u{0}",
            ),
        );
        for (i, sec) in stemmas.iter().enumerate() {
            assert_eq!(ids_in(sec), members[i], "text: stemma of family {i}");
            for p in pairs_of(i, " ~ ") {
                assert_eq!(sec.matches(&format!("  {p}: ")).count(), 1, "text: {p}");
            }
        }

        // Markdown.
        let md = markdown::render(&r, &texts);
        let mut starts = fams("\n## Family {f} (", "");
        starts.push("\n## Related pairs outside any single family".into());
        starts.push("\n## In no family".into());
        let secs = sections(&md, &starts, "\u{0}");
        check("markdown", &secs[..n], secs[n], secs[n + 1]);
        for (i, sec) in secs[..n].iter().enumerate() {
            let compared = sec.matches("\n\njaccard ").count();
            assert_eq!(compared, r.families[i].pairs.len(), "markdown: family {i}");
        }

        // HTML: the family sections come largest first too.
        let html = html::render(&r, &texts);
        let mut starts = in_order(fams("<details class=\"family\" id=\"fam{i}\"", ""));
        starts.push("<section id=\"cross\">".into());
        starts.push("<section id=\"alone\">".into());
        let secs = sections(&html, &starts, "<footer>");
        let fam_secs = reorder(&order, &secs[..n]);
        check("html", &fam_secs, secs[n], secs[n + 1]);
        for (i, sec) in fam_secs.iter().enumerate() {
            let compared = sec.matches("<details class=\"cmp card\"").count();
            assert_eq!(compared, r.families[i].pairs.len(), "html: family {i}");
        }

        // DOT: one cluster per family, the others as plain nodes, then the edges.
        let dot = dot::render(&r);
        let secs = sections(&dot, &fams("  subgraph \"cluster_{i}\" {", ""), "\n  }\n");
        for (i, sec) in secs.iter().enumerate() {
            assert_eq!(ids_in(sec), members[i], "dot: cluster {i}");
        }
        let outside: BTreeSet<String> = dot
            .lines()
            .filter(|l| l.starts_with("  \"d:") && !l.contains(" -> "))
            .flat_map(ids_in)
            .collect();
        assert_eq!(outside, solo, "dot: nodes outside the clusters");
        let undirected: BTreeSet<(String, String)> = dot
            .lines()
            .filter(|l| l.contains(" -> ") && l.contains("dir=none"))
            .map(|l| {
                let ids: Vec<String> = ids_in(l).into_iter().collect();
                (ids[0].clone(), ids[1].clone())
            })
            .collect();
        let not_edges: BTreeSet<(String, String)> = r
            .pairs
            .iter()
            .filter(|p| {
                !r.families.iter().any(|f| {
                    f.stemma.iter().any(|e| {
                        let q = e.parent.as_deref();
                        (q == Some(&p.a) && e.child == p.b) || (q == Some(&p.b) && e.child == p.a)
                    })
                })
            })
            .map(|p| (p.a.clone(), p.b.clone()))
            .collect();
        assert_eq!(
            undirected, not_edges,
            "dot: pairs that are not stemma edges"
        );
        assert_eq!(not_edges.len(), crossing.len() + n / 3);
    }

    #[test]
    fn terminal_safe_escapes_controls_and_bidi() {
        assert_eq!(terminal_safe("a.txt"), "a.txt");
        assert_eq!(
            terminal_safe("a\x1b[31m\u{202E}b"),
            "a\\u{1b}[31m\\u{202e}b"
        );
    }

    #[test]
    fn html_escape_covers_markup_quotes_and_hazards() {
        assert_eq!(
            html_escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            html_escape("a\u{202E}b\nc\u{200B}"),
            "a⟨U+202E⟩b⟨U+000A⟩c⟨U+200B⟩"
        );
        let mut body = String::new();
        push_html(&mut body, "Tổng Bí thư\n\u{2067}x\u{200B}\u{7}", false);
        assert_eq!(body, "Tổng Bí thư\n⟨U+2067⟩x\u{200B}⟨U+0007⟩");
    }
}

/// `n` and the noun for it: `1 family`, `2 families`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
