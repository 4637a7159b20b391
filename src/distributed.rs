//! The steps of `stemma scan` that an engine spreading a corpus over many machines (the Python
//! package's Spark engine) runs in its partitions, with the corpus statistics it computed as
//! distributed aggregates given in, per document.
//!
//! A scan decides a pair from the two texts and a few corpus statistics: the number of
//! documents, each bigram's document frequency (idf weights; bigrams above `bigram_max_df` are
//! dropped) and which shingles are boilerplate (winnowed fingerprints in more than
//! `boilerplate_max_df` documents). [`verify`] takes them per document ([`DocumentStats`]), so
//! an engine joins each candidate with the statistics of its two ends instead of broadcasting
//! corpus-wide tables. [`document_keys`] gives what candidate generation groups by,
//! [`identical_pair`] the pair of two identical texts, and [`families`] the families of one
//! connected component of related pairs under the configured policy. Same texts, statistics
//! and config, same pairs and figures as [`crate::analyze`], on every machine.
//!
//! ```
//! use stemma::distributed::{document_keys, verify, DocumentStats};
//! use stemma::fingerprint::Profiler;
//! use stemma::{Config, DocIndex, Relation};
//! use stemma::pipeline::Sources;
//!
//! let config = Config::default();
//! let profiler = Profiler::new(&config.fingerprint);
//! let a = "The minister said on Friday that the new bridge over the river will open in March \
//!          after two years of work, and that tolls will be lower than planned.";
//! let b = format!("{a} More on page two.");
//! let keys = document_keys(&profiler, &config, a);
//! assert_eq!(keys.band_keys.len(), stemma::fingerprint::banding_for(&config).bands);
//! // A corpus of two documents: no statistics (every bigram in at most two documents).
//! let none = DocumentStats::default();
//! let pair = verify(&profiler, &config, 2, (DocIndex(0), a, &none), (DocIndex(1), b.as_str(), &none),
//!                   Sources::LSH).expect("related");
//! assert!(pair.relation <= Relation::Excerpt);
//! ```

use crate::cluster::{self, Edge};
use crate::config::Config;
use crate::hash::hash_u64s;
use crate::pipeline::{Pair, Sources};
use crate::profile::Profiler;
use crate::relate::{judge, measure, PairFigures, Relation};
use crate::sketch::simhash::hamming;
use crate::types::DocIndex;

/// What candidate generation needs of one document.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DocumentKeys {
    /// Token count (0: an empty text, which relates to nothing).
    pub tokens: usize,
    /// Hash of the normalized token sequence.
    pub content_hash: u64,
    /// A second hash, of the shingle set: with `content_hash` and `tokens`, what identical
    /// texts share (the single machine compares the sets themselves; two different texts
    /// agreeing on both 64-bit hashes are not expected).
    pub set_hash: u64,
    /// Distinct shingles.
    pub shingles: usize,
    /// 64-bit SimHash.
    pub simhash: u64,
    /// LSH band keys of the MinHash signature, one per band (empty for an empty text).
    pub band_keys: Vec<u64>,
    /// Distinct winnowed fingerprints, sorted.
    pub winnowed: Vec<u64>,
    /// Distinct word bigrams, sorted.
    pub bigrams: Vec<u64>,
}

/// The keys of `text` under `config` (`profiler` made from `config.fingerprint`).
pub fn document_keys(profiler: &Profiler, config: &Config, text: &str) -> DocumentKeys {
    let (p, bigrams) = profiler.profile_and_bigrams(text);
    let banding = crate::candidates::lsh::banding_for(config);
    let mut scratch = Vec::new();
    let band_keys = if p.tokens == 0 || p.signature.is_empty_set() {
        Vec::new()
    } else {
        (0..banding.bands)
            .map(|band| {
                crate::candidates::lsh::band_key(
                    &p.signature.0[band * banding.rows..(band + 1) * banding.rows],
                    band,
                    &mut scratch,
                )
            })
            .collect()
    };
    DocumentKeys {
        tokens: p.tokens,
        content_hash: p.content_hash,
        set_hash: hash_u64s(&p.shingles, profiler.params().seed ^ SET_SEED),
        shingles: p.shingles.len(),
        simhash: p.simhash,
        band_keys,
        winnowed: p.winnowed,
        bigrams,
    }
}

/// Seed offset of [`DocumentKeys::set_hash`] (any constant: it only has to differ from the
/// content hash's).
const SET_SEED: u64 = 0x5e7_5e7_5e7;

