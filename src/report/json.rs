//! The JSON report and the JSONL outputs.
//!
//! # Schema `stemma.analysis`, version 1
//!
//! ```text
//! {
//!   "schema": "stemma.analysis", "schema_version": 1, "stemma_version": "0.1.0",
//!   "command": "scan",
//!   "config": { ...the whole Config... },
//!   "inputs": { "documents", "files_read", "skipped_files", "bad_records", "truncated", "warnings": [..] },
//!   "documents": [ { "id", "origin", "tokens", "shingles", "family"?, "outlet"?, "url"?, "title"?,
//!                    "published_at"?, "lang"? } ],            // sorted by id
//!   "pairs": [ PairLine ],                                   // sorted by (a, b) in document order
//!   "families": [ { "family", "members": [ids], "capped", "pairs": [ {"a", "b", "relation"} ] } ],
//!   "stats": { "lsh_candidates", "simhash_candidates", "postings_candidates",
//!              "bigram_candidates", "verified",
//!              "oversized_buckets", "boilerplate_fingerprints", "banding": [bands, rows] }
//! }
//! ```
//!
//! A `PairLine` (also one line of `--pairs`): `a`, `b` (ids), `relation`, `jaccard`,
//! `containment_a_in_b`, `containment_b_in_a` (shingle sets), `estimated_jaccard` (MinHash),
//! `simhash_distance`, `shared_shingles`, `bigram_containment_a_in_b`,
//! `bigram_containment_b_in_a`, `idf_bigram_containment_a_in_b`,
//! `idf_bigram_containment_b_in_a` (each bigram weighted by its idf), `verbatim_coverage_a`, `verbatim_coverage_b` (fraction of each
//! text inside shared verbatim runs, boilerplate excluded), `longest_run_tokens`, `tokens_a`,
//! `tokens_b`, `sources` (which candidate generators proposed the pair), `confidence` and
//! `rule` (`crate::relate::Judgment`). Ratios are rounded to 4 decimals.
//!
//! A `--families` line: `family`, `members`, `capped`.
//!
//! Fields are only ever added within a schema version; removing or renaming one bumps it.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::round4;
use crate::config::Config;
use crate::corpus::Document;
use crate::pipeline::{Analysis, Pair};
use crate::types::DocIndex;

/// Schema name.
pub const SCHEMA: &str = "stemma.analysis";
/// Schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// What was read, for the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct InputSummary {
    /// Documents analysed.
    pub documents: usize,
    /// Files read.
    pub files_read: u64,
    /// Files skipped for their type.
    pub skipped_files: u64,
    /// Bad JSONL records skipped.
    pub bad_records: u64,
    /// Documents truncated to the size limit.
    pub truncated: u64,
    /// Warnings from reading.
    pub warnings: Vec<String>,
}

