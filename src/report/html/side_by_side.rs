//! A pair compared: its figures, direction verdict and evidence, then the two texts side by
//! side with the shared passages highlighted and numbered alike on both sides (captions and
//! boilerplate weaker), cues underlined, and the table of passages.

use std::fmt::Write as _;

use super::family::{cue_label, evidence, verdict_html};
use super::*;

/// One side of a comparison.
#[allow(clippy::too_many_arguments)]
pub(super) fn compare(
    o: &mut String,
    ctx: &Ctx,
    k: usize,
    p: &PairLine,
    swapped: bool,
    edge: Option<&StemmaEdgeLine>,
    open: bool,
) {
    let (l, r) = crate::report::pair_sides(p, swapped);
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
pub(super) struct Mark<'a> {
    span: Span,
    n: usize,
    boilerplate: Option<&'a str>,
    exact: bool,
    tokens: u32,
}

/// Byte offset of every character boundary of `text` (one more than its characters).
pub(super) fn char_bounds(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// Clamps a character span to a text of `n` characters.
pub(super) fn clamp(s: Span, n: usize) -> (usize, usize) {
    let start = s.start.min(n);
    (start, s.end.clamp(start, n))
}

/// The whole text in a scrollable box, passages as numbered `<mark>`s (ids `{prefix}{n}`), cues
/// underlined inside them or around them.
pub(super) fn text_block(
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
pub(super) fn plain(
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
