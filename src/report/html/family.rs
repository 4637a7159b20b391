//! One family section: its stemma graph, the members table, the stemma edges with their
//! strongest evidence, then one block per edge or pair (a side-by-side comparison, a root, an
//! edge from a source outside the corpus with the cues that name it).

use std::fmt::Write as _;

use super::side_by_side::{char_bounds, clamp, compare};
use super::svg::svg;
use super::*;

/// What one family section shows after its tables, in order.
pub(super) enum Block<'a> {
    Root(&'a StemmaEdgeLine),
    External(&'a StemmaEdgeLine, &'a str),
    Compare {
        pair: &'a PairLine,
        swapped: bool,
        edge: Option<&'a StemmaEdgeLine>,
    },
    Unpaired(&'a StemmaEdgeLine, &'a str),
}

/// The section of family `fi`: a `<details>`, open when `open`; closed, its body is kept as
/// inert text until opened ([`super::lazy`]), and `data-b` gives the range of its block
/// numbers so the page's script can find the section a `#b12` link points into.
pub(super) fn family(
    o: &mut String,
    ctx: &Ctx,
    fi: usize,
    f: &FamilyLine,
    counter: &mut usize,
    open: bool,
) {
    let first = *counter + 1;
    let mut body = String::new();
    family_body(&mut body, ctx, fi, f, counter);
    let lazy = !open && lazy::can_wrap(&body);
    let blocks = if lazy && *counter >= first {
        format!(" data-b=\"{first} {}\"", *counter)
    } else {
        String::new()
    };
    let _ = write!(
        o,
        "<details class=\"family\" id=\"fam{fi}\"{}{blocks}>\n<summary><h2>Family {} <span class=\"badge\">{}</span>{}</h2></summary>\n",
        if open { " open" } else { "" },
        esc(&f.family),
        plural(f.members.len(), "document", "documents"),
        if f.capped {
            " <span class=\"badge hot\">capped at the size limit: may be boilerplate or a template</span>"
        } else {
            ""
        }
    );
    lazy::body(o, &body, lazy);
    o.push_str("</details>\n");
}

/// What a family section shows below its summary: graph, members, stemma table, blocks.
fn family_body(o: &mut String, ctx: &Ctx, fi: usize, f: &FamilyLine, counter: &mut usize) {
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
}

pub(super) fn parent_html(p: Option<&str>) -> String {
    match p {
        None => "<span class=\"meta\">(root)</span>".to_string(),
        Some(p) if p.starts_with(EXTERNAL) => format!(
            "{} <span class=\"badge\">outside the corpus</span>",
            id_html(&p[EXTERNAL.len()..], 40)
        ),
        Some(p) => id_html(p, 40),
    }
}

pub(super) fn cue_label(c: &CueLine) -> String {
    let mut s = c.kind.clone();
    if let Some(src) = &c.source {
        let _ = write!(s, " → {src}");
    }
    if let Some(v) = &c.value {
        let _ = write!(s, " = {v}");
    }
    s
}

pub(super) fn members_table(o: &mut String, ctx: &Ctx, f: &FamilyLine) {
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
pub(super) fn evidence(o: &mut String, ev: &[EvidenceLine], ab: Option<(&str, &str)>) {
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

pub(super) fn verdict_html(p: &PairLine) -> Option<String> {
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

/// An edge from a source outside the corpus: its evidence and the child's cues naming a source.
pub(super) fn external(o: &mut String, ctx: &Ctx, k: usize, e: &StemmaEdgeLine, name: &str) {
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
