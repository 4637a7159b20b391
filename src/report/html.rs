//! The HTML report: one self-contained page a newsroom editor can read instead of the JSON.
//!
//! # What it shows
//!
//! - a header: command, counts, configuration (shingles, permutations, threshold, family
//!   policy), stemma and schema version, input warnings, a colour legend and a table of contents;
//! - per family: its stemma drawn as an inline SVG graph (a layered layout computed here:
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
//! - related pairs that cross families, and documents in no family (a short list).
//!
//! Long texts are rendered whole inside scrollable boxes. Hovering a passage outlines its
//! counterpart (CSS `:has`); the page has no script at all and works the same without one.
//!
//! # Escaping guarantees
//!
//! Every string from the report or the texts (ids, text, outlets, titles, urls, dates, cue text,
//! evidence, warnings, even the command and family ids) is untrusted. It is written only as HTML
//! or SVG element text or inside a double-quoted attribute (`title`, `data-kind`,
//! `aria-label`, `lang` after validation), always through [`super::push_html`]: `& < > " '`
//! are escaped, bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
//! control characters are shown as visible `⟨U+202E⟩`, and in short labels so are zero-width
//! characters. No untrusted byte reaches a `<style>`, a URL, an `href` (links are only
//! `#b3`-style fragments made from counters) or an event handler, and there is no `<script>`. A
//! Content-Security-Policy meta tag (`default-src 'none'`, `script-src 'none'`, `img-src
//! 'none'`, inline styles only) is a second line of defence: the page loads nothing.
//!
//! # What it does not do
//!
//! It does not link to the documents' urls (they are shown as text), does not load fonts or
//! images, does not re-align texts (it shows the passages of the report as given: offsets past
//! the end of a text are clamped and noted, overlapping passages are cut at the overlap), and
//! does not abridge: the page grows with the number of pairs times the length of their texts.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

use super::json::{
    CueLine, DocumentLine, EvidenceLine, FamilyLine, PairLine, Report, Span, StemmaEdgeLine,
};
use super::{cues_naming, html_escape as esc, push_html, visible_hazards, Lookup};

/// Prefix of a stemma parent that is a source outside the corpus.
const EXTERNAL: &str = "external:";
/// Passages numbers linked across the two sides by the hover CSS.
const MAX_LINKED: usize = 400;