impl From<&crate::corpus::ReadReport> for InputSummary {
    fn from(read: &crate::corpus::ReadReport) -> Self {
        InputSummary {
            documents: read.documents.len(),
            files_read: read.files_read,
            skipped_files: read.skipped_files,
            bad_records: read.bad_records,
            truncated: read.truncated,
            warnings: read.warnings.clone(),
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The crate version that wrote the report.
    pub stemma_version: String,
    /// The command (`scan`, `trace`, ...).
    pub command: String,
    /// The configuration used.
    pub config: Config,
    /// What was read.
    pub inputs: InputSummary,
    /// Documents, sorted by id.
    pub documents: Vec<DocumentLine>,
    /// Related pairs.
    pub pairs: Vec<PairLine>,
    /// Families.
    pub families: Vec<FamilyLine>,
    /// Candidate counters.
    pub stats: StatsLine,
    /// `scan --against IDX`: each input's related documents in the index (`a`/`b` as in scan,
    /// the indexed side named by its id in the index; `indexed` says which side that is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub index_matches: Vec<IndexMatchLine>,
}

/// A related pair between an input and a document of an index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexMatchLine {
    /// The input document's id.
    pub input: String,
    /// The indexed document's id.
    pub indexed: String,
    /// The pair's figures, `a`/`b` ordered by id as scan orders them.
    #[serde(flatten)]
    pub pair: PairLine,
}

/// The lines of `scan --against`'s `index_matches` for the answers of
/// [`crate::index::query::query`]: each match with its figures, `a`/`b` ordered as scan orders
/// a pair (the query document first when it is `a`).
pub fn index_match_lines(results: Vec<crate::index::query::QueryResult>) -> Vec<IndexMatchLine> {
    let mut lines = Vec::new();
    for r in results {
        for m in r.matches {
            let (a, b) = if m.query_is_a {
                (&r.id, &m.id)
            } else {
                (&m.id, &r.id)
            };
            let pair = crate::pipeline::Pair {
                a: DocIndex(0),
                b: DocIndex(0),
                relation: m.relation,
                figures: m.figures,
                estimated_jaccard: m.estimated_jaccard,
                simhash_distance: m.simhash_distance,
                sources: m.sources,
                confidence: m.confidence,
                rule: m.rule,
            };
            lines.push(IndexMatchLine {
                input: r.id.clone(),
                indexed: m.id.clone(),
                pair: figures_line(a, b, &pair),
            });
        }
    }
    lines
}

/// A document in the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentLine {
    /// Id.
    pub id: String,
    /// Where it was read (path or path:line).
    pub origin: String,
    /// Token count.
    pub tokens: usize,
    /// Distinct shingles.
    pub shingles: usize,
    /// The family it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Cues found in the text (`trace` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<CueLine>,
}

/// A related pair (one line of `--pairs`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PairLine {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// The relation.
    pub relation: String,
    /// Exact Jaccard of the shingle sets.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a_in_b: f64,
    /// Share of B's shingles found in A.
    pub containment_b_in_a: f64,
    /// MinHash estimate of the Jaccard.
    pub estimated_jaccard: f64,
    /// SimHash Hamming distance.
    pub simhash_distance: u32,
    /// Shared distinct shingles.
    pub shared_shingles: usize,
    /// Share of A's word bigrams found in B.
    pub bigram_containment_a_in_b: f64,
    /// Share of B's word bigrams found in A.
    pub bigram_containment_b_in_a: f64,
    /// A's bigram containment in B, each bigram weighted by its idf over the corpus.
    #[serde(default)]
    pub idf_bigram_containment_a_in_b: f64,
    /// B's idf-weighted bigram containment in A.
    #[serde(default)]
    pub idf_bigram_containment_b_in_a: f64,
    /// Share of A's tokens inside verbatim runs shared with B.
    pub verbatim_coverage_a: f64,
    /// Share of B's tokens inside verbatim runs shared with A.
    pub verbatim_coverage_b: f64,
    /// Longest shared verbatim run, in tokens.
    pub longest_run_tokens: usize,
    /// Tokens of A.
    pub tokens_a: usize,
    /// Tokens of B.
    pub tokens_b: usize,
    /// Candidate generators that proposed the pair.
    pub sources: Vec<String>,
    /// Probability in [0, 1] that the pair is reuse (calibrated on labelled dev data).
    #[serde(default)]
    pub confidence: f64,
    /// The rule that decided the relation, with the figures it read.
    #[serde(default)]
    pub rule: String,
    /// Aligned passages (`trace` only), in order of their position in A.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passages: Vec<PassageLine>,
    /// Share of A's tokens inside aligned passages (`trace` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage_coverage_a: Option<f64>,
    /// Share of B's tokens inside aligned passages (`trace` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage_coverage_b: Option<f64>,
    /// Who derives from whom, with the evidence (`trace` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<DirectionLine>,
}

/// A half-open range `start..end`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Span {
    /// First position.
    pub start: usize,
    /// One past the last position.
    pub end: usize,
}

