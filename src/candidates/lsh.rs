//! Banded locality-sensitive hashing over MinHash signatures (Rajaraman, Ullman, *Mining of
//! Massive Datasets*, ch. 3.4; parameter choice as in the `datasketch` library's MinHashLSH).
//!
//! A signature of K values is cut into `bands` bands of `rows` values; two documents become a
//! candidate pair when they agree on every value of at least one band. For Jaccard similarity `s`
//! that happens with probability `1 - (1 - s^rows)^bands`, an S-curve whose steep part sits near
//! `(1 / bands)^(1 / rows)`. [`optimal_params`] picks the bands and rows that best separate a
//! threshold.
//!
//! Guarantee of [`lsh_pairs`]: every emitted pair shares a band key, and every pair of non-empty
//! signatures agreeing on a whole band is emitted, except inside oversized buckets, which are
//! reduced to a star (see there). Keys are 64-bit hashes of the band's values, so two different
//! bands collide with probability 2^-64 (a false candidate, never a missed one).
//!
//! Not done here: verifying candidates against the estimated or exact Jaccard similarity.

use rayon::prelude::*;

use super::{check_doc_count, emit_bucket, finish};
use crate::hash::hash_bytes;
use crate::sketch::Signature;

/// How a signature is cut: `bands` bands of `rows` consecutive values (the first
/// `bands * rows` values are used).
pub use crate::config::Banding;

/// Composite Simpson's rule with 1000 intervals: error far below the differences that decide
/// between neighbouring parameter choices.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const N: usize = 1000;
    let h = (hi - lo) / N as f64;
    let inner: f64 = (1..N)
        .map(|i| f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(lo) + inner + f(hi)) * h / 3.0
}

/// The bands and rows (`bands * rows <= num_perm`) minimizing
/// `fp_weight * FP + fn_weight * FN` for a similarity `threshold`, where
/// FP = ∫₀ᵗ P(s) ds is the area under the S-curve below the threshold (false candidates) and
/// FN = ∫ₜ¹ (1 - P(s)) ds the area above it beyond (missed pairs).
///
/// Areas are integrated numerically (Simpson, 1000 intervals). Candidates are tried with
/// `bands` ascending, then `rows` ascending; the first strict minimum wins, as in `datasketch`.
/// The threshold is clamped to `[0, 1]`.
///
/// # Panics
/// If `num_perm` is 0.
pub fn optimal_params(threshold: f64, num_perm: usize, fp_weight: f64, fn_weight: f64) -> Banding {
    assert!(num_perm > 0, "LSH needs at least one permutation");
    let t = threshold.clamp(0.0, 1.0);
    let mut best = (f64::INFINITY, Banding { bands: 1, rows: 1 });
    for bands in 1..=num_perm {
        for rows in 1..=num_perm / bands {
            let p = Banding { bands, rows };
            let fp = integrate(|s| p.probability(s), 0.0, t);
            let fneg = integrate(|s| 1.0 - p.probability(s), t, 1.0);
            let error = fp_weight * fp + fn_weight * fneg;
            if error < best.0 {
                best = (error, p);
            }
        }
    }
    best.1
}

/// Weight of false candidates when the banding is chosen for a threshold ([`banding_for`]).
pub const FALSE_CANDIDATE_WEIGHT: f64 = 0.1;
/// Weight of missed pairs when the banding is chosen for a threshold ([`banding_for`]).
pub const MISSED_PAIR_WEIGHT: f64 = 0.9;

/// The banding a config asks for: its explicit [`crate::config::Config::banding`], or the
/// `optimal_params` for `relations.near_duplicate` with missed pairs weighted 9 to 1 against
/// false candidates. Every candidate is verified exactly, so a false candidate costs one
/// verification while a missed pair is lost: at 128 permutations this picks 14x9 at 0.8
/// (a pair at the threshold becomes a candidate with probability 0.87, at 0.85 with 0.975),
/// 32x4 at 0.5 and 8x16 at 0.9, where equal weights picked 9x13 (0.40 at the threshold).
pub fn banding_for(config: &crate::config::Config) -> Banding {
    match config.banding {
        Some(b) => b,
        None => optimal_params(
            config.relations.near_duplicate,
            config.fingerprint.num_perm,
            FALSE_CANDIDATE_WEIGHT,
            MISSED_PAIR_WEIGHT,
        ),
    }
}

/// The key of one band: `xxh3(values as little-endian u32 bytes, seed = band)`. `scratch` is
/// a reusable buffer. Shared with the persistent index so both find the same candidates.
pub fn band_key(values: &[u32], band: usize, scratch: &mut Vec<u8>) -> u64 {
    // Bands of up to 32 rows (all but unusual bandings) go through a stack buffer.
    let mut small = [0u8; 4 * 32];
    let bytes: &[u8] = if values.len() <= 32 {
        for (chunk, v) in small.chunks_exact_mut(4).zip(values) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        &small[..values.len() * 4]
    } else {
        scratch.clear();
        for v in values {
            scratch.extend_from_slice(&v.to_le_bytes());
        }
        scratch
    };
    hash_bytes(bytes, band as u64)
}