const CSS: &str = r#":root{color-scheme:light;--ink:#1d2430;--mute:#5d6676;--line:#dde1e8;--bg:#f5f6f8;--hl:#fbe3a0;--hl2:#fdf0c8;--bp:#e3e6eb;--acc:#8a4b08;--cue:#3a6ea5}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
main{max-width:1360px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:1.45rem;margin:0 0 .2rem}
h2{font-size:1.25rem;margin:2.4rem 0 .7rem;padding-top:.5rem;border-top:2px solid var(--ink)}
h3{font-size:1rem;margin:1.5rem 0 .5rem}
h4{font-size:.95rem;margin:0 0 .3rem}
p{margin:.35rem 0}
.meta{color:var(--mute);font-size:.86rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:12px 0}
.warn{color:#8a1c1c;font-size:.86rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;background:#fff}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--mute);font-size:.76rem;text-transform:uppercase;letter-spacing:.03em}
th .id{text-transform:none;letter-spacing:0;color:var(--ink)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.id{font-weight:600;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.74rem;line-height:1.5;padding:0 7px;border-radius:9px;background:#e9edf2;color:var(--mute);font-weight:600;vertical-align:.1em}
.badge.hot{background:#fbe3a0;color:#6b3a00}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:.86rem}
.sw{display:inline-block;width:1.7em;height:1em;vertical-align:-.15em;border-radius:3px;margin-right:5px;background:var(--hl)}
.sw.ne{background:var(--hl2);border-bottom:1px dashed #c9a227}
.sw.bp{background:var(--bp);border-bottom:1px dotted #8a94a6}
.sw.cue{background:none;border-bottom:2px dotted var(--cue);border-radius:0}
.sw.ext{background:#f3f4f6;border:1.5px dashed #6b7280}
nav{font-size:.9rem;margin-top:.6rem}
nav a{margin-right:12px}
a{color:#1f5fa8}
mark{background:var(--hl);color:inherit;border-radius:2px;padding:0 1px}
mark.ne{background:var(--hl2);border-bottom:1px dashed #c9a227}
mark.bp{background:var(--bp);border-bottom:1px dotted #8a94a6}
mark.p::before{content:attr(data-n);font-size:.68em;font-weight:700;color:var(--acc);vertical-align:super;margin-right:.2em}
mark.bp::before{content:attr(data-n) " " attr(data-kind);color:var(--mute);font-weight:600}
.cue{text-decoration:underline dotted var(--cue) 2px;text-underline-offset:3px}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin-top:10px}
.txt{white-space:pre-wrap;overflow-wrap:anywhere;max-height:30em;overflow:auto;border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fcfcfd;font-size:.93rem;unicode-bidi:isolate}
details.cmp>summary{cursor:pointer;font-weight:600;overflow-wrap:anywhere}
.verdict{font-weight:600;margin-top:.6rem}
.ev td:nth-child(2){white-space:nowrap}
.cues{margin:0;padding-left:1.1em;font-size:.84rem}
.ctx{color:var(--mute)}
.ctx mark{background:#dbe8f6}
.graph{overflow-x:auto;text-align:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;fill:var(--ink)}
svg .sub{fill:var(--mute);font-size:11px}
svg .lab{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round;font-size:11px;fill:#3b4250}
meter{width:4em;height:.8em}
footer{margin-top:3rem;color:var(--mute);font-size:.8rem}
@media (max-width:900px){.sbs{grid-template-columns:1fr}}
@media print{.txt{max-height:none;overflow:visible}}
"#;

/// The report as one HTML page. `texts[i]` is the original text of `report.documents[i]`; a
/// missing text is reported as such, never a panic.
pub fn render(report: &Report, texts: &[&str]) -> String {
    let ctx = Ctx {
        report,
        texts,
        lookup: Lookup::new(report),
    };
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let mut o = String::with_capacity(32 * 1024 + total * 3);
    head(&mut o, report);
    header(&mut o, &ctx);
    let mut counter = 0;
    for (fi, f) in report.families.iter().enumerate() {
        family(&mut o, &ctx, fi, f, &mut counter);
    }
    crossing(&mut o, &ctx);
    alone(&mut o, &ctx);
    let _ = write!(
        o,
        "<footer>Written by stemma {}. This page is self-contained: it loads nothing and runs no script.</footer>\n</main>\n</body>\n</html>\n",
        esc(&report.stemma_version)
    );
    o
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

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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

fn head(o: &mut String, r: &Report) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'\">\n\
<meta name=\"referrer\" content=\"no-referrer\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>stemma {} report</title>\n<style>\n{CSS}",
        esc(&r.command)
    );
    // Hovering passage N outlines passage N on the other side (no script needed).
    let max = r.pairs.iter().map(|p| p.passages.len()).max().unwrap_or(0);
    for n in 1..=max.min(MAX_LINKED) {
        let _ = writeln!(
            o,
            ".cmp:has(mark[data-n=\"{n}\"]:hover) mark[data-n=\"{n}\"]{{outline:2px solid var(--acc)}}"
        );
    }
    o.push_str("</style>\n</head>\n<body>\n<main>\n");
}

fn header(o: &mut String, ctx: &Ctx) {
    let r = ctx.report;
    let alone = r
        .documents
        .iter()
        .filter(|d| !ctx.lookup.in_family(&d.id))
        .count();
    let c = &r.config;
    let policy = match c.family_policy {
        crate::config::FamilyPolicy::Strict => "strict",
        crate::config::FamilyPolicy::Connected => "connected",
    };
    let _ = write!(
        o,
        "<header>\n<h1>stemma {} report</h1>\n<p class=\"meta\">{} · {} · {} · {} in no family</p>\n\
<p class=\"meta\">shingles {} · {} permutations · near-duplicate threshold {} · passages of {}+ tokens · family policy {} · stemma {} · schema {} v{}</p>\n",
        esc(&r.command),
        plural(r.documents.len(), "document", "documents"),
        plural(r.pairs.len(), "related pair", "related pairs"),
        plural(r.families.len(), "family", "families"),
        alone,
        c.fingerprint.shingle,
        c.fingerprint.num_perm,
        c.relations.near_duplicate,
        c.relations.min_run_tokens,
        policy,
        esc(&r.stemma_version),
        esc(&r.schema),
        r.schema_version
    );
    let i = &r.inputs;
    if i.skipped_files + i.bad_records + i.truncated > 0 {
        let _ = writeln!(
            o,
            "<p class=\"meta\">inputs: {} files read, {} skipped (unsupported type), {} bad records skipped, {} documents truncated</p>",
            i.files_read, i.skipped_files, i.bad_records, i.truncated
        );
    }
    if !i.warnings.is_empty() {
        let _ = write!(
            o,
            "<details><summary class=\"meta\">{}</summary><ul class=\"cues\">",
            plural(i.warnings.len(), "warning", "warnings")
        );
        for w in &i.warnings {
            let _ = write!(o, "<li>{}</li>", esc(w));
        }
        o.push_str("</ul></details>\n");
    }
    o.push_str(
        "<div class=\"card legend\"><span><span class=\"sw\"></span>shared passage (verbatim)</span>\
<span><span class=\"sw ne\"></span>shared passage with small edits</span>\
<span><span class=\"sw bp\"></span>caption or boilerplate (weak evidence)</span>\
<span><span class=\"sw cue\"></span>cue: credit, date, byline, outlet tag</span>\
<span><span class=\"sw ext\"></span>source outside the corpus</span>\
<span>¹ ² …: the same number marks the same passage on both sides</span></div>\n<nav>",
    );
    for (fi, f) in r.families.iter().enumerate() {
        let _ = write!(
            o,
            "<a href=\"#fam{fi}\">family {} ({})</a>",
            esc(&short(&f.family, 24)),
            f.members.len()
        );
    }
    if alone > 0 {
        let _ = write!(o, "<a href=\"#alone\">in no family ({alone})</a>");
    }
    o.push_str("</nav>\n</header>\n");
}

/// What one family section shows after its tables, in order.
enum Block<'a> {
    Root(&'a StemmaEdgeLine),
    External(&'a StemmaEdgeLine, &'a str),
    Compare {
        pair: &'a PairLine,
        swapped: bool,
        edge: Option<&'a StemmaEdgeLine>,
    },
    Unpaired(&'a StemmaEdgeLine, &'a str),
}

fn family(o: &mut String, ctx: &Ctx, fi: usize, f: &FamilyLine, counter: &mut usize) {
    let _ = write!(
        o,
        "<section class=\"family\" id=\"fam{fi}\">\n<h2>Family {} <span class=\"badge\">{}</span>{}</h2>\n",
        esc(&f.family),
        plural(f.members.len(), "document", "documents"),
        if f.capped {
            " <span class=\"badge hot\">capped at the size limit: may be boilerplate or a template</span>"
        } else {
            ""
        }
    );
    svg(o, ctx, fi, f);

    // Plan the blocks first so the edge table can link to them.
    let mut blocks: Vec<(usize, Block)> = Vec::new();
    let mut edge_anchor = vec![0; f.stemma.len()];
    for (ei, e) in f.stemma.iter().enumerate() {
        *counter += 1;
        edge_anchor[ei] = *counter;
        let block = match e.parent.as_deref() {
            None => Block::Root(e),
            Some(p) if p.starts_with(EXTERNAL) => Block::External(e, &p[EXTERNAL.len()..]),
            Some(p) => match ctx.pair(p, &e.child) {
                Some((pair, swapped)) => Block::Compare {
                    pair,
                    swapped,
                    edge: Some(e),
                },
                None => Block::Unpaired(e, p),
            },
        };
        blocks.push((*counter, block));
    }
    for fp in &f.pairs {
        if let Some((pair, _)) = ctx.pair(&fp.a, &fp.b) {
            let shown = blocks.iter().any(
                |(_, b)| matches!(b, Block::Compare { pair: q, .. } if std::ptr::eq(*q, pair)),
            );
            if !shown {
                *counter += 1;
                blocks.push((
                    *counter,
                    Block::Compare {
                        pair,
                        swapped: false,
                        edge: None,
                    },
                ));
            }
        }
    }

    members_table(o, ctx, f);
    if !f.stemma.is_empty() {
        o.push_str("<h3>Stemma</h3>\n<table><thead><tr><th>parent</th><th>child</th><th>kind</th><th class=\"n\">confidence</th><th>strongest evidence</th><th></th></tr></thead><tbody>\n");
        for (ei, e) in f.stemma.iter().enumerate() {
            let best = e
                .evidence
                .iter()
                .max_by(|x, y| x.weight.total_cmp(&y.weight));
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td><a href=\"#b{}\">details</a></td></tr>",
                parent_html(e.parent.as_deref()),
                id_html(&e.child, 40),
                esc(&e.kind),
                f2(e.confidence),
                best.map(|b| esc(&b.reason)).unwrap_or_default(),
                edge_anchor[ei]
            );
        }
        o.push_str("</tbody></table>\n");
    }
    let open = f.members.len() <= 4;
    for (k, block) in blocks {
        match block {
            Block::Root(e) => {
                let _ = write!(
                    o,
                    "<div class=\"card\" id=\"b{k}\"><h4>{} is a root <span class=\"badge\">{} {}</span></h4><p class=\"meta\">No parent in the corpus or outside it was found for this document.</p>",
                    id_html(&e.child, 80),
                    esc(&e.kind),
                    f2(e.confidence)
                );
                evidence(o, &e.evidence, None);
                o.push_str("</div>\n");
            }
            Block::External(e, name) => external(o, ctx, k, e, name),
            Block::Unpaired(e, p) => {
                let _ = write!(
                    o,
                    "<div class=\"card\" id=\"b{k}\"><h4>{} → {} <span class=\"badge\">{} {}</span></h4><p class=\"meta\">The report has no aligned pair for these two documents.</p>",
                    id_html(p, 60),
                    id_html(&e.child, 60),
                    esc(&e.kind),
                    f2(e.confidence)
                );
                evidence(o, &e.evidence, None);
                o.push_str("</div>\n");
            }
            Block::Compare {
                pair,
                swapped,
                edge,
            } => compare(o, ctx, k, pair, swapped, edge, open || edge.is_some()),
        }
    }
    o.push_str("</section>\n");
}

fn parent_html(p: Option<&str>) -> String {
    match p {
        None => "<span class=\"meta\">(root)</span>".to_string(),
        Some(p) if p.starts_with(EXTERNAL) => format!(
            "{} <span class=\"badge\">outside the corpus</span>",
            id_html(&p[EXTERNAL.len()..], 40)
        ),
        Some(p) => id_html(p, 40),
    }
}

fn cue_label(c: &CueLine) -> String {
    let mut s = c.kind.clone();
    if let Some(src) = &c.source {
        let _ = write!(s, " → {src}");
    }
    if let Some(v) = &c.value {
        let _ = write!(s, " = {v}");
    }
    s
}

fn members_table(o: &mut String, ctx: &Ctx, f: &FamilyLine) {
    let docs: Vec<Option<&DocumentLine>> = f.members.iter().map(|m| ctx.doc(m)).collect();
    let any = |p: fn(&DocumentLine) -> bool| docs.iter().flatten().any(|d| p(d));
    // Columns with no data in this family (a scan report has no cues or stemma) are left out.
    let (outlet, published, cues) = (
        any(|d| d.outlet.is_some()),
        any(|d| d.published_at.is_some()),
        any(|d| !d.cues.is_empty()),
    );
    let stemma = !f.stemma.is_empty();
    o.push_str("<h3>Members</h3>\n<table><thead><tr><th class=\"n\">#</th><th>document</th>");
    for (show, name) in [(outlet, "outlet"), (published, "published")] {
        if show {
            let _ = write!(o, "<th>{name}</th>");
        }
    }
    o.push_str("<th class=\"n\">tokens</th>");
    for (show, name) in [(stemma, "stemma parent"), (cues, "cues")] {
        if show {
            let _ = write!(o, "<th>{name}</th>");
        }
    }
    o.push_str("</tr></thead><tbody>\n");
    let cell = |v: Option<&String>| format!("<td>{}</td>", v.map(|s| esc(s)).unwrap_or_default());
    for (i, (m, d)) in f.members.iter().zip(&docs).enumerate() {
        let d = *d;
        let _ = write!(
            o,
            "<tr><td class=\"n\">{}</td><td>{}",
            i + 1,
            id_html(m, 60)
        );
        if let Some(d) = d {
            for extra in [&d.title, &d.url].into_iter().flatten() {
                let _ = write!(o, "<div class=\"meta\">{}</div>", esc(&short(extra, 120)));
            }
        }
        o.push_str("</td>");
        if outlet {
            o.push_str(&cell(d.and_then(|d| d.outlet.as_ref())));
        }
        if published {
            o.push_str(&cell(d.and_then(|d| d.published_at.as_ref())));
        }
        let _ = write!(
            o,
            "<td class=\"n\">{}</td>",
            d.map(|d| d.tokens.to_string()).unwrap_or_default()
        );
        if stemma {
            o.push_str("<td>");
            if let Some(e) = f.stemma.iter().find(|e| &e.child == m) {
                let _ = write!(
                    o,
                    "{}<div class=\"meta\">{} {}</div>",
                    parent_html(e.parent.as_deref()),
                    esc(&e.kind),
                    f2(e.confidence)
                );
            }
            o.push_str("</td>");
        }
        if cues {
            o.push_str("<td>");
            if let Some(d) = d.filter(|d| !d.cues.is_empty()) {
                o.push_str("<ul class=\"cues\">");
                for c in d.cues.iter().take(8) {
                    let mut extra = String::new();
                    if let Some(s) = &c.source {
                        let _ = write!(extra, " → {}", esc(s));
                    }
                    if let Some(v) = &c.value {
                        let _ = write!(extra, " = {}", esc(v));
                    }
                    let _ = write!(
                        o,
                        "<li><b>{}</b> «{}»{extra}</li>",
                        esc(&c.kind),
                        esc(&short(&c.text, 60))
                    );
                }
                if d.cues.len() > 8 {
                    let _ = write!(o, "<li>{} more</li>", d.cues.len() - 8);
                }
                o.push_str("</ul>");
            }
            o.push_str("</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table>\n");
}

/// Evidence as a table; `ab` names A and B of the pair so `a->b` reads as ids.
fn evidence(o: &mut String, ev: &[EvidenceLine], ab: Option<(&str, &str)>) {
    if ev.is_empty() {
        return;
    }
    o.push_str("<table class=\"ev\"><thead><tr><th>signal</th><th>favors</th><th class=\"n\">weight</th><th>reason</th></tr></thead><tbody>\n");
    for e in ev {
        let favors = match (e.favors.as_str(), ab) {
            ("a->b", Some((a, b))) => format!("{} → {}", id_html(a, 24), id_html(b, 24)),
            ("b->a", Some((a, b))) => format!("{} → {}", id_html(b, 24), id_html(a, 24)),
            ("none", _) => "<span class=\"meta\">context</span>".to_string(),
            (other, _) => esc(other),
        };
        let w = if e.weight.is_finite() {
            e.weight.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{favors}</td><td class=\"n\">{} <meter min=\"0\" max=\"1\" value=\"{w:.2}\"></meter></td><td>{}</td></tr>",
            esc(&e.signal),
            f2(e.weight),
            esc(&e.reason)
        );
    }
    o.push_str("</tbody></table>\n");
}

fn verdict_html(p: &PairLine) -> Option<String> {
    let d = p.direction.as_ref()?;
    let text = match d.verdict.as_str() {
        "a->b" => format!("{} derives from {}", id_html(&p.b, 60), id_html(&p.a, 60)),
        "b->a" => format!("{} derives from {}", id_html(&p.a, 60), id_html(&p.b, 60)),
        "common-source" => "both derive from a common source, neither from the other".to_string(),
        "undetermined" => "undetermined".to_string(),
        other => esc(other),
    };
    Some(format!(
        "<p class=\"verdict\">Direction: {text} <span class=\"badge\">confidence {}</span></p>\n",
        f2(d.confidence)
    ))
}

/// One side of a comparison.
#[allow(clippy::too_many_arguments)]
fn compare(
    o: &mut String,
    ctx: &Ctx,
    k: usize,
    p: &PairLine,
    swapped: bool,
    edge: Option<&StemmaEdgeLine>,
    open: bool,
) {
    let (l, r) = super::pair_sides(p, swapped);
    let _ = write!(
        o,
        "<details class=\"cmp card\" id=\"b{k}\"{}>\n<summary>{} {} {} <span class=\"badge\">{}</span>",
        if open { " open" } else { "" },
        id_html(l.id, 60),
        if edge.is_some() { "→" } else { "~" },
        id_html(r.id, 60),
        esc(&p.relation)
    );
    if let Some(e) = edge {
        let _ = write!(
            o,
            " <span class=\"badge hot\">stemma edge: {} {}</span>",
            esc(&e.kind),
            f2(e.confidence)
        );
    }
    o.push_str("</summary>\n");
    let _ = writeln!(
        o,
        "<p class=\"meta\">jaccard {} (estimated {}) · longest verbatim run {} tokens · {} shared shingles · simhash distance {} · found by {}</p>",
        f2(p.jaccard),
        f2(p.estimated_jaccard),
        p.longest_run_tokens,
        p.shared_shingles,
        p.simhash_distance,
        esc(&p.sources.join(", "))
    );
    let _ = writeln!(
        o,
        "<table><thead><tr><th></th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
        id_html(l.id, 36),
        id_html(r.id, 36)
    );
    let mut row = |name: &str, x: String, y: String| {
        let _ = writeln!(
            o,
            "<tr><td>{name}</td><td class=\"n\">{x}</td><td class=\"n\">{y}</td></tr>"
        );
    };
    row("tokens", l.tokens.to_string(), r.tokens.to_string());
    row(
        "shingles found in the other (containment)",
        f2(l.containment),
        f2(r.containment),
    );
    row(
        "word pairs found in the other (bigram containment)",
        f2(l.bigrams),
        f2(r.bigrams),
    );
    row("inside verbatim runs", pct(l.verbatim), pct(r.verbatim));
    if let (Some(x), Some(y)) = (l.passages, r.passages) {
        row("inside aligned passages", pct(x), pct(y));
    }
    o.push_str("</tbody></table>\n");
    if let Some(v) = verdict_html(p) {
        o.push_str(&v);
    }
    let dir_ev = p.direction.as_ref().map(|d| &d.evidence[..]).unwrap_or(&[]);
    if let Some(e) = edge.filter(|e| !e.evidence.is_empty() && e.evidence != dir_ev) {
        o.push_str("<h4>Evidence for the stemma edge</h4>\n");
        evidence(o, &e.evidence, Some((&p.a, &p.b)));
    }
    if !dir_ev.is_empty() {
        evidence(o, dir_ev, Some((&p.a, &p.b)));
    }

    // The texts side by side.
    let mut notes = Vec::new();
    o.push_str("<div class=\"sbs\">\n");
    for (side, s, is_a) in [("l", &l, !swapped), ("r", &r, swapped)] {
        let d = ctx.doc(s.id);
        let _ = write!(o, "<div><h4>{}</h4><p class=\"meta\">", id_html(s.id, 80));
        let meta: Vec<String> = [
            d.and_then(|d| d.outlet.as_deref()).map(esc),
            d.and_then(|d| d.published_at.as_deref()).map(esc),
            Some(plural(s.tokens, "token", "tokens")),
        ]
        .into_iter()
        .flatten()
        .collect();
        o.push_str(&meta.join(" · "));
        o.push_str("</p>\n");
        match ctx.text(s.id) {
            Some(text) => {
                let marks: Vec<Mark> = p
                    .passages
                    .iter()
                    .enumerate()
                    .map(|(i, q)| Mark {
                        span: if is_a { q.a } else { q.b },
                        n: i + 1,
                        boilerplate: q.boilerplate.as_deref(),
                        exact: q.exactness >= 0.9999,
                        tokens: if is_a { q.tokens_a } else { q.tokens_b },
                    })
                    .collect();
                let cues = d.map(|d| &d.cues[..]).unwrap_or(&[]);
                text_block(
                    o,
                    text,
                    marks,
                    cues,
                    &format!("b{k}-{side}"),
                    &lang_attr(d),
                    &mut notes,
                );
            }
            None => o.push_str("<p class=\"warn\">The text of this document was not given.</p>"),
        }
        o.push_str("</div>\n");
    }
    o.push_str("</div>\n");
    for n in notes {
        let _ = writeln!(o, "<p class=\"warn\">{}</p>", esc(&n));
    }
    if p.passages.is_empty() {
        o.push_str("<p class=\"meta\">No aligned passages in this report (only <b>trace</b> aligns passages).</p>\n");
    } else {
        let _ = writeln!(
            o,
            "<table><thead><tr><th class=\"n\">#</th><th>{} (characters)</th><th>{} (characters)</th><th class=\"n\">tokens</th><th class=\"n\">exactness</th><th></th></tr></thead><tbody>",
            id_html(l.id, 30),
            id_html(r.id, 30)
        );
        for (i, q) in p.passages.iter().enumerate() {
            let (ls, rs) = if swapped { (q.b, q.a) } else { (q.a, q.b) };
            let (lt, rt) = if swapped {
                (q.tokens_b, q.tokens_a)
            } else {
                (q.tokens_a, q.tokens_b)
            };
            let n = i + 1;
            let _ = writeln!(
                o,
                "<tr><td class=\"n\">{n}</td><td><a href=\"#b{k}-l{n}\">{}–{}</a></td><td><a href=\"#b{k}-r{n}\">{}–{}</a></td><td class=\"n\">{lt} / {rt}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                ls.start,
                ls.end,
                rs.start,
                rs.end,
                f2(q.exactness),
                q.boilerplate
                    .as_deref()
                    .map(|b| format!("<span class=\"badge\">{}</span> weak evidence", esc(b)))
                    .unwrap_or_default()
            );
        }
        o.push_str("</tbody></table>\n");
    }
    o.push_str("</details>\n");
}

/// A passage to highlight on one side, in character offsets.
struct Mark<'a> {
    span: Span,
    n: usize,
    boilerplate: Option<&'a str>,
    exact: bool,
    tokens: u32,
}

/// Byte offset of every character boundary of `text` (one more than its characters).
fn char_bounds(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// Clamps a character span to a text of `n` characters.
fn clamp(s: Span, n: usize) -> (usize, usize) {
    let start = s.start.min(n);
    (start, s.end.clamp(start, n))
}

/// The whole text in a scrollable box, passages as numbered `<mark>`s (ids `{prefix}{n}`), cues
/// underlined inside them or around them.
fn text_block(
    o: &mut String,
    text: &str,
    mut marks: Vec<Mark>,
    cues: &[CueLine],
    prefix: &str,
    lang: &str,
    notes: &mut Vec<String>,
) {
    let bounds = char_bounds(text);
    let nch = bounds.len() - 1;
    let mut cue_spans: Vec<(usize, usize, &CueLine)> = cues
        .iter()
        .map(|c| {
            let (s, e) = clamp(c.span, nch);
            (s, e, c)
        })
        .filter(|(s, e, _)| s < e)
        .collect();
    cue_spans.sort_by_key(|&(s, e, _)| (s, e));
    marks.sort_by_key(|m| (m.span.start, m.span.end, m.n));
    let _ = write!(o, "<div class=\"txt\" tabindex=\"0\"{lang}>");
    let mut pos = 0;
    for m in &marks {
        if m.span.end > nch || m.span.start > m.span.end {
            notes.push(format!(
                "Passage {} ({}..{}) does not fit a text of {} characters: the report and the text do not match; it is clamped.",
                m.n, m.span.start, m.span.end, nch
            ));
        }
        let (start, end) = clamp(m.span, nch);
        let start = start.max(pos);
        if start >= end {
            notes.push(format!(
                "Passage {} overlaps an earlier passage on this side and is not highlighted again.",
                m.n
            ));
            continue;
        }
        plain(o, text, &bounds, pos, start, &cue_spans);
        let class = match (m.boilerplate, m.exact) {
            (Some(_), _) => "p bp",
            (None, true) => "p",
            (None, false) => "p ne",
        };
        let _ = write!(
            o,
            "<mark class=\"{class}\" id=\"{prefix}{}\" data-n=\"{}\"",
            m.n, m.n
        );
        if let Some(b) = m.boilerplate {
            let _ = write!(o, " data-kind=\"{}\"", esc(b));
        }
        let _ = write!(
            o,
            " title=\"passage {} · {} tokens{}\">",
            m.n,
            m.tokens,
            if m.exact {
                " · verbatim"
            } else {
                " · with edits"
            }
        );
        plain(o, text, &bounds, start, end, &cue_spans);
        o.push_str("</mark>");
        pos = end;
    }
    plain(o, text, &bounds, pos, nch, &cue_spans);
    o.push_str("</div>\n");
}

/// Characters `from..to` of `text`, escaped, cues inside it underlined.
fn plain(
    o: &mut String,
    text: &str,
    bounds: &[usize],
    from: usize,
    to: usize,
    cues: &[(usize, usize, &CueLine)],
) {
    let mut pos = from;
    for &(s, e, c) in cues {
        let (s, e) = (s.max(pos), e.min(to));
        if s >= e {
            continue;
        }
        push_html(o, &text[bounds[pos]..bounds[s]], false);
        let _ = write!(o, "<span class=\"cue\" title=\"{}\">", esc(&cue_label(c)));
        push_html(o, &text[bounds[s]..bounds[e]], false);
        o.push_str("</span>");
        pos = e;
    }
    push_html(o, &text[bounds[pos]..bounds[to]], false);
}

/// An edge from a source outside the corpus: its evidence and the child's cues naming a source.
fn external(o: &mut String, ctx: &Ctx, k: usize, e: &StemmaEdgeLine, name: &str) {
    let _ = writeln!(
        o,
        "<div class=\"card\" id=\"b{k}\"><h4>{} <span class=\"badge\">outside the corpus</span> → {} <span class=\"badge hot\">{} {}</span></h4>",
        id_html(name, 60),
        id_html(&e.child, 60),
        esc(&e.kind),
        f2(e.confidence)
    );
    evidence(o, &e.evidence, None);
    let cues = ctx.doc(&e.child).map(|d| &d.cues[..]).unwrap_or(&[]);
    let naming = cues_naming(cues, name);
    let (list, intro) = if naming.is_empty() {
        (
            cues.iter()
                .filter(|c| c.source.is_some())
                .collect::<Vec<_>>(),
            format!("No cue names {}; cues naming a source:", esc(name)),
        )
    } else {
        (naming, format!("Cues naming {}:", esc(name)))
    };
    if list.is_empty() {
        o.push_str("<p class=\"meta\">No cue in the text names a source.</p>");
    } else {
        let _ = write!(o, "<p class=\"meta\">{intro}</p><ul class=\"cues\">");
        let text = ctx.text(&e.child);
        for c in list {
            let _ = write!(o, "<li><b>{}</b> ", esc(&cue_label(c)));
            match text {
                Some(t) => {
                    let bounds = char_bounds(t);
                    let n = bounds.len() - 1;
                    let (s, end) = clamp(c.span, n);
                    let (cs, ce) = (s.saturating_sub(60), (end + 60).min(n));
                    o.push_str("<span class=\"ctx\">");
                    if cs > 0 {
                        o.push('…');
                    }
                    push_html(o, &t[bounds[cs]..bounds[s]], false);
                    o.push_str("<mark>");
                    push_html(o, &t[bounds[s]..bounds[end]], false);
                    o.push_str("</mark>");
                    push_html(o, &t[bounds[end]..bounds[ce]], false);
                    if ce < n {
                        o.push('…');
                    }
                    o.push_str("</span>");
                }
                None => {
                    let _ = write!(o, "«{}»", esc(&c.text));
                }
            }
            o.push_str("</li>");
        }
        o.push_str("</ul>");
    }
    o.push_str("</div>\n");
}

/// The family's stemma as an SVG graph with a layered layout.
fn svg(o: &mut String, ctx: &Ctx, fi: usize, f: &FamilyLine) {
    const W: f64 = 200.0;
    const H: f64 = 44.0;
    const GAP: f64 = 26.0;
    const VGAP: f64 = 64.0;
    const M: f64 = 14.0;
    enum Kind {
        Doc,
        External,
        Outside,
    }
    let mut keys: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<(String, Kind)> = Vec::new();
    let mut add = |name: &str, kind: Kind, nodes: &mut Vec<(String, Kind)>| -> usize {
        let key = match kind {
            Kind::External => format!("x{name}"),
            _ => format!("d{name}"),
        };
        *keys.entry(key).or_insert_with(|| {
            nodes.push((name.to_string(), kind));
            nodes.len() - 1
        })
    };
    for e in &f.stemma {
        if let Some(x) = e.parent.as_deref().and_then(|p| p.strip_prefix(EXTERNAL)) {
            add(x, Kind::External, &mut nodes);
        }
    }
    for m in &f.members {
        add(m, Kind::Doc, &mut nodes);
    }
    let mut edges = Vec::new();
    for e in &f.stemma {
        let c = add(&e.child, Kind::Outside, &mut nodes);
        if let Some(p) = e.parent.as_deref() {
            let p = match p.strip_prefix(EXTERNAL) {
                Some(x) => add(x, Kind::External, &mut nodes),
                None => add(p, Kind::Outside, &mut nodes),
            };
            edges.push((p, c, e));
        }
    }
    let n = nodes.len();
    // Longest-path layers (Kahn's order); nodes on a cycle go to one extra bottom layer.
    let mut indeg = vec![0usize; n];
    let mut children = vec![Vec::new(); n];
    for &(p, c, _) in &edges {
        if p != c {
            indeg[c] += 1;
            children[p].push(c);
        }
    }
    let mut layer = vec![0usize; n];
    let mut done = vec![false; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    while let Some(u) = queue.pop_front() {
        done[u] = true;
        for &c in &children[u] {
            layer[c] = layer[c].max(layer[u] + 1);
            indeg[c] -= 1;
            if indeg[c] == 0 {
                queue.push_back(c);
            }
        }
    }
    let deepest = (0..n)
        .filter(|&i| done[i])
        .map(|i| layer[i])
        .max()
        .unwrap_or(0);
    for i in 0..n {
        if !done[i] {
            layer[i] = deepest + 1;
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for i in 0..n {
        rows[layer[i]].push(i);
    }
    let widest = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = (widest as f64 * (W + GAP) - GAP).max(W) + 2.0 * M;
    let height = (layers as f64 * (H + VGAP) - VGAP).max(H) + 2.0 * M;
    let mut x = vec![0.0f64; n];
    let mut y = vec![0.0f64; n];
    for (li, row) in rows.iter_mut().enumerate() {
        // Order by the mean x of the parents already placed (barycenter), then first seen.
        let key = |i: usize| {
            let xs: Vec<f64> = edges
                .iter()
                .filter(|&&(p, c, _)| c == i && layer[p] < li)
                .map(|&(p, _, _)| x[p])
                .collect();
            if xs.is_empty() {
                f64::MAX
            } else {
                xs.iter().sum::<f64>() / xs.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = row.iter().map(|&i| (key(i), i)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *row = keyed.into_iter().map(|(_, i)| i).collect();
        let left = (width - (row.len() as f64 * (W + GAP) - GAP)) / 2.0;
        for (j, &i) in row.iter().enumerate() {
            x[i] = left + j as f64 * (W + GAP) + W / 2.0;
            y[i] = M + li as f64 * (H + VGAP);
        }
    }
    let _ = write!(
        o,
        "<div class=\"graph\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"stemma of family {}\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\">\n\
<defs><marker id=\"ah{fi}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#4a5260\"/></marker></defs>\n",
        esc(&f.family)
    );
    // Related pairs that are not stemma edges: faint, undirected, underneath.
    for fp in &f.pairs {
        let (Some(&a), Some(&b)) = (
            keys.get(&format!("d{}", fp.a)),
            keys.get(&format!("d{}", fp.b)),
        ) else {
            continue;
        };
        if edges
            .iter()
            .any(|&(p, c, _)| (p, c) == (a, b) || (p, c) == (b, a))
        {
            continue;
        }
        let _ = writeln!(
            o,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#9aa3b2\" stroke-width=\"1.2\" stroke-dasharray=\"3 4\"><title>related, not a stemma edge: {}</title></line>",
            x[a],
            y[a] + H / 2.0,
            x[b],
            y[b] + H / 2.0,
            esc(&fp.relation)
        );
    }
    for &(p, c, e) in &edges {
        let (x1, y1, x2, y2) = if layer[c] > layer[p] {
            (x[p], y[p] + H, x[c], y[c])
        } else {
            (x[p], y[p], x[c], y[c] + H)
        };
        let dash = match e.kind.as_str() {
            "credited-external-source" => " stroke-dasharray=\"6 4\"",
            "common-source" => " stroke-dasharray=\"2 3\"",
            _ => "",
        };
        let conf = if e.confidence.is_finite() {
            e.confidence.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let _ = writeln!(
            o,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#4a5260\" stroke-width=\"{:.2}\" stroke-opacity=\"{:.2}\"{dash} marker-end=\"url(#ah{fi})\"/>\n\
<text class=\"lab\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} {}</text>",
            1.0 + conf,
            0.45 + 0.55 * conf,
            (x1 + x2) / 2.0,
            (y1 + y2) / 2.0 + 4.0,
            esc(&short(&e.kind, 28)),
            f2(e.confidence)
        );
    }
    for (i, (name, kind)) in nodes.iter().enumerate() {
        let root = f
            .stemma
            .iter()
            .any(|e| e.parent.is_none() && &e.child == name);
        let (fill, stroke, dash, width, sub) = match kind {
            Kind::External => (
                "#f3f4f6",
                "#6b7280",
                " stroke-dasharray=\"5 4\"",
                1.5,
                "outside the corpus".to_string(),
            ),
            Kind::Doc => (
                "#ffffff",
                "#3d4656",
                "",
                if root { 2.6 } else { 1.2 },
                ctx.doc(name)
                    .map(|d| {
                        d.outlet
                            .clone()
                            .or_else(|| d.published_at.clone())
                            .unwrap_or_else(|| plural(d.tokens, "token", "tokens"))
                    })
                    .unwrap_or_default(),
            ),
            Kind::Outside => (
                "#ffffff",
                "#9aa3b2",
                "",
                1.2,
                "not in this family".to_string(),
            ),
        };
        let _ = writeln!(
            o,
            "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{W}\" height=\"{H}\" rx=\"7\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"600\">{}</text><text class=\"sub\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}{}</text></g>",
            esc(name),
            x[i] - W / 2.0,
            y[i],
            x[i],
            y[i] + 18.0,
            esc(&short(name, 27)),
            x[i],
            y[i] + 34.0,
            esc(&short(&sub, 24)),
            if root { " · root" } else { "" }
        );
    }
    o.push_str("</svg></div>\n");
}

/// Related pairs whose documents are not in one family.
fn crossing(o: &mut String, ctx: &Ctx) {
    let cross = ctx.lookup.pairs_across_families();
    if cross.is_empty() {
        return;
    }
    o.push_str("<section id=\"cross\"><h2>Related pairs outside any single family</h2>\n<p class=\"meta\">Kept apart because the other members of their families share nothing with one of them.</p>\n<table><thead><tr><th>a</th><th>b</th><th>relation</th><th class=\"n\">jaccard</th><th class=\"n\">containment a / b</th><th class=\"n\">verbatim a / b</th></tr></thead><tbody>\n");
    for p in cross {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} / {}</td><td class=\"n\">{} / {}</td></tr>",
            id_html(&p.a, 50),
            id_html(&p.b, 50),
            esc(&p.relation),
            f2(p.jaccard),
            f2(p.containment_a_in_b),
            f2(p.containment_b_in_a),
            pct(p.verbatim_coverage_a),
            pct(p.verbatim_coverage_b)
        );
    }
    o.push_str("</tbody></table></section>\n");
}

/// Documents in no family.
fn alone(o: &mut String, ctx: &Ctx) {
    let r = ctx.report;
    let docs: Vec<&DocumentLine> = r
        .documents
        .iter()
        .filter(|d| !ctx.lookup.in_family(&d.id))
        .collect();
    if docs.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<section id=\"alone\"><h2>In no family <span class=\"badge\">{}</span></h2>\n<ul>",
        plural(docs.len(), "document", "documents")
    );
    for d in docs {
        let meta: Vec<String> = [
            d.outlet.as_deref(),
            d.published_at.as_deref(),
            d.title.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(|s| esc(&short(s, 80)))
        .chain(std::iter::once(plural(d.tokens, "token", "tokens")))
        .collect();
        let _ = write!(
            o,
            "<li>{} <span class=\"meta\">{}</span></li>",
            id_html(&d.id, 80),
            meta.join(" · ")
        );
    }
    o.push_str("</ul></section>\n");
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
        assert!(!lower.contains("<script"), "no script element at all");
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
            "defs", "marker", "path", "g", "rect", "text", "line",
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
}
