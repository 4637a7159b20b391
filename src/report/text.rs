//! The human summary of a scan, as printed on stdout. Ids are made terminal-safe.

use std::fmt::Write as _;

use super::json::Report;
use super::{terminal_safe, Lookup};

/// The summary: counts, then each family with its pairs and figures, then related pairs that
/// cross families, then what was not grouped.
pub fn summary(report: &Report) -> String {
    summary_with(report, &Lookup::new(report))
}

fn summary_with(report: &Report, lookup: &Lookup) -> String {
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
    for f in &report.families {
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
        for m in &f.members {
            let _ = writeln!(out, "  {}", terminal_safe(m));
        }
        for fp in &f.pairs {
            if let Some(p) = lookup.pair(&fp.a, &fp.b) {
                pair_line(&mut out, p);
            }
        }
    }
    let crossing = lookup.pairs_across_families();
    if !crossing.is_empty() {
        let _ = writeln!(out, "\nrelated pairs outside any single family (kept apart: the other members share nothing):");
        for p in crossing {
            pair_line(&mut out, p);
        }
    }
    if !report.index_matches.is_empty() {
        let _ = writeln!(
            out,
            "\nmatches in the index ({}):",
            report.index_matches.len()
        );
        for m in &report.index_matches {
            let _ = writeln!(
                out,
                "  {} ~ index:{}",
                terminal_safe(&m.input),
                terminal_safe(&m.indexed)
            );
            pair_line_figures(&mut out, &m.pair);
        }
    }
    let alone: Vec<_> = report
        .documents
        .iter()
        .filter(|d| !lookup.in_family(&d.id))
        .collect();
    if !alone.is_empty() {
        let _ = writeln!(
            out,
            "\nin no family: {}",
            count(alone.len(), "document", "documents")
        );
        for d in alone.iter().take(20) {
            let _ = writeln!(out, "  {}", terminal_safe(&d.id));
        }
        if alone.len() > 20 {
            let _ = writeln!(out, "  ... and {} more", alone.len() - 20);
        }
    }
    out
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pair_line(out: &mut String, p: &super::json::PairLine) {
    let _ = writeln!(out, "  {} ~ {}", terminal_safe(&p.a), terminal_safe(&p.b));
    pair_line_figures(out, p);
}

fn pair_line_figures(out: &mut String, p: &super::json::PairLine) {
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

/// The `trace` summary: the scan summary, then each family's stemma with its evidence and the
/// direction verdict of every pair.
pub fn trace_summary(report: &Report) -> String {
    let lookup = Lookup::new(report);
    let mut out = summary_with(report, &lookup);
    for f in &report.families {
        if f.stemma.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nstemma of family {}:", f.family);
        for e in &f.stemma {
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
        for fp in &f.pairs {
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
                "  {} ~ {}: {} passages ({} caption/boilerplate), coverage {:.0}% / {:.0}%, direction {} (confidence {:.2})",
                terminal_safe(&p.a),
                terminal_safe(&p.b),
                p.passages.len(),
                weak,
                p.passage_coverage_a.unwrap_or(0.0) * 100.0,
                p.passage_coverage_b.unwrap_or(0.0) * 100.0,
                d.verdict,
                d.confidence
            );
        }
    }
    out
}
