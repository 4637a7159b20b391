//! Two documents side by side, as `stemma compare` prints them: figures, relation (or why
//! there is none), aligned passages with a snippet of each side, cues and direction evidence.
//!
//! A pure function of the two documents and their [`Comparison`]; document text and ids are
//! made safe for a terminal ([`terminal_safe`]).

use std::fmt::Write as _;

use super::terminal_safe;
use crate::config::Config;
use crate::corpus::Document;
use crate::provenance::Comparison;
use crate::relate::shortfalls;

/// Renders a comparison of `a` and `b` (from [`compare`](crate::compare)) as text.
/// `width`: characters shown of each side of a passage (at least 10). `config` gives the
/// thresholds named by the "why not related" line.
///
/// ```
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{compare, render_comparison, Config, Document};
///
/// let a = Document::new("a", "The minister said on Friday that the new bridge will open in March.");
/// let b = Document::new("b", "Rain is expected over the hills for most of the coming week.");
/// let config = Config::default();
/// let c = compare(&a, &b, &config, &AgencyTable::builtin());
/// let text = render_comparison(&a, &b, &c, &config, 60);
/// assert!(text.contains("relation: none"));
/// assert!(text.contains("why not related:"));
/// ```
pub fn render(a: &Document, b: &Document, c: &Comparison, config: &Config, width: usize) -> String {
    let f = &c.figures;
    let mut out = String::new();
    let _ = writeln!(out, "A: {} ({} tokens)", terminal_safe(&a.id), f.tokens_a);
    let _ = writeln!(out, "B: {} ({} tokens)", terminal_safe(&b.id), f.tokens_b);
    let _ = writeln!(
        out,
        "relation: {}\njaccard {:.3}  containment A in B {:.3}  B in A {:.3}  bigram containment {:.3} / {:.3}\nverbatim {:.0}% / {:.0}%  longest run {} tokens",
        c.relation.map_or("none", |r| r.as_str()),
        f.jaccard,
        f.containment_a_in_b,
        f.containment_b_in_a,
        f.bigram_containment_a_in_b,
        f.bigram_containment_b_in_a,
        f.verbatim_coverage_a() * 100.0,
        f.verbatim_coverage_b() * 100.0,
        f.longest_run_tokens
    );
    if c.relation.is_none() {
        let _ = writeln!(out, "{}", why_not_related(c, config));
    }
    let al = &c.trace.alignment;
    let _ = writeln!(
        out,
        "\n{}, covering {:.0}% of A and {:.0}% of B{}",
        super::plural(al.passages.len(), "passage", "passages"),
        al.coverage_a * 100.0,
        al.coverage_b * 100.0,
        if al.truncated { " (capped)" } else { "" }
    );
    let w = width.max(10);
    for (i, (p, mark)) in al.passages.iter().zip(&c.trace.marks).enumerate() {
        let snippet = |text: &str, r: crate::align::Range32| {
            let s = &text[r.start as usize..r.end as usize];
            let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let cut: String = flat.chars().take(w).collect();
            let cut = if flat.chars().count() > w {
                format!("{cut}…")
            } else {
                cut
            };
            terminal_safe(&cut).into_owned()
        };
        let _ = writeln!(
            out,
            "  #{:<3} {:>4} tokens, exactness {:.2}{}\n       A: {}\n       B: {}",
            i + 1,
            p.a_tokens.end - p.a_tokens.start,
            p.exactness,
            mark.map(|m| format!(" [{}]", m.as_str()))
                .unwrap_or_default(),
            snippet(&a.text, p.a_bytes),
            snippet(&b.text, p.b_bytes)
        );
    }
    for (label, cues) in [("A", &c.cues[0]), ("B", &c.cues[1])] {
        if cues.is_empty() {
            continue;
        }
        let list: Vec<String> = cues
            .iter()
            .map(|cue| {
                let kind = serde_json::to_value(&cue.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                format!("{kind} \"{}\"", terminal_safe(&cue.text))
            })
            .collect();
        let _ = writeln!(out, "\ncues in {label}: {}", list.join(", "));
    }
    let d = &c.trace.direction;
    let _ = writeln!(
        out,
        "\ndirection: {} (confidence {:.2})",
        d.verdict.as_str(),
        d.confidence
    );
    for e in &d.evidence {
        let _ = writeln!(
            out,
            "  [{} {:.2} -> {}] {}",
            e.signal,
            e.weight,
            e.favors.as_str(),
            terminal_safe(&e.reason)
        );
    }
    out
}

/// The "why not related" line of an unrelated pair: each rule it fell short of, closest
/// first, with the pair's figure, what the rule needs and the gap.
pub(crate) fn why_not_related(c: &Comparison, config: &Config) -> String {
    let f = &c.figures;
    if f.tokens_a == 0 || f.tokens_b == 0 {
        return "why not related: an empty text relates to nothing".to_string();
    }
    // `compare` judges two texts alone: without corpus statistics.
    let rules: Vec<String> = shortfalls(f, &config.relations, false)
        .iter()
        .map(|s| {
            // Token counts are whole numbers; the other figures are ratios.
            let counts = s.figure.contains("tokens");
            let number = |x: f64| {
                if counts {
                    format!("{x:.0}")
                } else {
                    format!("{x:.3}")
                }
            };
            format!(
                "{} needs {} >= {}, has {} (short by {})",
                s.relation,
                s.figure,
                number(s.needed),
                number(s.value),
                number(s.gap())
            )
        })
        .collect();
    format!("why not related: {}", rules.join("; "))
}