/// One aligned passage of a pair.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PassageLine {
    /// Character offsets (Unicode scalar values) into A's original text.
    pub a: Span,
    /// Character offsets into B's original text.
    pub b: Span,
    /// Byte offsets into A's original text (UTF-8).
    pub a_bytes: Span,
    /// Byte offsets into B's original text.
    pub b_bytes: Span,
    /// Token count on A's side.
    pub tokens_a: u32,
    /// Token count on B's side.
    pub tokens_b: u32,
    /// Tokens inside exact runs.
    pub matched_tokens: u32,
    /// 1.0 for a verbatim passage; lower when small edits were merged across.
    pub exactness: f64,
    /// `"caption"` (a photo caption or credit line) or `"boilerplate"` (recurs across many
    /// documents of the corpus): weak evidence of reuse on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boilerplate: Option<String>,
}

/// The direction verdict of a pair.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DirectionLine {
    /// `"a->b"` (B derives from A), `"b->a"`, `"common-source"` (both derive from one source,
    /// neither from the other) or `"undetermined"`.
    pub verdict: String,
    /// 0..1: how much the evidence supports the verdict over the alternatives.
    pub confidence: f64,
    /// Every piece of evidence considered, for and against.
    pub evidence: Vec<EvidenceLine>,
}

/// One piece of evidence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceLine {
    /// Machine name of the signal: `published-earlier`, `credits-source`, `containment`,
    /// `wraps`, `passage-order`, `shared-credit`, `own-material`, `caption-only`, ...
    pub signal: String,
    /// What it supports: `"a->b"`, `"b->a"`, `"common-source"`, or `"none"` (context).
    pub favors: String,
    /// Strength, 0..1.
    pub weight: f64,
    /// A plain-language sentence a person can check against the texts.
    pub reason: String,
}

/// A cue found in a document's text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CueLine {
    /// `date`, `credit`, `photo-credit`, `outlet-tag`, `byline`, `sign-off`.
    pub kind: String,
    /// Character offsets into the original text.
    pub span: Span,
    /// The text as found.
    pub text: String,
    /// The source named (canonical agency name when known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A normalized value (dates: `YYYY-MM-DD`, `MM-DD` or `YYYY-MM-DDTHH:MM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One edge of a family's stemma (also one line of `--stemma`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StemmaEdgeLine {
    /// Family id.
    pub family: String,
    /// The parent: a document id, `external:<name>` for a source outside the corpus, or
    /// `null` for a root.
    pub parent: Option<String>,
    /// The child document id.
    pub child: String,
    /// `copy`, `excerpt`, `partial-reuse`, `rewrite`, `credited-external-source`,
    /// `common-source` or `root`.
    pub kind: String,
    /// 0..1.
    pub confidence: f64,
    /// The evidence for this edge.
    pub evidence: Vec<EvidenceLine>,
}

/// A pair inside a family.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FamilyPair {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// The relation.
    pub relation: String,
}

/// A family (one line of `--families`, where `pairs` is left out).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FamilyLine {
    /// Family id.
    pub family: String,
    /// Member ids, sorted.
    pub members: Vec<String>,
    /// The family hit the size cap (suspicious: boilerplate or a template).
    pub capped: bool,
    /// Pairs inside the family.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<FamilyPair>,
    /// The family's stemma (`trace` only): one edge per member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stemma: Vec<StemmaEdgeLine>,
}

/// Candidate counters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StatsLine {
    /// Pairs proposed by LSH.
    pub lsh_candidates: usize,
    /// Pairs proposed by SimHash.
    pub simhash_candidates: usize,
    /// Pairs proposed by shared fingerprints.
    pub postings_candidates: usize,
    /// Pairs proposed by shared rare bigrams.
    #[serde(default)]
    pub bigram_candidates: usize,
    /// Distinct pairs verified.
    pub verified: usize,
    /// Buckets linked as stars.
    pub oversized_buckets: u64,
    /// Fingerprints dropped as boilerplate.
    pub boilerplate_fingerprints: u64,
    /// LSH bands and rows.
    #[serde(with = "crate::config::banding_pair")]
    pub banding: crate::config::Banding,
}

