//! The human summary of a scan, as printed on stdout. Ids are made terminal-safe.
//!
//! It scales with the corpus by listing, not by counting: the counts come first, then the
//! largest families (most members first, report order among equals) up to
//! [`SummaryLimits::families`], each with at most [`SummaryLimits::per_family`] members and
//! pairs, then a line saying how many families were left out. Documents in no family are listed
//! by id only when there are at most [`SummaryLimits::alone`] of them; otherwise they are
//! counted. [`SummaryLimits::all`] lists everything. The order and the cuts depend on the
//! report only, so the summary is deterministic.

use std::fmt::Write as _;

use super::json::{FamilyLine, PairLine, Report};
use super::{terminal_safe, Lookup};

/// How much of a report the summary lists; what is left out is counted. `None` lists all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryLimits {
    /// Families listed, largest first. Default [`SummaryLimits::DEFAULT_TOP`].
    pub families: Option<usize>,
    /// Members, pairs and stemma edges listed per family, and pairs listed across families or
    /// in the index. Default [`SummaryLimits::DEFAULT_PER_FAMILY`].
    pub per_family: Option<usize>,
    /// Documents in no family are listed by id when there are at most this many, else only
    /// counted. Default [`SummaryLimits::DEFAULT_ALONE`].
    pub alone: Option<usize>,
}

impl SummaryLimits {
    /// Families listed by default.
    pub const DEFAULT_TOP: usize = 20;
    /// Members and pairs listed per family by default.
    pub const DEFAULT_PER_FAMILY: usize = 20;
    /// Documents in no family listed by id (when there are no more than this) by default.
    pub const DEFAULT_ALONE: usize = 10;

    /// The defaults with the `n` largest families listed.
    pub fn top(n: usize) -> Self {
        SummaryLimits {
            families: Some(n),
            ..Self::default()
        }
    }

    /// Everything listed.
    pub fn all() -> Self {
        SummaryLimits {
            families: None,
            per_family: None,
            alone: None,
        }
    }
}

impl Default for SummaryLimits {
    fn default() -> Self {
        SummaryLimits {
            families: Some(Self::DEFAULT_TOP),
            per_family: Some(Self::DEFAULT_PER_FAMILY),
            alone: Some(Self::DEFAULT_ALONE),
        }
    }
}

/// The summary with the default [`SummaryLimits`]: counts, then the largest families with
/// their pairs and figures, then related pairs that cross families, then what was not grouped.
pub fn summary(report: &Report) -> String {
    summary_limited(report, &SummaryLimits::default())
}

/// The summary listing what `limits` allows.
pub fn summary_limited(report: &Report, limits: &SummaryLimits) -> String {
    let lookup = Lookup::new(report);
    let order = family_order(report, limits);
    summary_with(report, &lookup, &order, limits)
}

/// Indexes of the families to list: the largest first (report order among equals), cut to
/// `limits.families`.
fn family_order(report: &Report, limits: &SummaryLimits) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.families.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(report.families[i].members.len()));
    if let Some(n) = limits.families {
        order.truncate(n);
    }
    order
}

/// `items` cut to `limit`, and how many were left out.
fn cut<T>(items: &[T], limit: Option<usize>) -> (&[T], usize) {
    let n = limit.map_or(items.len(), |l| l.min(items.len()));
    (&items[..n], items.len() - n)
}

/// The line that says what a list left out, if anything.
fn more(out: &mut String, indent: &str, left: usize, one: &str, many: &str) {
    if left > 0 {
        let _ = writeln!(
            out,
            "{indent}… and {}; --all shows everything",
            count(left, &format!("more {one}"), &format!("more {many}"))
        );
    }
}