/// The corpus statistics of one document, as verification reads them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentStats {
    /// `(bigram, documents of the corpus holding it)` for the document's bigrams found in at
    /// least 2 documents, sorted by bigram (a bigram not listed is in this document only).
    pub bigram_df: Vec<(u64, u32)>,
    /// The document's shingles ([`Profiler::shingle_set`]) that are winnowed fingerprints of
    /// more than `boilerplate_max_df` documents of the corpus, sorted.
    pub boilerplate: Vec<u64>,
}

/// Verifies one candidate pair as `stemma scan` does: `documents` is the size of the corpus,
/// `a` < `b` in id order, `sources` the generators that proposed it. `None` when the two are
/// not related.
pub fn verify(
    profiler: &Profiler,
    config: &Config,
    documents: usize,
    (a, text_a, stats_a): (DocIndex, &str, &DocumentStats),
    (b, text_b, stats_b): (DocIndex, &str, &DocumentStats),
    sources: Sources,
) -> Option<Pair> {
    let statistics = documents > config.bigram_max_df;
    let view = |text: &str, stats: &DocumentStats| {
        let mut v = profiler.view(text);
        let common: Vec<u64> = stats
            .bigram_df
            .iter()
            .filter(|&&(_, df)| df as usize > config.bigram_max_df)
            .map(|&(h, _)| h)
            .collect();
        v.drop_common_bigrams(&common);
        if statistics {
            v.weigh_bigrams(documents, |h| {
                stats
                    .bigram_df
                    .binary_search_by_key(&h, |r| r.0)
                    .map_or(1, |i| stats.bigram_df[i].1 as usize)
            });
        }
        v.mark_boilerplate(|h| stats.boilerplate.binary_search(&h).is_ok());
        v
    };
    let (va, vb) = (view(text_a, stats_a), view(text_b, stats_b));
    let figures = measure(&va, &vb, config.fingerprint.shingle.k, &config.relations);
    let judgment = judge(&figures, &config.relations, statistics);
    let relation = judgment.relation?;
    let (pa, pb) = (profiler.profile(text_a), profiler.profile(text_b));
    Some(Pair {
        a,
        b,
        relation,
        estimated_jaccard: pa.signature.estimate_jaccard(&pb.signature),
        simhash_distance: hamming(pa.simhash, pb.simhash),
        figures,
        sources,
        confidence: judgment.confidence,
        rule: judgment.rule,
    })
}

/// The `duplicate` pair of an identical copy `b` and the first document `a` of its group (in id
/// order), as scan reports it without measuring (`tokens`, `shingles` of the text).
pub fn identical_pair(a: DocIndex, b: DocIndex, tokens: usize, shingles: usize) -> Pair {
    Pair {
        a,
        b,
        relation: Relation::Duplicate,
        figures: PairFigures::identical(tokens, shingles),
        estimated_jaccard: 1.0,
        simhash_distance: 0,
        sources: Sources::IDENTICAL,
        confidence: 1.0,
        rule: crate::pipeline::IDENTICAL_RULE.to_string(),
    }
}

/// The line of `pair` in `stemma scan --json`'s `pairs` (ids `a`, `b`), as JSON.
pub fn pair_json(a: &str, b: &str, pair: &Pair) -> String {
    let line = crate::report::json::figures_line(a, b, pair);
    serde_json::to_string(&line).expect("a pair line serializes")
}

/// The generators named by the bits of [`Sources`] (`1` LSH, `2` SimHash, `4` shared
/// fingerprints, `8` identical texts, `16` shared rare bigrams).
pub fn sources_of_bits(bits: u8) -> Sources {
    [
        Sources::LSH,
        Sources::SIMHASH,
        Sources::POSTINGS,
        Sources::IDENTICAL,
        Sources::BIGRAMS,
    ]
    .into_iter()
    .enumerate()
    .filter(|(i, _)| bits & (1 << i) != 0)
    .fold(Sources::default(), |acc, (_, s)| acc.union(s))
}

/// How strongly a pair binds a family (relation first, then the larger containment), as the
/// single machine orders the merges.
pub fn strength(pair: &Pair) -> f64 {
    crate::pipeline::strength(pair)
}

/// One family of [`families`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FamilyGroup {
    /// Members (document indices in id order), ascending.
    pub members: Vec<u32>,
    /// A merge was refused at the size cap.
    pub capped: bool,
}