/// Builds the report. `docs` is the same slice given to [`crate::pipeline::analyze`].
pub fn build(
    command: &str,
    analysis: &Analysis,
    docs: &[Document],
    config: &Config,
    inputs: InputSummary,
) -> Report {
    let id = |d: DocIndex| analysis.documents[d].id.clone();
    let mut family_of = vec![None; analysis.documents.len()];
    for f in &analysis.families {
        for &m in &f.members {
            family_of[m] = Some(f.id.clone());
        }
    }
    let documents = analysis
        .documents
        .iter()
        .zip(family_of)
        .map(|(d, family)| {
            let doc = &docs[d.input_index];
            DocumentLine {
                id: d.id.clone(),
                origin: doc.origin.to_string(),
                tokens: d.tokens,
                shingles: d.shingles,
                family,
                outlet: doc.meta.outlet.clone(),
                url: doc.meta.url.clone(),
                title: doc.meta.title.clone(),
                published_at: doc.meta.published_at.clone(),
                lang: doc.meta.lang.clone(),
                cues: Vec::new(),
            }
        })
        .collect();
    let families = analysis
        .families
        .iter()
        .map(|f| FamilyLine {
            family: f.id.clone(),
            members: f.members.iter().map(|&m| id(m)).collect(),
            capped: f.capped,
            pairs: f
                .pairs
                .iter()
                .map(|&i| {
                    let p = &analysis.pairs[i];
                    FamilyPair {
                        a: id(p.a),
                        b: id(p.b),
                        relation: p.relation.to_string(),
                    }
                })
                .collect(),
            stemma: Vec::new(),
        })
        .collect();
    let s = &analysis.stats;
    Report {
        schema: SCHEMA.to_string(),
        schema_version: SCHEMA_VERSION,
        stemma_version: env!("CARGO_PKG_VERSION").to_string(),
        command: command.to_string(),
        config: config.clone(),
        inputs,
        documents,
        pairs: analysis
            .pairs
            .iter()
            .map(|p| pair_line(analysis, p))
            .collect(),
        families,
        stats: StatsLine {
            lsh_candidates: s.lsh_candidates,
            simhash_candidates: s.simhash_candidates,
            postings_candidates: s.postings_candidates,
            bigram_candidates: s.bigram_candidates,
            verified: s.verified,
            oversized_buckets: s.oversized_buckets,
            boilerplate_fingerprints: s.boilerplate_fingerprints,
            banding: s.banding,
        },
        index_matches: Vec::new(),
    }
}

fn pair_line(analysis: &Analysis, p: &Pair) -> PairLine {
    figures_line(
        &analysis.documents[p.a.index()].id,
        &analysis.documents[p.b.index()].id,
        p,
    )
}

/// A pair line from two ids and a pair's relation and figures.
pub(crate) fn figures_line(a: &str, b: &str, p: &Pair) -> PairLine {
    let f = &p.figures;
    PairLine {
        a: a.to_string(),
        b: b.to_string(),
        relation: p.relation.to_string(),
        jaccard: round4(f.jaccard),
        containment_a_in_b: round4(f.containment_a_in_b),
        containment_b_in_a: round4(f.containment_b_in_a),
        estimated_jaccard: round4(p.estimated_jaccard),
        simhash_distance: p.simhash_distance,
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
        sources: p.sources.names().into_iter().map(String::from).collect(),
        confidence: round4(p.confidence),
        rule: p.rule.clone(),
        passages: Vec::new(),
        passage_coverage_a: None,
        passage_coverage_b: None,
        direction: None,
    }
}

/// Writes the report as pretty JSON with a trailing newline.
pub fn write_report(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    w.write_all(b"\n")
}

/// Writes one JSON object per line.
pub fn write_jsonl<T: Serialize>(items: &[T], w: &mut dyn Write) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *w, item)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// The `--families` lines: families without their pairs.
pub fn family_lines(report: &Report) -> Vec<FamilyLine> {
    report
        .families
        .iter()
        .map(|f| FamilyLine {
            pairs: Vec::new(),
            ..f.clone()
        })
        .collect()
}