fn summary_with(
    report: &Report,
    lookup: &Lookup,
    order: &[usize],
    limits: &SummaryLimits,
) -> String {
    let mut out = String::new();
    let c = &report.config;
    let _ = writeln!(
        out,
        "stemma {}: {}, {}, {}  (shingles {}, {} permutations, near-duplicate threshold {})",
        report.command,
        count(report.documents.len(), "document", "documents"),
        count(report.pairs.len(), "related pair", "related pairs"),
        count(report.families.len(), "family", "families"),
        c.fingerprint.shingle,
        c.fingerprint.num_perm,
        c.relations.near_duplicate
    );
    let i = &report.inputs;
    if i.skipped_files + i.bad_records + i.truncated > 0 {
        let _ = writeln!(
            out,
            "inputs: {} files read, {} skipped (unsupported type), {} bad records skipped, {} documents truncated",
            i.files_read, i.skipped_files, i.bad_records, i.truncated
        );
    }
    let left_out = report.families.len() - order.len();
    if left_out > 0 {
        let _ = writeln!(out, "family sizes: {}", sizes(&report.families));
        let _ = writeln!(
            out,
            "the largest {} of {} follow (--top N lists more, --all everything):",
            order.len(),
            count(report.families.len(), "family", "families")
        );
    }
    for &fi in order {
        let f = &report.families[fi];
        let _ = writeln!(
            out,
            "\nfamily {} ({}){}",
            f.family,
            count(f.members.len(), "document", "documents"),
            if f.capped {
                "  [capped at the size limit: inspect it, it may be boilerplate]"
            } else {
                ""
            }
        );
        let (members, left) = cut(&f.members, limits.per_family);
        for m in members {
            let _ = writeln!(out, "  {}", terminal_safe(m));
        }
        more(&mut out, "  ", left, "member", "members");
        let (pairs, left) = cut(&f.pairs, limits.per_family);
        for fp in pairs {
            if let Some(p) = lookup.pair(&fp.a, &fp.b) {
                pair_line(&mut out, p);
            }
        }
        more(&mut out, "  ", left, "pair", "pairs");
    }
    if left_out > 0 {
        let docs: usize = report
            .families
            .iter()
            .map(|f| f.members.len())
            .sum::<usize>()
            - order
                .iter()
                .map(|&fi| report.families[fi].members.len())
                .sum::<usize>();
        let _ = writeln!(
            out,
            "\n… and {} ({}); --all shows everything",
            count(left_out, "more family", "more families"),
            count(docs, "document", "documents")
        );
    }
    let crossing = lookup.pairs_across_families();
    if !crossing.is_empty() {
        let _ = writeln!(out, "\nrelated pairs outside any single family (kept apart: the other members share nothing):");
        let (shown, left) = cut(&crossing, limits.per_family);
        for p in shown {
            pair_line(&mut out, p);
        }
        more(&mut out, "  ", left, "pair", "pairs");
    }
    if !report.index_matches.is_empty() {
        let _ = writeln!(
            out,
            "\nmatches in the index ({}):",
            report.index_matches.len()
        );
        let (shown, left) = cut(&report.index_matches, limits.per_family);
        for m in shown {
            let _ = writeln!(
                out,
                "  {} ~ index:{}",
                terminal_safe(&m.input),
                terminal_safe(&m.indexed)
            );
            pair_line_figures(&mut out, &m.pair);
        }
        more(&mut out, "  ", left, "match", "matches");
    }
    let alone: Vec<_> = report
        .documents
        .iter()
        .filter(|d| !lookup.in_family(&d.id))
        .collect();
    if !alone.is_empty() {
        let listed = limits.alone.is_none_or(|max| alone.len() <= max);
        let _ = writeln!(
            out,
            "\nin no family: {}{}",
            count(alone.len(), "document", "documents"),
            if listed { "" } else { " (--all lists them)" }
        );
        if listed {
            for d in &alone {
                let _ = writeln!(out, "  {}", terminal_safe(&d.id));
            }
        }
    }
    out
}

