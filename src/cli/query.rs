//! `stemma query IDX INPUT...`: relate each query document to the documents of an index, with
//! the relation and figures `scan` would give the pair; where the index stores texts, also the
//! aligned passages and direction evidence (`stemma::provenance::compare`).
//!
//! Output: a summary per query document on stdout; `--json FILE` writes one JSON object per
//! match (`query`, `indexed`, `a`, `b`, `relation`, the figures under scan's `--pairs` names
//! and rounded to 4 decimals as scan rounds them, `sources`, and with texts `passages` and
//! `direction`).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use stemma::corpus::{read_inputs, Document};
use stemma::index::query::query;
use stemma::index::Index;
use stemma::output::write_atomic_compressed;
use stemma::provenance::compare;
use stemma::provenance::cues::AgencyTable;
use stemma::report::{round4, terminal_safe};

use super::{InputArgs, MatchArgs};

/// Arguments of `stemma query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    index: PathBuf,
    /// Query documents: files, directories, JSONL, or `-`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Write one JSON line per match.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Skip passages and direction (faster; figures only).
    #[arg(long)]
    no_trace: bool,
    /// Do not print the summary (printed on standard error when --json is `-`).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

#[derive(Debug, Serialize)]
struct PassageOut {
    a_tokens: [u32; 2],
    b_tokens: [u32; 2],
    exactness: f64,
}

#[derive(Debug, Serialize)]
struct EvidenceOut {
    signal: &'static str,
    favors: &'static str,
    weight: f64,
    reason: String,
}

#[derive(Debug, Serialize)]
struct DirectionOut {
    verdict: &'static str,
    confidence: f64,
    evidence: Vec<EvidenceOut>,
}

#[derive(Debug, Serialize)]
struct MatchLine {
    query: String,
    indexed: String,
    a: String,
    b: String,
    relation: &'static str,
    jaccard: f64,
    containment_a_in_b: f64,
    containment_b_in_a: f64,
    estimated_jaccard: f64,
    simhash_distance: u32,
    shared_shingles: usize,
    bigram_containment_a_in_b: f64,
    bigram_containment_b_in_a: f64,
    verbatim_coverage_a: f64,
    verbatim_coverage_b: f64,
    longest_run_tokens: usize,
    tokens_a: usize,
    tokens_b: usize,
    sources: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passages: Option<Vec<PassageOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<DirectionOut>,
}

/// Runs `stemma query`.
pub fn run(args: QueryArgs) -> Result<i32> {
    let data_on_stdout = super::check_outputs(&[("--json", args.json.as_deref())])?;
    args.matching.init_threads()?;
    let index = Index::open(&args.index)?;
    let config = args.matching.config_for_index(&index.manifest)?;
    index.check_config(&config)?;
    let read = read_inputs(&args.inputs, &args.input.read_options())?;
    let results = query(&index, &read.documents, &config)?;
    let agencies = AgencyTable::builtin();
    let mut lines = Vec::new();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "stemma query: {} query documents against {} indexed documents",
        results.len(),
        index.live()
    );
    for r in &results {
        let q = &read.documents[r.input_index];
        let _ = writeln!(
            text,
            "\n{} ({} tokens): {} matches",
            terminal_safe(&r.id),
            r.tokens,
            r.matches.len()
        );
        for m in &r.matches {
            let f = &m.figures;
            let (a, b) = if m.query_is_a {
                (r.id.clone(), m.id.clone())
            } else {
                (m.id.clone(), r.id.clone())
            };
            let _ = writeln!(
                text,
                "  ~ {}\n    {}  jaccard {:.2}  containment {:.2} / {:.2}  verbatim {:.0}% / {:.0}%  longest run {} tokens",
                terminal_safe(&m.id),
                m.relation,
                f.jaccard,
                f.containment_a_in_b,
                f.containment_b_in_a,
                f.verbatim_coverage_a() * 100.0,
                f.verbatim_coverage_b() * 100.0,
                f.longest_run_tokens
            );
            let (mut passages, mut direction) = (None, None);
            if let (Some(xt), false) = (&m.text, args.no_trace) {
                let x = Document {
                    id: m.id.clone(),
                    text: xt.clone(),
                    meta: m.meta.clone(),
                    origin: stemma::Origin {
                        path: args.index.join(&m.id),
                        line: None,
                    },
                };
                let (da, db) = if m.query_is_a { (q, &x) } else { (&x, q) };
                let c = compare(da, db, &config, &agencies);
                let d = &c.trace.direction;
                let _ = writeln!(
                    text,
                    "    {} passages; direction {} (confidence {:.2})",
                    c.trace.alignment.passages.len(),
                    d.verdict.as_str(),
                    d.confidence
                );
                passages = Some(
                    c.trace
                        .alignment
                        .passages
                        .iter()
                        .map(|p| PassageOut {
                            a_tokens: [p.a_tokens.start, p.a_tokens.end],
                            b_tokens: [p.b_tokens.start, p.b_tokens.end],
                            exactness: round4(p.exactness),
                        })
                        .collect(),
                );
                direction = Some(DirectionOut {
                    verdict: d.verdict.as_str(),
                    confidence: round4(d.confidence),
                    evidence: d
                        .evidence
                        .iter()
                        .map(|e| EvidenceOut {
                            signal: e.signal,
                            favors: e.favors.as_str(),
                            weight: round4(e.weight),
                            reason: e.reason.clone(),
                        })
                        .collect(),
                });
            }
            lines.push(MatchLine {
                query: r.id.clone(),
                indexed: m.id.clone(),
                a,
                b,
                relation: m.relation.as_str(),
                jaccard: round4(f.jaccard),
                containment_a_in_b: round4(f.containment_a_in_b),
                containment_b_in_a: round4(f.containment_b_in_a),
                estimated_jaccard: round4(m.estimated_jaccard),
                simhash_distance: m.simhash_distance,
                shared_shingles: f.shared_shingles,
                bigram_containment_a_in_b: round4(f.bigram_containment_a_in_b),
                bigram_containment_b_in_a: round4(f.bigram_containment_b_in_a),
                verbatim_coverage_a: round4(f.verbatim_coverage_a()),
                verbatim_coverage_b: round4(f.verbatim_coverage_b()),
                longest_run_tokens: f.longest_run_tokens,
                tokens_a: f.tokens_a,
                tokens_b: f.tokens_b,
                sources: m.sources.names(),
                passages,
                direction,
            });
        }
    }
    if let Some(path) = &args.json {
        write_atomic_compressed(path, |w| {
            for l in &lines {
                serde_json::to_writer(&mut *w, l)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    if !args.quiet {
        super::print_summary(&text, data_on_stdout)?;
    }
    Ok(0)
}
