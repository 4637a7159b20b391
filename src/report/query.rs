//! The report of a query against an index: what `stemma query` prints and writes.
//!
//! # Schema `stemma.query`, version 1
//!
//! `--json` writes one JSON object per match (JSONL), each self-describing:
//!
//! ```text
//! { "schema": "stemma.query", "schema_version": 1,
//!   "query", "indexed",                  // ids: the query document, the indexed document
//!   "a", "b",                            // the same two ids ordered as scan orders a pair
//!   "relation", "jaccard", "containment_a_in_b", "containment_b_in_a", "estimated_jaccard",
//!   "simhash_distance", "shared_shingles", "bigram_containment_a_in_b",
//!   "bigram_containment_b_in_a", "idf_bigram_containment_a_in_b",
//!   "idf_bigram_containment_b_in_a", "verbatim_coverage_a", "verbatim_coverage_b",
//!   "longest_run_tokens", "tokens_a", "tokens_b", "sources", "confidence", "rule",
//!   "passages"?: [ { "a_tokens": [start, end], "b_tokens": [start, end], "exactness" } ],
//!   "direction"?: { "verdict", "confidence", "evidence": [ { "signal", "favors", "weight", "reason" } ] } }
//! ```
//!
//! The figures carry scan's `--pairs` names and are rounded to 4 decimals as scan rounds them.
//! `passages` and `direction` are present when the index stores texts and tracing was asked
//! for. Fields are only ever added within a schema version; removing or renaming one bumps it.
//!
//! [`query_report`] runs the query and builds the report; [`summary`] renders the human text
//! and [`write_jsonl`] the JSON lines. Both are pure functions of the report.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::{round4, terminal_safe};
use crate::config::Config;
use crate::corpus::{Document, Origin};
use crate::error::Result;
use crate::index::query::query;
use crate::index::Index;
use crate::provenance::compare;
use crate::provenance::cues::AgencyTable;
use crate::relate::PairFigures;

/// Schema name of each `--json` line.
pub const SCHEMA: &str = "stemma.query";
/// Schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report of one query run.
///
/// ```
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::report::query::write_jsonl;
/// use stemma::{index, query_report, Config, Document, Index};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-query-report-{}", std::process::id()));
/// let _ = std::fs::remove_dir_all(&dir);
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// index::build(&dir, &[Document::new("agency", story)], &Config::default(), false)?;
/// let index = Index::open(&dir)?;
/// let queries = [Document::new("q", &format!("{story} More on page two."))];
/// let report = query_report(&index, &queries, &index.settings(), &AgencyTable::builtin(), false)?;
/// let mut jsonl = Vec::new();
/// write_jsonl(&report, &mut jsonl)?;
/// assert!(String::from_utf8(jsonl)?.contains(r#""schema":"stemma.query""#));
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryReport {
    /// Live documents in the index.
    pub indexed_documents: u64,
    /// One entry per query document, in input order.
    pub queries: Vec<QueryOutcome>,
}

/// One query document and its matches.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryOutcome {
    /// The query document's id.
    pub id: String,
    /// Its token count.
    pub tokens: usize,
    /// Its related indexed documents.
    pub matches: Vec<MatchLine>,
}

/// A passage of a match (token ranges in `a` and `b`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageOut {
    /// Token range in `a`.
    pub a_tokens: [u32; 2],
    /// Token range in `b`.
    pub b_tokens: [u32; 2],
    /// Share of exactly matched tokens.
    pub exactness: f64,
}

/// A piece of direction evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceOut {
    /// The signal (`credit`, `date`, ...).
    pub signal: String,
    /// Which way it points.
    pub favors: String,
    /// Its weight.
    pub weight: f64,
    /// In words.
    pub reason: String,
}

/// The direction verdict of a match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectionOut {
    /// `a-from-b`, `b-from-a`, `common-source` or `undetermined`.
    pub verdict: String,
    /// Its confidence.
    pub confidence: f64,
    /// The evidence.
    pub evidence: Vec<EvidenceOut>,
}