/// The families of one connected component of related pairs under `config`'s family policy and
/// size cap: `edges` are its pairs `(a, b, strength)` ([`strength`]), `texts` its members'
/// `(index, text)` (for the strict policy's shared-shingle test). Families never cross
/// components, so running this per component gives the families of the whole corpus.
pub fn families(
    config: &Config,
    edges: &[(u32, u32, f64)],
    texts: &[(u32, &str)],
) -> Vec<FamilyGroup> {
    let profiler = Profiler::new(&config.fingerprint);
    let mut sorted: Vec<(u32, &str)> = texts.to_vec();
    sorted.sort_unstable_by_key(|t| t.0);
    let mut sets: std::collections::HashMap<u32, Vec<u64>> = Default::default();
    let mut set = |d: u32| -> Vec<u64> {
        sets.entry(d)
            .or_insert_with(|| {
                sorted
                    .binary_search_by_key(&d, |t| t.0)
                    .map(|i| profiler.shingle_set(sorted[i].1))
                    .unwrap_or_default()
            })
            .clone()
    };
    let edges: Vec<Edge> = edges
        .iter()
        .map(|&(a, b, strength)| Edge { a, b, strength })
        .collect();
    let min_shared = config.family_min_shared_shingles;
    cluster::families(
        &edges,
        config.family_policy,
        config.max_family_size,
        |x, y| crate::similarity::intersection_size(&set(x), &set(y)) >= min_shared,
    )
    .into_iter()
    .map(|g| FamilyGroup {
        members: g.members,
        capped: g.capped,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Document;
    use crate::pipeline::{analyze, Silent};

    /// Stories of random words with copies, edits, excerpts and splices.
    fn corpus() -> Vec<Document> {
        let mut g = crate::hash::SplitMix64::new(14);
        let mut word = || format!("w{}", g.next() % 400);
        let stories: Vec<Vec<String>> =
            (0..6).map(|_| (0..150).map(|_| word()).collect()).collect();
        let mut docs = Vec::new();
        for (i, s) in stories.iter().enumerate() {
            docs.push(Document::new(format!("s{i}"), s.join(" ")));
            let mut edited = s.clone();
            edited[40] = "changed".into();
            docs.push(Document::new(format!("s{i}-edit"), edited.join(" ")));
            docs.push(Document::new(format!("s{i}-part"), s[..70].join(" ")));
        }
        docs.push(Document::new(
            "splice",
            format!(
                "{} {}",
                stories[0][..80].join(" "),
                stories[1][70..].join(" ")
            ),
        ));
        docs
    }

    #[test]
    fn verify_with_statistics_per_document_gives_the_scan_pairs() {
        let docs = corpus();
        let config = Config {
            boilerplate_max_df: 2,
            ..Config::default()
        };
        let analysis = analyze(&docs, &config, &Silent).unwrap();
        let profiler = Profiler::new(&config.fingerprint);
        // Canonical (id) order, and the corpus statistics counted by brute force.
        let mut order: Vec<&Document> = docs.iter().collect();
        order.sort_by(|x, y| x.id.cmp(&y.id));
        let count = |sets: Vec<Vec<u64>>| {
            let mut df: std::collections::HashMap<u64, u32> = Default::default();
            for h in sets.into_iter().flatten() {
                *df.entry(h).or_default() += 1;
            }
            df
        };
        let bigram_df = count(order.iter().map(|d| profiler.bigram_set(&d.text)).collect());
        let fp_df = count(
            order
                .iter()
                .map(|d| document_keys(&profiler, &config, &d.text).winnowed)
                .collect(),
        );
        let stats: Vec<DocumentStats> = order
            .iter()
            .map(|d| {
                let mut bigram_df: Vec<(u64, u32)> = profiler
                    .bigram_set(&d.text)
                    .into_iter()
                    .map(|h| (h, bigram_df[&h]))
                    .filter(|&(_, df)| df >= 2)
                    .collect();
                bigram_df.sort_unstable();
                let boilerplate = profiler
                    .shingle_set(&d.text)
                    .into_iter()
                    .filter(|h| {
                        fp_df
                            .get(h)
                            .is_some_and(|&df| df as usize > config.boilerplate_max_df)
                    })
                    .collect();
                DocumentStats {
                    bigram_df,
                    boilerplate,
                }
            })
            .collect();
        assert!(stats.iter().any(|s| !s.boilerplate.is_empty()));
        let mut checked = 0;
        for p in analysis
            .pairs
            .iter()
            .filter(|p| p.sources != Sources::IDENTICAL)
        {
            let (a, b) = (p.a.index(), p.b.index());
            let got = verify(
                &profiler,
                &config,
                docs.len(),
                (p.a, &order[a].text, &stats[a]),
                (p.b, &order[b].text, &stats[b]),
                p.sources,
            )
            .expect("related, as scan found");
            let (ia, ib) = (&order[a].id, &order[b].id);
            assert_eq!(pair_json(ia, ib, &got), pair_json(ia, ib, p));
            checked += 1;
        }
        assert!(checked >= 12, "{checked}");
    }
}