/// Family sizes, largest first: "12 (1), 3 (14), 2 (1788)" = size (families of that size).
fn sizes(families: &[FamilyLine]) -> String {
    let mut by_size = std::collections::BTreeMap::new();
    for f in families {
        *by_size.entry(f.members.len()).or_insert(0usize) += 1;
    }
    by_size
        .iter()
        .rev()
        .map(|(size, n)| format!("{size} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pair_line(out: &mut String, p: &PairLine) {
    let _ = writeln!(out, "  {} ~ {}", terminal_safe(&p.a), terminal_safe(&p.b));
    pair_line_figures(out, p);
}

fn pair_line_figures(out: &mut String, p: &PairLine) {
    let _ = writeln!(
        out,
        "    {:<14} jaccard {:.2}  containment {:.2} / {:.2}  verbatim {:.0}% / {:.0}%  longest run {} tokens",
        p.relation,
        p.jaccard,
        p.containment_a_in_b,
        p.containment_b_in_a,
        p.verbatim_coverage_a * 100.0,
        p.verbatim_coverage_b * 100.0,
        p.longest_run_tokens
    );
    if !p.rule.is_empty() {
        let _ = writeln!(
            out,
            "    {:<14} confidence {:.2}: {}",
            "",
            p.confidence,
            terminal_safe(&p.rule)
        );
    }
}

/// The `trace` summary with the default [`SummaryLimits`]: the scan summary, then each listed
/// family's stemma with its evidence and the direction verdict of every pair.
pub fn trace_summary(report: &Report) -> String {
    trace_summary_limited(report, &SummaryLimits::default())
}

/// The `trace` summary listing what `limits` allows (the stemmas of the families listed).
pub fn trace_summary_limited(report: &Report, limits: &SummaryLimits) -> String {
    let lookup = Lookup::new(report);
    let order = family_order(report, limits);
    let mut out = summary_with(report, &lookup, &order, limits);
    for &fi in &order {
        let f = &report.families[fi];
        if f.stemma.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nstemma of family {}:", f.family);
        let (edges, left) = cut(&f.stemma, limits.per_family);
        for e in edges {
            let parent = e
                .parent
                .as_deref()
                .map(terminal_safe)
                .unwrap_or("(none: a root)".into());
            let _ = writeln!(
                out,
                "  {} <- {}  [{}, confidence {:.2}{}]",
                terminal_safe(&e.child),
                parent,
                e.kind,
                e.confidence,
                if e.confidence < 0.4 {
                    ": thin evidence"
                } else {
                    ""
                }
            );
            for ev in e
                .evidence
                .iter()
                .filter(|ev| ev.weight > 0.0 || e.evidence.len() == 1)
                .take(4)
            {
                let _ = writeln!(out, "      - {}", terminal_safe(&ev.reason));
            }
        }
        more(&mut out, "  ", left, "edge", "edges");
        let (pairs, left) = cut(&f.pairs, limits.per_family);
        for fp in pairs {
            let Some(p) = lookup.pair(&fp.a, &fp.b) else {
                continue;
            };
            let Some(d) = &p.direction else { continue };
            let weak = p
                .passages
                .iter()
                .filter(|ps| ps.boilerplate.is_some())
                .count();
            let _ = writeln!(
                out,
                "  {} ~ {}: {} ({} caption/boilerplate), coverage {:.0}% / {:.0}%, direction {} (confidence {:.2})",
                terminal_safe(&p.a),
                terminal_safe(&p.b),
                super::plural(p.passages.len(), "passage", "passages"),
                weak,
                p.passage_coverage_a.unwrap_or(0.0) * 100.0,
                p.passage_coverage_b.unwrap_or(0.0) * 100.0,
                d.verdict,
                d.confidence
            );
        }
        more(&mut out, "  ", left, "pair", "pairs");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_counts_what_it_leaves_out() {
        let v = [1, 2, 3];
        assert_eq!(cut(&v, Some(2)), (&v[..2], 1));
        assert_eq!(cut(&v, Some(5)), (&v[..], 0));
        assert_eq!(cut(&v, None), (&v[..], 0));
        assert_eq!(cut(&v, Some(0)), (&v[..0], 3));
    }

    #[test]
    fn limits_default_and_all() {
        let d = SummaryLimits::default();
        assert_eq!(d.families, Some(SummaryLimits::DEFAULT_TOP));
        assert_eq!(SummaryLimits::top(5).families, Some(5));
        assert_eq!(SummaryLimits::top(5).alone, d.alone);
        assert_eq!(SummaryLimits::all().families, None);
    }
}