/// Adds what `trace` computed to a report built by [`build`] from the same analysis.
pub fn add_trace(report: &mut Report, analysis: &Analysis, prov: &crate::provenance::Provenance) {
    use crate::provenance::stemma::Parent;
    let span = |(start, end): (usize, usize)| Span { start, end };
    let evidence = |e: &crate::provenance::direction::Evidence| EvidenceLine {
        signal: e.signal.to_string(),
        favors: e.favors.as_str().to_string(),
        weight: round4(e.weight),
        reason: e.reason.clone(),
    };
    for ((line, t), chars) in report
        .pairs
        .iter_mut()
        .zip(&prov.pairs)
        .zip(&prov.passage_chars)
    {
        line.passages = t
            .alignment
            .passages
            .iter()
            .zip(&t.marks)
            .zip(chars)
            .map(|((ps, mark), &(a, b))| PassageLine {
                a: span(a),
                b: span(b),
                a_bytes: Span {
                    start: ps.a_bytes.start as usize,
                    end: ps.a_bytes.end as usize,
                },
                b_bytes: Span {
                    start: ps.b_bytes.start as usize,
                    end: ps.b_bytes.end as usize,
                },
                tokens_a: ps.a_tokens.end - ps.a_tokens.start,
                tokens_b: ps.b_tokens.end - ps.b_tokens.start,
                matched_tokens: ps.matched_tokens,
                exactness: round4(ps.exactness),
                boilerplate: mark.map(|m| m.as_str().to_string()),
            })
            .collect();
        line.passage_coverage_a = Some(round4(t.alignment.coverage_a));
        line.passage_coverage_b = Some(round4(t.alignment.coverage_b));
        line.direction = Some(DirectionLine {
            verdict: t.direction.verdict.as_str().to_string(),
            confidence: round4(t.direction.confidence),
            evidence: t.direction.evidence.iter().map(evidence).collect(),
        });
    }
    for ((doc, cues), chars) in report
        .documents
        .iter_mut()
        .zip(&prov.cues)
        .zip(&prov.cue_chars)
    {
        doc.cues = cues
            .iter()
            .zip(chars)
            .map(|(c, &chars)| CueLine {
                kind: serde_json::to_value(&c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                span: span(chars),
                text: c.text.clone(),
                source: c.source.clone(),
                value: c.value.clone(),
            })
            .collect();
    }
    for (family, edges) in report.families.iter_mut().zip(&prov.stemmas) {
        family.stemma = edges
            .iter()
            .map(|e| StemmaEdgeLine {
                family: family.family.clone(),
                parent: match &e.parent {
                    Parent::Root => None,
                    Parent::Document(d) => Some(analysis.documents[*d].id.clone()),
                    Parent::External(name) => Some(format!("external:{name}")),
                },
                child: analysis.documents[e.child].id.clone(),
                kind: e.kind.as_str().to_string(),
                confidence: round4(e.confidence),
                evidence: e.evidence.iter().map(evidence).collect(),
            })
            .collect();
    }
}

/// One line of `trace --cues`: a document (in a family or not) and the cues found in its text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentCuesLine {
    /// Document id.
    pub id: String,
    /// Its cues in text order (credits, photo credits, dates, bylines, outlet tags, sign-offs),
    /// each with its character span and the agency it resolves to.
    pub cues: Vec<CueLine>,
}

/// The `--cues` lines: every document of a traced report, with its cues (empty when none).
pub fn cue_lines(report: &Report) -> Vec<DocumentCuesLine> {
    report
        .documents
        .iter()
        .map(|d| DocumentCuesLine {
            id: d.id.clone(),
            cues: d.cues.clone(),
        })
        .collect()
}

/// The `--stemma` lines: every family's edges.
pub fn stemma_lines(report: &Report) -> Vec<StemmaEdgeLine> {
    report
        .families
        .iter()
        .flat_map(|f| f.stemma.iter().cloned())
        .collect()
}
