//! All pairs of 64-bit SimHashes within a Hamming distance, by the pigeonhole block method of
//! Manku, Jain, Das Sarma 2007 ("Detecting near-duplicates for web crawling").
//!
//! The 64 bits are split into `d + 1` contiguous blocks; two hashes at distance at most `d` differ
//! in at most `d` blocks, so they agree exactly on at least one. For each block the documents are
//! sorted by that block's value and compared within runs of equal values; every candidate's full
//! distance is checked.
//!
//! Guarantee: the output contains only pairs within the distance, and all of them, except inside
//! oversized runs (see [`pairs_within`]).
//!
//! Not done here: distances above [`MAX_DISTANCE`]: with 17 or more blocks each block holds 3
//! bits or fewer, runs become huge and the search degenerates into all-pairs comparison.

use rayon::prelude::*;

use super::{check_doc_count, emit_bucket, finish};
use crate::error::{Error, Result};
use crate::sketch::hamming;

/// Largest supported `max_distance` (17 blocks of 3 or 4 bits).
pub const MAX_DISTANCE: u32 = 16;

/// The `max_distance + 1` blocks of the pigeonhole search as `(shift, mask)`: a block's value
/// is `(hash >> shift) & mask`. Blocks are 64 / blocks bits wide, the first 64 % blocks of
/// them one bit wider.
pub fn blocks(max_distance: u32) -> Vec<(u32, u64)> {
    let blocks = max_distance as usize + 1;
    let width = |i: usize| 64 / blocks + usize::from(i < 64 % blocks);
    (0..blocks)
        .map(|block| {
            let shift: usize = (0..block).map(width).sum();
            (shift as u32, u64::MAX >> (64 - width(block)))
        })
        .collect()
}

/// Every pair `(a, b)`, `a < b`, with `hamming(hashes[a], hashes[b]) <= max_distance`, sorted and
/// deduplicated, and the number of oversized runs.
///
/// A run of equal block values longer than `max_bucket` is reduced to a star: only pairs of its
/// smallest document with the others are compared (and emitted when within the distance), and the
/// run is counted. Completeness inside such a run then holds only for the star; pairs missed
/// there are usually caught through another block, but not guaranteed. Blocks run in parallel; the
/// output does not depend on the thread count.
///
/// # Errors
/// [`Error::Config`] if `max_distance` exceeds [`MAX_DISTANCE`].
///
/// # Panics
/// If there are more than 2^32 documents.
pub fn pairs_within(
    hashes: &[u64],
    max_distance: u32,
    max_bucket: usize,
) -> Result<(Vec<(u32, u32)>, u64)> {
    if max_distance > MAX_DISTANCE {
        return Err(Error::Config {
            setting: "simhash_max_distance",
            problem: format!(
                "SimHash distance {max_distance} is above the supported maximum {MAX_DISTANCE}"
            ),
        });
    }
    check_doc_count(hashes.len());
    let per_block: Vec<(Vec<u64>, u64)> = blocks(max_distance)
        .into_par_iter()
        .map(|(shift, mask)| {
            let mut records: Vec<(u64, u32)> = (0..hashes.len() as u64)
                .map(|d| ((hashes[d as usize] >> shift) & mask, d as u32))
                .collect();
            records.sort_unstable();
            let close =
                |a: u32, b: u32| hamming(hashes[a as usize], hashes[b as usize]) <= max_distance;
            let (mut pairs, mut oversized, mut members) = (Vec::new(), 0, Vec::new());
            for run in records.chunk_by(|x, y| x.0 == y.0).filter(|r| r.len() > 1) {
                members.clear();
                members.extend(run.iter().map(|r| r.1));
                oversized += u64::from(emit_bucket(&members, max_bucket, close, &mut pairs));
            }
            (pairs, oversized)
        })
        .collect();
    let oversized = per_block.iter().map(|b| b.1).sum();
    let packed = per_block.into_iter().flat_map(|b| b.0).collect();
    Ok((finish(packed), oversized))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::SplitMix64;
    use proptest::prelude::*;

    fn brute_force(hashes: &[u64], d: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for a in 0..hashes.len() {
            for b in a + 1..hashes.len() {
                if hamming(hashes[a], hashes[b]) <= d {
                    out.push((a as u32, b as u32));
                }
            }
        }
        out
    }

    /// `n` hashes, each a random base hash or a copy of an earlier one with up to `flips` bits
    /// flipped, so there are many true pairs at every distance up to `flips`.
    fn clustered(seed: u64, n: usize, flips: u32) -> Vec<u64> {
        let mut g = SplitMix64::new(seed);
        let mut out: Vec<u64> = Vec::with_capacity(n);
        for _ in 0..n {
            let h = if out.is_empty() || g.next() % 4 == 0 {
                g.next()
            } else {
                let mut h = out[(g.next() % out.len() as u64) as usize];
                for _ in 0..g.next() % (u64::from(flips) + 1) {
                    h ^= 1 << (g.next() % 64);
                }
                h
            };
            out.push(h);
        }
        out
    }

    #[test]
    fn rejects_large_distances() {
        assert!(pairs_within(&[1, 2], 16, 10).is_ok());
        assert!(matches!(
            pairs_within(&[1, 2], 17, 10),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn block_widths_cover_64_bits() {
        // Two hashes differing only in the top bit are found at distance 1, 6 and 16.
        for d in [1, 6, 16] {
            let (pairs, _) = pairs_within(&[0, 1 << 63, 3 << 62], d, 10).unwrap();
            assert_eq!(pairs, brute_force(&[0, 1 << 63, 3 << 62], d), "d={d}");
        }
    }

    #[test]
    fn oversized_runs_form_a_verified_star() {
        let mut hashes = vec![42u64; 1000];
        hashes.push(42 ^ 0b111); // distance 3 from the rest: not linked at distance 2
        let (pairs, oversized) = pairs_within(&hashes, 2, 100).unwrap();
        assert_eq!(pairs.len(), 999);
        assert!(pairs.iter().zip(1..).all(|(&p, b)| p == (0, b)));
        // Every block's run of 1000 (or 1001) equal values is oversized.
        assert_eq!(oversized, 3);
    }

    #[test]
    fn same_output_for_any_thread_count() {
        let hashes = clustered(4, 5000, 6);
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| pairs_within(&hashes, 6, 1000).unwrap())
        };
        assert_eq!(run(1), run(3));
    }

    proptest! {
        #[test]
        fn matches_brute_force(seed in any::<u64>(), n in 0usize..120, d in 0u32..=6, flips in 0u32..=8) {
            let hashes = clustered(seed, n, flips);
            let (pairs, oversized) = pairs_within(&hashes, d, usize::MAX).unwrap();
            prop_assert_eq!(oversized, 0);
            prop_assert_eq!(pairs, brute_force(&hashes, d));
        }

        #[test]
        fn matches_brute_force_on_random_hashes(hashes in proptest::collection::vec(any::<u64>(), 0..60), d in 0u32..=16) {
            prop_assert_eq!(pairs_within(&hashes, d, usize::MAX).unwrap().0, brute_force(&hashes, d));
        }
    }
}
