//! Draws a [`super::layout::Layout`] as an inline SVG: related pairs that are not stemma edges
//! as faint dashed lines underneath, stemma edges as arrows labelled with kind and confidence
//! (dashed for a credited outside source, dotted for a common source), then the boxes (dashed
//! grey for sources outside the corpus, a heavier border for roots). Every label is escaped.

use std::fmt::Write as _;

use super::layout::{layout, Kind, H, W};
use super::*;

/// The family's stemma as an SVG graph with a layered layout.
pub(super) fn svg(o: &mut String, ctx: &Ctx, fi: usize, f: &FamilyLine) {
    let l = layout(f);
    let (width, height) = (l.width, l.height);
    let _ = write!(
        o,
        "<div class=\"graph\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"stemma of family {}\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\">\n\
<defs><marker id=\"ah{fi}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#4a5260\"/></marker></defs>\n",
        esc(&f.family)
    );
    // Related pairs that are not stemma edges: faint, undirected, underneath.
    for fp in &f.pairs {
        let (Some(a), Some(b)) = (l.doc(&fp.a), l.doc(&fp.b)) else {
            continue;
        };
        if l.edges
            .iter()
            .any(|&(p, c, _)| (p, c) == (a, b) || (p, c) == (b, a))
        {
            continue;
        }
        let (a, b) = (&l.nodes[a], &l.nodes[b]);
        let _ = writeln!(
            o,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#9aa3b2\" stroke-width=\"1.2\" stroke-dasharray=\"3 4\"><title>related, not a stemma edge: {}</title></line>",
            a.x,
            a.y + H / 2.0,
            b.x,
            b.y + H / 2.0,
            esc(&fp.relation)
        );
    }
    for &(p, c, e) in &l.edges {
        let (p, c) = (&l.nodes[p], &l.nodes[c]);
        let (x1, y1, x2, y2) = if c.layer > p.layer {
            (p.x, p.y + H, c.x, c.y)
        } else {
            (p.x, p.y, c.x, c.y + H)
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
    for node in &l.nodes {
        let name = &node.name;
        let root = f
            .stemma
            .iter()
            .any(|e| e.parent.is_none() && &e.child == name);
        let (fill, stroke, dash, width, sub) = match node.kind {
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
            node.x - W / 2.0,
            node.y,
            node.x,
            node.y + 18.0,
            esc(&short(name, 27)),
            node.x,
            node.y + 34.0,
            esc(&short(&sub, 24)),
            if root { " · root" } else { "" }
        );
    }
    o.push_str("</svg></div>\n");
}
