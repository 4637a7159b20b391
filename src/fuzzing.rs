//! Internals that the fuzz targets (`fuzz/`), the benchmarks, the calibration examples and a few
//! integration tests drive directly: decoders fed raw bytes, the tokenizer and aligner, the
//! sketches, the pair measure. Not part of the API (hidden from the docs, no stability
//! promise); a library user calls the items at the crate root instead.
//!
//! The paths mirror the internal modules, so `stemma::fuzzing::text::tokenize` is
//! `crate::text::tokenize`.

/// The aligner.
pub mod align {
    pub use crate::align::{align, AlignParams, Passage, Range32};
}

/// Candidate generation.
pub mod candidates {
    pub use crate::candidates::lsh::{band_key, banding_for};
}

/// Hashing and the seeded generator used for deterministic test corpora.
pub mod hash {
    pub use crate::hash::{hash_bytes, SplitMix64};
}

/// The JSONL readers, each entry point of them.
pub mod corpus {
    pub use crate::corpus::jsonl::{
        for_each_jsonl_in, for_each_jsonl_in_par, for_each_jsonl_line, for_each_jsonl_line_in,
        for_each_jsonl_par, for_each_jsonl_record, At, JsonlStats,
    };
}

/// The index's file decoders and framing.
pub mod index {
    use std::path::Path;

    use bitvec::prelude::{BitVec, Lsb0};

    use crate::index::Manifest;
    use crate::Result;

    /// Framing, magics and the bounds-checked cursor.
    pub mod format {
        pub use crate::index::format::*;
    }
    /// Segment files.
    pub mod segment {
        pub use crate::index::segment::{encode, DocRecord, Segment};
    }

    /// Name of the manifest file.
    pub const MANIFEST: &str = crate::index::MANIFEST;

    /// Decodes a manifest file's bytes (see `index::read_manifest`).
    pub fn decode_manifest(path: &Path, bytes: &[u8]) -> Result<Manifest> {
        crate::index::decode_manifest(path, bytes)
    }

    /// Compacts into segments of at most `max_docs` documents or about `max_bytes` of
    /// document data each (`index::compact` picks 250 000 and 256 MiB): several segments
    /// from a small index, for tests.
    pub fn compact_with(
        dir: &Path,
        max_docs: usize,
        max_bytes: usize,
    ) -> Result<crate::index::Stats> {
        crate::index::compact_with(dir, max_docs, max_bytes)
    }

    /// Where the live document `id` is: its segment and row (see `Index::find`, internal).
    pub fn find(index: &crate::index::Index, id: &str) -> Result<Option<(usize, u32)>> {
        index.find(id)
    }

    /// Decodes a delete file's bytes for a segment of `docs` documents.
    pub fn decode_deletes(path: &Path, bytes: &[u8], docs: usize) -> Result<BitVec<u64, Lsb0>> {
        crate::index::decode_deletes(path, bytes, docs)
    }
}

/// Common bigrams and fingerprints over a corpus (the calibration examples).
pub mod pipeline {
    use crate::profile::Profiler;

    /// Word bigrams in more than `max_df` of `texts` (see `Config::bigram_max_df`).
    pub fn common_bigrams(texts: &[&str], profiler: &Profiler, max_df: usize) -> Vec<u64> {
        crate::pipeline::common_bigrams(texts, profiler, max_df)
    }

    /// Winnowed fingerprints in more than `max_df` of `texts`.
    pub fn common_fingerprints(texts: &[&str], profiler: &Profiler, max_df: usize) -> Vec<u64> {
        crate::pipeline::common_fingerprints(texts, profiler, max_df)
    }
}

/// Per-document profiles and token views (the calibration examples).
pub mod profile {
    pub use crate::profile::{Profile, Profiler, TokenView};

    /// The positional view of `text` that pairs are measured on.
    pub fn view(profiler: &Profiler, text: &str) -> TokenView {
        profiler.view(text)
    }

    /// The distinct hashes of `text`'s `k`-token shingles.
    pub fn kgram_set(profiler: &Profiler, text: &str, k: usize) -> Vec<u64> {
        profiler.kgram_set(text, k)
    }
}

/// The pair measure and the relation rules (the calibration examples).
pub mod relate {
    use crate::config::RelationThresholds;
    use crate::profile::TokenView;
    use crate::relate::{PairFigures, Relation};

    /// The figures of a pair of token views with shingle length `k`.
    pub fn measure(a: &TokenView, b: &TokenView, k: usize, t: &RelationThresholds) -> PairFigures {
        crate::relate::measure(a, b, k, t)
    }

    /// The relation the rules give without corpus statistics.
    pub fn relate(f: &PairFigures, t: &RelationThresholds) -> Option<Relation> {
        crate::relate::relate(f, t)
    }

    /// The decision on one pair (the internal judgment, copied out).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Judgment {
        /// The relation, `None` when the figures show no reuse.
        pub relation: Option<Relation>,
        /// The rule that decided.
        pub rule: String,
        /// Probability that the pair is reuse.
        pub confidence: f64,
    }

    /// The relation, rule and confidence the pipeline gives a pair.
    pub fn judge(f: &PairFigures, t: &RelationThresholds, corpus_statistics: bool) -> Judgment {
        let j = crate::relate::judge(f, t, corpus_statistics);
        Judgment {
            relation: j.relation,
            rule: j.rule,
            confidence: j.confidence,
        }
    }
}

/// Shingling.
pub mod shingle {
    pub use crate::shingle::{shingle_hashes, to_set};
}

/// Exact set overlap.
pub mod similarity {
    pub use crate::similarity::{overlap, SetOverlap};
}

/// MinHash, SimHash and winnowing.
pub mod sketch {
    pub use crate::sketch::{
        minhash, simhash, simhash_sorted, winnow, MinHasher, PermutationFamily,
    };
}

/// Normalization and tokenization.
pub mod text {
    pub use crate::text::{normalize, normalize_token, tokenize, Token};
}