/// Candidate pairs from [`lsh_pairs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LshOutcome {
    /// Pairs `(a, b)`, `a < b`, sorted and deduplicated.
    pub pairs: Vec<(u32, u32)>,
    /// Buckets (over all bands) larger than `max_bucket`, reduced to a star.
    pub oversized_buckets: u64,
}

/// All pairs of documents whose signatures agree on at least one whole band.
///
/// For band `i`, a document's key is `xxh3(rows as little-endian u32 bytes, seed = i)`; each band
/// sorts its `(key, doc)` records and emits every pair within a run of equal keys. A run larger
/// than `max_bucket` (say, 10 000 copies of one boilerplate page) instead links each member to its
/// smallest document: a star that keeps the group connected for clustering with bounded output;
/// such buckets are counted in [`LshOutcome::oversized_buckets`], and completeness inside them
/// holds only for the star's pairs. Empty-set signatures ([`Signature::is_empty_set`]) are
/// skipped, as they would all collide. Bands run in parallel; the output does not depend on the
/// thread count.
///
/// # Panics
/// If a non-empty signature is shorter than `bands * rows`, or there are more than 2^32 documents.
pub fn lsh_pairs<S: std::borrow::Borrow<Signature> + Sync>(
    sigs: &[S],
    params: Banding,
    max_bucket: usize,
) -> LshOutcome {
    check_doc_count(sigs.len());
    let Banding { bands, rows } = params;
    let live: Vec<u32> = (0..sigs.len() as u64)
        .map(|d| d as u32)
        .filter(|&d| !sigs[d as usize].borrow().is_empty_set())
        .collect();
    if let Some(&d) = live
        .iter()
        .find(|&&d| sigs[d as usize].borrow().0.len() < bands * rows)
    {
        panic!("signature of document {d} is shorter than {bands} bands x {rows} rows");
    }
    if rows == 0 {
        return LshOutcome {
            pairs: Vec::new(),
            oversized_buckets: 0,
        };
    }
    // Every band key of a document at once, while its signature is in cache (one pass over
    // the signatures instead of one per band): keys[j * bands + band] for live document j.
    let keys: Vec<u64> = live
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            let mut scratch = Vec::new();
            let mut out = Vec::with_capacity(chunk.len() * bands);
            for &d in chunk {
                let sig = &sigs[d as usize].borrow().0;
                for band in 0..bands {
                    out.push(band_key(
                        &sig[band * rows..(band + 1) * rows],
                        band,
                        &mut scratch,
                    ));
                }
            }
            out
        })
        .collect();
    let per_band: Vec<(Vec<u64>, u64)> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut records: Vec<(u64, u32)> = live
                .iter()
                .enumerate()
                .map(|(j, &d)| (keys[j * bands + band], d))
                .collect();
            records.sort_unstable();
            let (mut pairs, mut oversized, mut members) = (Vec::new(), 0, Vec::new());
            for run in records.chunk_by(|x, y| x.0 == y.0).filter(|r| r.len() > 1) {
                members.clear();
                members.extend(run.iter().map(|r| r.1));
                oversized += u64::from(emit_bucket(&members, max_bucket, |_, _| true, &mut pairs));
            }
            (pairs, oversized)
        })
        .collect();
    let oversized_buckets = per_band.iter().map(|b| b.1).sum();
    let packed = per_band.into_iter().flat_map(|b| b.0).collect();
    LshOutcome {
        pairs: finish(packed),
        oversized_buckets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::SplitMix64;
    use proptest::prelude::*;

    /// The default banding weights missed pairs 9 to 1 (see [`banding_for`]).
    #[test]
    fn default_banding_keeps_most_pairs_at_the_threshold() {
        for (t, want) in [(0.5, (32, 4)), (0.8, (14, 9)), (0.9, (8, 16))] {
            let mut config = crate::config::Config::default();
            config.relations.near_duplicate = t;
            let p = banding_for(&config);
            assert_eq!((p.bands, p.rows), want, "threshold {t}");
            assert!(
                p.probability(t) > 0.8,
                "threshold {t}: {}",
                p.probability(t)
            );
        }
    }

    /// Prints the chosen parameters (`--nocapture`) and pins them.
    #[test]
    fn optimal_params_for_128_permutations() {
        for (t, want) in [(0.5, (25, 5)), (0.8, (9, 13)), (0.9, (5, 25))] {
            let p = optimal_params(t, 128, 0.5, 0.5);
            println!(
                "t={t}: bands={} rows={} (P(t)={:.3}, S-curve midpoint {:.3})",
                p.bands,
                p.rows,
                p.probability(t),
                (1.0 / p.bands as f64).powf(1.0 / p.rows as f64)
            );
            assert_eq!((p.bands, p.rows), want, "t={t}");
            assert!(p.bands * p.rows <= 128);
        }
    }

    #[test]
    fn matches_datasketch_documented_examples() {
        // Examples from the docstring of datasketch's parameter search (scipy quad integration).
        let p = optimal_params(0.75, 256, 0.5, 0.5);
        assert_eq!((p.bands, p.rows), (21, 12));
        let p = optimal_params(0.75, 256, 0.1, 0.9);
        assert_eq!((p.bands, p.rows), (28, 9));
    }

    #[test]
    fn integration_is_accurate() {
        let got = integrate(|s| s.powi(7), 0.0, 0.8);
        assert!((got - 0.8f64.powi(8) / 8.0).abs() < 1e-12);
        assert_eq!(integrate(|s| s, 0.5, 0.5), 0.0);
    }

    #[test]
    fn weights_move_the_curve() {
        // Punishing false negatives more lowers the S-curve's midpoint.
        let mid = |p: Banding| (1.0 / p.bands as f64).powf(1.0 / p.rows as f64);
        let fn_heavy = optimal_params(0.8, 128, 0.1, 0.9);
        let fp_heavy = optimal_params(0.8, 128, 0.9, 0.1);
        assert!(mid(fn_heavy) < mid(fp_heavy));
    }

    fn sig(values: &[u32]) -> Signature {
        Signature(values.to_vec())
    }

    #[test]
    fn identical_signatures_form_a_star_when_oversized() {
        let mut g = SplitMix64::new(5);
        let one = Signature((0..128).map(|_| g.next() as u32).collect());
        let sigs = vec![one; 10_000];
        let out = lsh_pairs(&sigs, Banding { bands: 16, rows: 8 }, 100);
        assert_eq!(out.oversized_buckets, 16);
        assert_eq!(out.pairs.len(), 9_999);
        assert!(out.pairs.iter().zip(1..).all(|(&p, b)| p == (0, b)));
    }

    #[test]
    fn empty_sets_and_small_buckets() {
        let empty = sig(&[u32::MAX; 4]);
        let sigs = [
            empty.clone(),
            sig(&[1, 2, 3, 4]),
            empty,
            sig(&[1, 2, 9, 9]),
            sig(&[1, 2, 3, 4]),
        ];
        let out = lsh_pairs(&sigs, Banding { bands: 2, rows: 2 }, 3);
        assert_eq!(out.pairs, [(1, 3), (1, 4), (3, 4)]);
        assert_eq!(out.oversized_buckets, 0);
        // The same bucket of three with max_bucket 2 becomes a star from doc 1.
        let out = lsh_pairs(&sigs, Banding { bands: 2, rows: 2 }, 2);
        assert_eq!(out.pairs, [(1, 3), (1, 4)]);
        assert_eq!(out.oversized_buckets, 1);
        assert!(
            lsh_pairs(&[] as &[Signature], Banding { bands: 2, rows: 2 }, 2)
                .pairs
                .is_empty()
        );
    }

    #[test]
    fn same_output_for_any_thread_count() {
        let mut g = SplitMix64::new(9);
        let sigs: Vec<Signature> = (0..3000)
            .map(|_| Signature((0..32).map(|_| (g.next() % 3) as u32).collect()))
            .collect();
        let params = Banding { bands: 8, rows: 4 };
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| lsh_pairs(&sigs, params, 50))
        };
        assert_eq!(run(1), run(3));
    }

    /// All pairs of non-empty signatures equal on some whole band.
    fn brute_force(sigs: &[Signature], p: Banding) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for a in 0..sigs.len() {
            for b in a + 1..sigs.len() {
                let (sa, sb) = (&sigs[a], &sigs[b]);
                if sa.is_empty_set() || sb.is_empty_set() {
                    continue;
                }
                let band = |s: &Signature, i: usize| s.0[i * p.rows..(i + 1) * p.rows].to_vec();
                if (0..p.bands).any(|i| band(sa, i) == band(sb, i)) {
                    out.push((a as u32, b as u32));
                }
            }
        }
        out
    }

    proptest! {
        #[test]
        fn matches_brute_force_banding(
            raw in proptest::collection::vec(proptest::collection::vec(0u32..3, 12), 0..40),
            bands in 1usize..=4, rows in 1usize..=3, empties in proptest::collection::vec(any::<bool>(), 40),
        ) {
            let sigs: Vec<Signature> = raw
                .into_iter()
                .zip(&empties)
                .map(|(v, &e)| Signature(if e { vec![u32::MAX; 12] } else { v }))
                .collect();
            let p = Banding { bands, rows };
            let out = lsh_pairs(&sigs, p, usize::MAX);
            prop_assert_eq!(out.oversized_buckets, 0);
            prop_assert_eq!(out.pairs, brute_force(&sigs, p));
        }
    }
}