/// One match: one line of `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchLine {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The query document's id.
    pub query: String,
    /// The indexed document's id.
    pub indexed: String,
    /// The pair's first id, as scan orders it.
    pub a: String,
    /// The pair's second id.
    pub b: String,
    /// The relation.
    pub relation: String,
    /// Figures, as in scan's `--pairs`.
    pub jaccard: f64,
    /// Figures.
    pub containment_a_in_b: f64,
    /// Figures.
    pub containment_b_in_a: f64,
    /// Figures.
    pub estimated_jaccard: f64,
    /// Figures.
    pub simhash_distance: u32,
    /// Figures.
    pub shared_shingles: usize,
    /// Figures.
    pub bigram_containment_a_in_b: f64,
    /// Figures.
    pub bigram_containment_b_in_a: f64,
    /// Figures: A's bigram containment in B, each bigram weighted by its idf.
    #[serde(default)]
    pub idf_bigram_containment_a_in_b: f64,
    /// Figures: B's idf-weighted bigram containment in A.
    #[serde(default)]
    pub idf_bigram_containment_b_in_a: f64,
    /// Figures.
    pub verbatim_coverage_a: f64,
    /// Figures.
    pub verbatim_coverage_b: f64,
    /// Figures.
    pub longest_run_tokens: usize,
    /// Figures.
    pub tokens_a: usize,
    /// Figures.
    pub tokens_b: usize,
    /// Which candidate generators proposed the pair.
    pub sources: Vec<String>,
    /// Probability in [0, 1] that the pair is reuse, as in scan's pair lines.
    #[serde(default)]
    pub confidence: f64,
    /// The rule that decided the relation, with the figures it read.
    #[serde(default)]
    pub rule: String,
    /// Aligned passages (texts stored, tracing asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passages: Option<Vec<PassageOut>>,
    /// Direction (texts stored, tracing asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<DirectionOut>,
    /// The unrounded figures and direction confidence, for the summary.
    #[serde(skip)]
    raw: Option<(PairFigures, f64)>,
}

/// Queries `index` with `docs` and builds the report. With `trace` (and texts stored in the
/// index), each match also gets its aligned passages and direction evidence
/// ([`compare`] on the two texts).
///
/// ```
/// use stemma::report::query::{query_report, summary};
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{index, Config, Document, Index};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-query-{}", std::process::id()));
/// let _ = std::fs::remove_dir_all(&dir);
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let config = Config::default();
/// index::build(&dir, &[Document::new("agency", story)], &config, true).unwrap();
/// let index = Index::open(&dir).unwrap();
/// let query = [Document::new("outlet", &format!("(Outlet) - {story}"))];
/// let report = query_report(&index, &query, &index.settings(), &AgencyTable::builtin(), true)
///     .unwrap();
/// assert_eq!(report.queries[0].matches[0].indexed, "agency");
/// assert!(summary(&report).contains("~ agency"));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn query_report(
    index: &Index,
    docs: &[Document],
    config: &Config,
    agencies: &AgencyTable,
    trace: bool,
) -> Result<QueryReport> {
    let results = query(index, docs, config)?;
    let mut queries = Vec::with_capacity(results.len());
    for r in results {
        let q = &docs[r.input_index];
        let mut matches = Vec::with_capacity(r.matches.len());
        for m in r.matches {
            let f = &m.figures;
            let (a, b) = if m.query_is_a {
                (r.id.clone(), m.id.clone())
            } else {
                (m.id.clone(), r.id.clone())
            };
            let (mut passages, mut direction, mut confidence) = (None, None, 0.0);
            if let (Some(xt), true) = (&m.text, trace) {
                let x = Document {
                    id: m.id.clone(),
                    text: xt.clone(),
                    meta: m.meta.clone(),
                    origin: Origin {
                        path: index.dir.join(&m.id),
                        line: None,
                    },
                };
                let (da, db) = if m.query_is_a { (q, &x) } else { (&x, q) };
                let c = compare(da, db, config, agencies);
                let d = &c.trace.direction;
                confidence = d.confidence;
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
                    verdict: d.verdict.as_str().to_string(),
                    confidence: round4(d.confidence),
                    evidence: d
                        .evidence
                        .iter()
                        .map(|e| EvidenceOut {
                            signal: e.signal.to_string(),
                            favors: e.favors.as_str().to_string(),
                            weight: round4(e.weight),
                            reason: e.reason.clone(),
                        })
                        .collect(),
                });
            }
            matches.push(MatchLine {
                schema: SCHEMA.to_string(),
                schema_version: SCHEMA_VERSION,
                query: r.id.clone(),
                indexed: m.id.clone(),
                a,
                b,
                relation: m.relation.as_str().to_string(),
                jaccard: round4(f.jaccard),
                containment_a_in_b: round4(f.containment_a_in_b),
                containment_b_in_a: round4(f.containment_b_in_a),
                estimated_jaccard: round4(m.estimated_jaccard),
                simhash_distance: m.simhash_distance,
                shared_shingles: f.shared_shingles,
                bigram_containment_a_in_b: round4(f.bigram_containment_a_in_b),
                bigram_containment_b_in_a: round4(f.bigram_containment_b_in_a),
                idf_bigram_containment_a_in_b: round4(f.idf_bigram_containment_a_in_b),
                idf_bigram_containment_b_in_a: round4(f.idf_bigram_containment_b_in_a),
                verbatim_coverage_a: round4(f.verbatim_coverage_a()),
                verbatim_coverage_b: round4(f.verbatim_coverage_b()),
                longest_run_tokens: f.longest_run_tokens,
                tokens_a: f.tokens_a,
                tokens_b: f.tokens_b,
                sources: m.sources.names().into_iter().map(String::from).collect(),
                confidence: round4(m.confidence),
                rule: m.rule.clone(),
                passages,
                direction,
                raw: Some((m.figures.clone(), confidence)),
            });
        }
        queries.push(QueryOutcome {
            id: r.id,
            tokens: r.tokens,
            matches,
        });
    }
    Ok(QueryReport {
        indexed_documents: index.live(),
        queries,
    })
}

