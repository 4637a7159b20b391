//! Pairs of documents sharing winnowed fingerprints, through an inverted index built by sorting
//! (the candidate step of MOSS-style copy detection, Schleimer, Wilkerson, Aiken 2003).
//!
//! The postings are the `(hash, doc)` records sorted by hash. A hash in more than `max_df`
//! documents is treated as boilerplate (a licence notice, a navigation bar) and dropped; every
//! other hash links all pairs of its documents. Pairs are counted by sorting and run-length
//! encoding, and kept when they share at least `min_shared` kept hashes.
//!
//! Guarantee: a pair is reported exactly when it shares at least `min_shared` distinct hashes of
//! document frequency at most `max_df`, with that exact count.
//!
//! Not done here: positions and passage alignment (the fingerprints' positions are not needed to
//! find candidates), and no persistence of the index.

use rayon::prelude::*;

use super::{check_doc_count, pack, unpack};

/// Result of [`shared_fingerprint_pairs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPairs {
    /// `(a, b, shared)`: `a < b`, `shared` = number of distinct kept hashes the two documents
    /// share (`>= min_shared`), sorted by `(a, b)`.
    pub pairs: Vec<(u32, u32, u32)>,
    /// Distinct hashes dropped because their document frequency exceeded `max_df`.
    pub dropped_hashes: u64,
}

/// Document pairs sharing at least `min_shared` fingerprint hashes of document frequency at most
/// `max_df`.
///
/// `doc_fps[d]` holds the fingerprint hashes of document `d`, in any order; repeats within a
/// document count once. `min_shared = 0` behaves as 1. The output does not depend on the thread
/// count. Memory: 16 bytes per posting plus 8 bytes per emitted (pair, hash) link, which
/// `max_df` bounds at `max_df^2 / 2` per hash.
///
/// # Panics
/// If there are more than 2^32 documents.
pub fn shared_fingerprint_pairs(
    doc_fps: &[Vec<u64>],
    max_df: usize,
    min_shared: u32,
) -> SharedPairs {
    check_doc_count(doc_fps.len());
    let mut postings: Vec<(u64, u32)> = doc_fps
        .iter()
        .zip(0u32..)
        .flat_map(|(fps, d)| fps.iter().map(move |&h| (h, d)))
        .collect();
    postings.par_sort_unstable();
    postings.dedup();

    let mut dropped_hashes = 0;
    let mut links: Vec<u64> = Vec::new();
    for run in postings.chunk_by(|x, y| x.0 == y.0) {
        if run.len() > max_df {
            dropped_hashes += 1;
            continue;
        }
        for (i, &(_, a)) in run.iter().enumerate() {
            links.extend(run[i + 1..].iter().map(|&(_, b)| pack(a, b)));
        }
    }
    drop(postings);
    links.par_sort_unstable();

    let pairs = links
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() as u64 >= u64::from(min_shared))
        .map(|run| {
            let (a, b) = unpack(run[0]);
            (a, b, run.len() as u32)
        })
        .collect();
    SharedPairs {
        pairs,
        dropped_hashes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeSet, HashMap};

    fn brute_force(doc_fps: &[Vec<u64>], max_df: usize, min_shared: u32) -> SharedPairs {
        let sets: Vec<BTreeSet<u64>> = doc_fps
            .iter()
            .map(|f| f.iter().copied().collect())
            .collect();
        let mut df: HashMap<u64, usize> = HashMap::new();
        for h in sets.iter().flatten() {
            *df.entry(*h).or_default() += 1;
        }
        let mut pairs = Vec::new();
        for a in 0..sets.len() {
            for b in a + 1..sets.len() {
                let shared = sets[a]
                    .intersection(&sets[b])
                    .filter(|h| df[h] <= max_df)
                    .count() as u32;
                if shared > 0 && shared >= min_shared {
                    pairs.push((a as u32, b as u32, shared));
                }
            }
        }
        let dropped_hashes = df.values().filter(|&&n| n > max_df).count() as u64;
        SharedPairs {
            pairs,
            dropped_hashes,
        }
    }

    #[test]
    fn counts_shared_hashes_and_drops_boilerplate() {
        let docs = vec![
            vec![1, 2, 3, 99, 2],
            vec![3, 2, 99, 7],
            vec![99, 7, 8],
            vec![99, 1],
            vec![],
        ];
        // 99 is in four documents: boilerplate at max_df 3.
        let out = shared_fingerprint_pairs(&docs, 3, 1);
        assert_eq!(out.dropped_hashes, 1);
        assert_eq!(out.pairs, [(0, 1, 2), (0, 3, 1), (1, 2, 1)]);
        assert_eq!(shared_fingerprint_pairs(&docs, 3, 2).pairs, [(0, 1, 2)]);
        let all = shared_fingerprint_pairs(&docs, 4, 0);
        assert_eq!(all.dropped_hashes, 0);
        assert_eq!(all.pairs.len(), 6);
        assert_eq!(all.pairs[0], (0, 1, 3));
    }

    #[test]
    fn same_output_for_any_thread_count() {
        let docs: Vec<Vec<u64>> = (0..2000u64)
            .map(|d| (0..50).map(|i| (d * 7 + i * 13) % 3001).collect())
            .collect();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| shared_fingerprint_pairs(&docs, 100, 2))
        };
        assert_eq!(run(1), run(3));
    }

    proptest! {
        #[test]
        fn matches_brute_force(
            docs in proptest::collection::vec(proptest::collection::vec(0u64..40, 0..12), 0..30),
            max_df in 0usize..8, min_shared in 0u32..4,
        ) {
            prop_assert_eq!(shared_fingerprint_pairs(&docs, max_df, min_shared), brute_force(&docs, max_df, min_shared));
        }
    }
}
