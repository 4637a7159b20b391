//! 64-bit weighted SimHash (Charikar 2002, "Similarity estimation techniques from rounding
//! algorithms"; as used for near-duplicate web pages by Manku, Jain, Das Sarma 2007).
//!
//! Features are a document's shingle hashes, with repeats. A feature seen `tf` times weighs
//! `1 + ln(tf)` (the `"shingle-tf-log"` weighting of [`crate::config::FingerprintParams`]). Each
//! distinct feature's hash is first re-mixed with the MurmurHash3 64-bit finalizer (`fmix64`), so
//! that shingle hashes with correlated bits still cast independent-looking votes; bit `j` of the
//! SimHash is 1 when the weighted sum of `+w` (feature bit `j` set) and `-w` (clear) is > 0.
//!
//! Invariant: the result depends only on the multiset of shingle hashes (not their order), and
//! the expected fraction of differing bits between two documents is `θ / π`, θ being the angle
//! between their weighted feature vectors. Identical documents have distance 0.
//!
//! Not done here: no candidate search (see `crate::candidates::hamming`) and no per-token
//! weighting such as IDF; ties (a sum of exactly 0) give bit 0.

/// MurmurHash3's 64-bit finalizer (Appleby): a bijective, avalanching mix.
#[inline(always)]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// Weighted 64-bit SimHash of a document's shingle hashes (with repeats); empty input gives 0.
///
/// Sorts a copy of the input to count term frequencies; see [`simhash_sorted`] to reuse a sort.
pub fn simhash(shingles: &[u64]) -> u64 {
    let mut sorted = shingles.to_vec();
    sorted.sort_unstable();
    simhash_sorted(&sorted)
}

/// `SIGNS[n][b]` is `+1.0` if bit `b` of the nibble `n` is set, else `-1.0`.
const SIGNS: [[f64; 4]; 16] = {
    let mut t = [[0.0; 4]; 16];
    let mut n = 0;
    while n < 16 {
        let mut b = 0;
        while b < 4 {
            t[n][b] = if n >> b & 1 == 1 { 1.0 } else { -1.0 };
            b += 1;
        }
        n += 1;
    }
    t
};

/// [`simhash`] of shingle hashes that are already sorted ascending (repeats adjacent).
///
/// The 64 vote sums are updated four bits at a time from a table of signs: `weight * ±1.0` is
/// exactly `±weight`, so every sum sees the same additions in the same order as a bit-by-bit
/// loop (bit-identical results), but the inner loop has no per-bit branch or variable shift and
/// vectorizes.
pub fn simhash_sorted(sorted: &[u64]) -> u64 {
    debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "input not sorted");
    let mut sums = [0f64; 64];
    for run in sorted.chunk_by(|x, y| x == y) {
        let weight = 1.0 + (run.len() as f64).ln();
        let bits = fmix64(run[0]);
        for (c, quad) in sums.chunks_exact_mut(4).enumerate() {
            let signs = &SIGNS[(bits >> (4 * c) & 0xF) as usize];
            for (sum, &sign) in quad.iter_mut().zip(signs) {
                *sum += weight * sign;
            }
        }
    }
    sums.iter()
        .enumerate()
        .fold(0, |acc, (j, &s)| acc | (u64::from(s > 0.0) << j))
}

/// Number of differing bits between two SimHashes.
#[inline]
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::SplitMix64;
    use proptest::prelude::*;

    #[test]
    fn known_answers() {
        assert_eq!(simhash(&[]), 0);
        // One feature: its mixed bits are the SimHash.
        assert_eq!(simhash(&[42]), fmix64(42));
        assert_eq!(simhash(&[42, 42, 42]), fmix64(42));
        assert_eq!(fmix64(0), 0);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1011, 0b0001), 2);
    }

    #[test]
    fn term_frequency_weighs_logarithmically() {
        // x three times (weight 1 + ln 3 ≈ 2.10) outvotes y and z once each (total 2) wherever y
        // and z agree against x.
        let (x, y, z) = (1u64, 2u64, 3u64);
        let h = simhash(&[x, x, x, y, z]);
        let (fx, fy, fz) = (fmix64(x), fmix64(y), fmix64(z));
        for j in 0..64 {
            let bit = |v: u64| v >> j & 1;
            let sum: f64 = [(fx, 1.0 + 3f64.ln()), (fy, 1.0), (fz, 1.0)]
                .iter()
                .map(|&(f, w)| if bit(f) == 1 { w } else { -w })
                .sum();
            assert_eq!(bit(h), u64::from(sum > 0.0), "bit {j}");
        }
    }

    #[test]
    fn similar_documents_are_close_and_different_ones_are_not() {
        let mut g = SplitMix64::new(3);
        let doc: Vec<u64> = (0..500).map(|_| g.next()).collect();
        let mut edited = doc.clone();
        for v in edited.iter_mut().step_by(25) {
            *v = g.next(); // 4% of shingles changed
        }
        let other: Vec<u64> = (0..500).map(|_| g.next()).collect();
        let (a, b, c) = (simhash(&doc), simhash(&edited), simhash(&other));
        assert!(hamming(a, b) <= 12, "edited: {}", hamming(a, b));
        assert!(hamming(a, c) >= 16, "unrelated: {}", hamming(a, c));
    }

    proptest! {
        #[test]
        fn order_free_and_identical_docs_have_distance_zero(
            mut doc in proptest::collection::vec(0u64..50, 0..100), rot in 0usize..100,
        ) {
            let h = simhash(&doc);
            prop_assert_eq!(hamming(h, simhash(&doc.clone())), 0);
            if !doc.is_empty() {
                let r = rot % doc.len();
                doc.rotate_left(r);
            }
            prop_assert_eq!(h, simhash(&doc));
        }

        #[test]
        fn table_loop_matches_the_bit_by_bit_definition(
            doc in proptest::collection::vec(0u64..40, 0..200),
        ) {
            let mut sorted = doc.clone();
            sorted.sort_unstable();
            let mut sums = [0f64; 64];
            for run in sorted.chunk_by(|x, y| x == y) {
                let weight = 1.0 + (run.len() as f64).ln();
                let bits = fmix64(run[0]);
                for (j, sum) in sums.iter_mut().enumerate() {
                    *sum += if bits >> j & 1 == 1 { weight } else { -weight };
                }
            }
            let want = (0..64).fold(0u64, |acc, j| acc | (u64::from(sums[j] > 0.0) << j));
            prop_assert_eq!(simhash(&doc), want);
            prop_assert_eq!(simhash_sorted(&sorted), want);
        }

        #[test]
        fn hamming_is_a_metric(a in any::<u64>(), b in any::<u64>(), c in any::<u64>()) {
            prop_assert_eq!(hamming(a, a), 0);
            prop_assert_eq!(hamming(a, b), hamming(b, a));
            prop_assert!(hamming(a, c) <= hamming(a, b) + hamming(b, c));
        }
    }
}
