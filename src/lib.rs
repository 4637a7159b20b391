//! # stemma
//!
//! Finds rewritten and syndicated copies in a text corpus and explains where each text came
//! from: whole-document near-duplicates, excerpts, partial reuse and rewrites, grouped into
//! families without chaining unrelated texts together.
//!
//! The core is pure (data in, data out, deterministic for any thread count and input order);
//! reading inputs and writing reports live at the edges ([`corpus`], [`report`], [`output`]).
//!
//! ```
//! use stemma::{analyze, Config, Document, Relation, Silent};
//!
//! let story = "The minister said on Friday that the new bridge over the river will open in \
//!              March after two years of work, and that tolls will be lower than planned.";
//! let docs = vec![
//!     Document::new("agency", story),
//!     Document::new("outlet", &format!("(Outlet) - {story} More on page two.")),
//!     Document::new("other", "A completely different text about the weather in the hills."),
//! ];
//! let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
//! assert_eq!(analysis.pairs.len(), 1);
//! let pair = &analysis.pairs[0];
//! assert!(matches!(pair.relation, Relation::NearDuplicate | Relation::Excerpt));
//! assert_eq!(analysis.families.len(), 1);
//! ```
//!
//! What a library user calls (each re-exported here, with an example in its docs):
//!
//! - [`analyze`]: documents in memory -> [`Analysis`] (pairs with their [`Relation`],
//!   families; documents named by [`DocIndex`]); [`trace`] adds passages, cues, direction and
//!   a stemma per family ([`Provenance`]).
//! - [`analyze_streamed`]: a corpus read from files, directories, JSONL or standard input as a
//!   stream, with memory bounded by a [`Scratch`] budget ([`Streamed`], and
//!   [`Streamed::trace`] for its provenance).
//! - [`dedup_jsonl`]: which records of a JSONL file to keep ([`DedupPlan`]), then
//!   [`DedupPlan::write`] or [`DedupPlan::write_files`] for the kept and removed records.
//! - [`Index`] (open, [`index::build`], [`index::Writer`]) and [`query_report`]: the documents
//!   of an index related to query documents, as a [`QueryReport`] (JSON schema `stemma.query`
//!   v1, [`report::query`]).
//! - [`compare`]: two documents side by side ([`Comparison`]), rendered by
//!   [`render_comparison`] with a "why not related" line naming the rules that failed
//!   ([`relate::shortfalls`]).
//! - [`audit::audit`] with [`audit::reference`] for a reference corpus from files or an index.
//! - [`report`]: the versioned JSON report and its renderers (text summary, Markdown, HTML,
//!   DOT); [`output`]: the atomic writer every output goes through.
//! - [`fingerprint`]: per-document fingerprints and LSH band keys, for engines that spread
//!   the work over machines (the Python package's Spark engine); [`distributed`]: the scan's
//!   verification and families with corpus statistics given per document, for the same engines.
//!
//! Public modules: [`config`], [`error`], [`corpus`] (readers), [`pipeline`], [`relate`],
//! [`provenance`], [`dedup`], [`index`], [`report`], [`audit`], [`output`], [`fingerprint`], [`distributed`],
//! [`types`]. Everything else is internal (`pub(crate)`): normalization and tokenization,
//! shingling, the sketches, candidate generation, clustering, alignment, the external sorter
//! and text store, and the index's file formats. Their layering, lowest first: foundation
//! (`error`, `config`, `types`, `hash`) < `text` < `shingle` < `sketch` < `profile` <
//! `candidates` < `similarity`, `align` < `relate`, `cluster` < `provenance` < `pipeline`,
//! `dedup`; edges: `corpus`, `stream`, `index`, `report`, `output`, `audit`, and `scratch`
//! (sorted runs and texts beyond a memory budget, in unnamed temporary files: the one edge the
//! pure layers reach, and only when the caller gives it a directory; [`analyze`] never does).
//! ARCHITECTURE.md says what is public and why.

#![warn(missing_docs)]

pub(crate) mod align;
pub mod audit;
pub(crate) mod candidates;
pub(crate) mod cluster;
pub mod config;
pub mod corpus;
pub mod dedup;
pub mod error;
pub(crate) mod hash;
pub mod index;
pub(crate) mod keys;
pub mod output;
pub mod pipeline;
pub(crate) mod profile;
pub mod provenance;
pub mod relate;
pub mod report;
pub(crate) mod scratch;
pub(crate) mod shingle;
pub(crate) mod similarity;
pub(crate) mod sketch;
pub(crate) mod stream;
pub(crate) mod text;
pub mod types;

pub mod distributed;
pub mod fingerprint;
#[doc(hidden)]
pub mod fuzzing;

pub use config::{Config, FingerprintParams, ShingleSpec, TokenUnit};
pub use corpus::{Document, Meta, Origin};
pub use dedup::jsonl::{plan as dedup_jsonl, Plan as DedupPlan, Source as JsonlSource};
pub use error::{Error, Result};
pub use index::Index;
pub use pipeline::{analyze, Analysis, Family, ImpliedPair, Pair, Progress, Silent};
pub use provenance::{compare, trace, Comparison, Provenance};
pub use relate::Relation;
pub use report::compare::render as render_comparison;
pub use report::query::{query_report, QueryReport};
pub use scratch::Scratch;
pub use sketch::minhash::{MinHasher, PermutationFamily, Signature};
pub use stream::{analyze_streamed, analyze_streamed_against, Streamed};
pub use types::DocIndex;