/// The human summary: per query document its matches, their relation and figures (and with
/// tracing, passages and direction).
pub fn summary(report: &QueryReport) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "stemma query: {} query documents against {} indexed documents",
        report.queries.len(),
        report.indexed_documents
    );
    for q in &report.queries {
        let _ = writeln!(
            text,
            "\n{} ({} tokens): {}",
            terminal_safe(&q.id),
            q.tokens,
            super::plural(q.matches.len(), "match", "matches")
        );
        for m in &q.matches {
            // The unrounded figures when the report was built here; the rounded ones when it
            // was read back.
            let (jaccard, cab, cba, va, vb, confidence) = match &m.raw {
                Some((f, c)) => (
                    f.jaccard,
                    f.containment_a_in_b,
                    f.containment_b_in_a,
                    f.verbatim_coverage_a(),
                    f.verbatim_coverage_b(),
                    *c,
                ),
                None => (
                    m.jaccard,
                    m.containment_a_in_b,
                    m.containment_b_in_a,
                    m.verbatim_coverage_a,
                    m.verbatim_coverage_b,
                    m.direction.as_ref().map_or(0.0, |d| d.confidence),
                ),
            };
            let _ = writeln!(
                text,
                "  ~ {}\n    {}  jaccard {:.2}  containment {:.2} / {:.2}  verbatim {:.0}% / {:.0}%  longest run {} tokens",
                terminal_safe(&m.indexed),
                m.relation,
                jaccard,
                cab,
                cba,
                va * 100.0,
                vb * 100.0,
                m.longest_run_tokens
            );
            if let (Some(passages), Some(d)) = (&m.passages, &m.direction) {
                let _ = writeln!(
                    text,
                    "    {}; direction {} (confidence {:.2})",
                    super::plural(passages.len(), "passage", "passages"),
                    d.verdict,
                    confidence
                );
            }
        }
    }
    text
}

/// Writes one JSON line per match, in report order.
pub fn write_jsonl(report: &QueryReport, w: &mut dyn Write) -> io::Result<()> {
    for m in report.queries.iter().flat_map(|q| &q.matches) {
        serde_json::to_writer(&mut *w, m)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
