//! MinHash signatures (Broder 1997, "On the resemblance and containment of documents").
//!
//! A [`MinHasher`] holds K hash functions `h_i(x) = (a_i * x + b_i) mod p` with the Mersenne prime
//! `p = 2^61 - 1` (the family `"mul-add-mod-2^61-1"` of [`crate::config::FingerprintParams`]).
//! The signature of a set of shingle hashes is, for each `i`, the minimum of `h_i` over the set,
//! truncated to its top 32 bits. For two sets A and B, each position of their signatures agrees
//! with probability close to the Jaccard similarity `|A ∩ B| / |A ∪ B|`, so the fraction of equal
//! positions ([`Signature::estimate_jaccard`]) is an estimate with standard error about
//! `sqrt(J (1 - J) / K)`.
//!
//! Invariants: a signature depends only on the *set* of its input hashes (not their order or
//! repeats), on K and on the seed; `sign(A ∪ B) == sign(A).merge(&sign(B))`. The coefficients for a
//! seed are pinned by a known-answer test because stored signatures depend on them.
//!
//! Not done here: the family is 2-universal, not exactly min-wise independent; on hashed
//! (xxh3) shingles the difference is not measurable at K = 128 (see the bias test). Nothing here
//! parallelizes; callers sign many documents in parallel.

use serde::{Deserialize, Serialize};

use crate::hash::SplitMix64;

/// The Mersenne prime 2^61 - 1.
const P: u64 = (1 << 61) - 1;

/// `v mod p` for any `v < 2^64`.
#[inline(always)]
fn reduce64(v: u64) -> u64 {
    let r = (v & P) + (v >> 61);
    if r >= P {
        r - P
    } else {
        r
    }
}

/// `(a * x + b) mod p` for `a, x, b < p`, with 32 x 32 -> 64-bit products only, so the loop over
/// permutations auto-vectorizes (SSE2 `pmuludq`, AVX2 `vpmuludq`); a `u128` product does not.
///
/// With `a = ah 2^32 + al`, `x = xh 2^32 + xl` (`ah, xh < 2^29`):
/// `a x = ah xh 2^64 + mid 2^32 + al xl`, `mid = ah xl + al xh < 2^62`. Modulo `p`,
/// `2^61 ≡ 1`, so `2^64 ≡ 8`, `mid 2^32 ≡ (mid >> 29) + (mid mod 2^29) 2^32` and
/// `v ≡ (v >> 61) + (v & p)`. The five terms plus `b` sum to less than `2^63`; folding once more
/// leaves `s < 2p`, and `s >= p` exactly when bit 61 of `s + 1` is set, in which case
/// `(s + 1) & p == s - p`: no compare, no branch.
#[inline(always)]
fn mul_add_mod(a: u64, x: u64, b: u64) -> u64 {
    const LOW: u64 = 0xFFFF_FFFF;
    let (al, ah, xl, xh) = (a & LOW, a >> 32, x & LOW, x >> 32);
    let ll = al * xl;
    let mid = ah * xl + al * xh;
    let hh = ah * xh;
    let sum = (hh << 3) + (mid >> 29) + ((mid & ((1 << 29) - 1)) << 32) + (ll & P) + (ll >> 61) + b;
    let s = (sum & P) + (sum >> 61);
    (s + ((s + 1) >> 61)) & P
}

/// The top 32 of the 61 bits of a hash value: bits 29..61.
#[inline(always)]
fn top32(v: u64) -> u32 {
    (v >> 29) as u32
}

/// K seeded hash functions `(a_i x + b_i) mod (2^61 - 1)` that turn a shingle set into a
/// [`Signature`].
///
/// Coefficients are drawn from [`SplitMix64::new(seed)`](SplitMix64) in the order
/// `a_0, b_0, a_1, b_1, ...`; each draw is `next() >> 3` (61 bits), redrawn while it is out of
/// range (`a_i` must lie in `[1, p)`, `b_i` in `[0, p)`).
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    /// K = `num_perm` hash functions derived from `seed`.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let mut draw = |lowest: u64| loop {
            let v = rng.next() >> 3;
            if (lowest..P).contains(&v) {
                return v;
            }
        };
        let (mut a, mut b) = (Vec::with_capacity(num_perm), Vec::with_capacity(num_perm));
        for _ in 0..num_perm {
            a.push(draw(1));
            b.push(draw(0));
        }
        MinHasher { a, b }
    }

    /// K, the length of every signature this hasher makes.
    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// The signature of a set of shingle hashes; duplicates and order do not matter.
    ///
    /// The empty set gets the all-`u32::MAX` signature (see [`Signature::is_empty_set`]).
    pub fn sign(&self, shingles: &[u64]) -> Signature {
        let mut out = vec![u32::MAX; self.num_perm()];
        self.sign_into(shingles, &mut out);
        Signature(out)
    }

    /// Folds `shingles` into running minima `out` (length K) without allocating.
    ///
    /// Start from all-`u32::MAX` for a fresh signature; starting from an existing signature gives
    /// the signature of the union.
    ///
    /// # Panics
    /// If `out.len() != self.num_perm()`.
    pub fn sign_into(&self, shingles: &[u64], out: &mut [u32]) {
        assert_eq!(
            out.len(),
            self.num_perm(),
            "signature buffer has the wrong length"
        );
        let (a, b) = (&self.a[..], &self.b[..out.len()]);
        // Shingles outer, permutations inner over contiguous arrays: branch-free, vectorizable,
        // no allocation, minima stay in `out`.
        for &h in shingles {
            let x = reduce64(h);
            for ((m, &ai), &bi) in out.iter_mut().zip(a).zip(b) {
                *m = (*m).min(top32(mul_add_mod(ai, x, bi)));
            }
        }
    }
}

/// A MinHash signature: per hash function, the minimum over the set (top 32 bits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// Estimated Jaccard similarity: the fraction of positions where the two signatures agree.
    ///
    /// Signatures must have the same length (checked in debug builds; otherwise the shorter
    /// length is compared and the longer divides). If either side is the empty set the result is
    /// 0.0: Jaccard of two empty sets is 0/0, and returning 0 keeps empty documents from looking
    /// like copies of each other (callers treat them separately).
    pub fn estimate_jaccard(&self, other: &Signature) -> f64 {
        debug_assert_eq!(self.0.len(), other.0.len(), "signatures of different K");
        let len = self.0.len().max(other.0.len());
        if len == 0 || self.is_empty_set() || other.is_empty_set() {
            return 0.0;
        }
        let equal = self.0.iter().zip(&other.0).filter(|(x, y)| x == y).count();
        equal as f64 / len as f64
    }

    /// The signature of the union of the two sets: the element-wise minimum.
    pub fn merge(&self, other: &Signature) -> Signature {
        debug_assert_eq!(self.0.len(), other.0.len(), "signatures of different K");
        Signature(
            self.0
                .iter()
                .zip(&other.0)
                .map(|(x, y)| *x.min(y))
                .collect(),
        )
    }

    /// Whether this is the signature of the empty set (every value `u32::MAX`).
    ///
    /// A non-empty set has this signature only if all K of its minima fall in the top 2^-32 of
    /// the hash range, which does not happen in practice.
    pub fn is_empty_set(&self) -> bool {
        self.0.iter().all(|&v| v == u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    const SEED: u64 = 0x5354_454D_4D41;

    #[test]
    fn coefficients_known_answer() {
        // Pinned: changing these silently invalidates every stored signature.
        let m = MinHasher::new(128, SEED);
        assert_eq!(m.a[0], 0x1FE7_E676_9273_E464, "a_0");
        assert_eq!(m.b[0], 0x17F3_05FE_689F_DDE1, "b_0");
        assert_eq!(m.a[1], 0x1DC4_E5EA_A36E_43DC, "a_1");
        assert!(m.a.iter().all(|&a| (1..P).contains(&a)));
        assert!(m.b.iter().all(|&b| b < P));
        // A prefix of the coefficients does not depend on K.
        assert_eq!(MinHasher::new(2, SEED).a[..], m.a[..2]);
    }

    #[test]
    fn signature_known_answer() {
        let m = MinHasher::new(4, SEED);
        // Cross-checked against an independent Python transcription of SplitMix64 and the family.
        let want = [3_176_516_368, 2_088_042_422, 1_451_045_393, 95_309_860];
        assert_eq!(m.sign(&[1, 2, 3]).0, want);
    }

    #[test]
    fn mul_add_mod_matches_u128_remainder() {
        let mut g = SplitMix64::new(7);
        let edge = [0, 1, 2, P - 2, P - 1];
        for i in 0..10_000 {
            let pick = |g: &mut SplitMix64, j: usize| {
                if i < 125 {
                    edge[(i / 5usize.pow(j as u32)) % 5]
                } else {
                    g.next() % P
                }
            };
            let (a, x, b) = (pick(&mut g, 0), pick(&mut g, 1), pick(&mut g, 2));
            let want = ((a as u128 * x as u128 + b as u128) % P as u128) as u64;
            assert_eq!(mul_add_mod(a, x, b), want, "{a} {x} {b}");
        }
        for v in [0, 1, P - 1, P, P + 1, 2 * P, u64::MAX, u64::MAX - 1] {
            assert_eq!(reduce64(v), v % P);
        }
    }

    #[test]
    fn empty_set() {
        let m = MinHasher::new(16, SEED);
        let e = m.sign(&[]);
        assert!(e.is_empty_set());
        assert_eq!(e.0, vec![u32::MAX; 16]);
        let x = m.sign(&[42]);
        assert!(!x.is_empty_set());
        assert_eq!(e.estimate_jaccard(&e), 0.0);
        assert_eq!(e.estimate_jaccard(&x), 0.0);
        assert_eq!(x.estimate_jaccard(&x), 1.0);
        assert_eq!(e.merge(&x), x);
    }

    /// Two random sets with `inter` shared and `only_a` / `only_b` private elements.
    fn sets_with_overlap(
        g: &mut SplitMix64,
        inter: usize,
        only_a: usize,
        only_b: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let mut draw = |n: usize| (0..n).map(|_| g.next()).collect::<Vec<_>>();
        let (common, pa, pb) = (draw(inter), draw(only_a), draw(only_b));
        ([&common[..], &pa].concat(), [&common[..], &pb].concat())
    }

    /// Bias and RMSE of the estimate at Jaccard `j` over `trials` random set pairs (union 400).
    fn error_stats(j: f64, k: usize, trials: usize, seed: u64) -> (f64, f64, Vec<f64>) {
        let mut g = SplitMix64::new(seed);
        let union = 400;
        let inter = (j * union as f64).round() as usize;
        let only_a = (union - inter) / 2;
        let exact = inter as f64 / (inter + only_a + (union - inter - only_a)) as f64;
        let errors: Vec<f64> = (0..trials)
            .map(|_| {
                let m = MinHasher::new(k, g.next());
                let (a, b) = sets_with_overlap(&mut g, inter, only_a, union - inter - only_a);
                m.sign(&a).estimate_jaccard(&m.sign(&b)) - exact
            })
            .collect();
        let bias = errors.iter().sum::<f64>() / trials as f64;
        let rmse = (errors.iter().map(|e| e * e).sum::<f64>() / trials as f64).sqrt();
        (bias, rmse, errors)
    }

    #[test]
    fn estimate_within_five_sigma_and_unbiased() {
        let (k, trials) = (128, 200);
        for (i, &j) in [0.1, 0.3, 0.5, 0.8, 0.95].iter().enumerate() {
            let sigma = (j * (1.0 - j) / k as f64).sqrt();
            let (bias, _, errors) = error_stats(j, k, trials, 1000 + i as u64);
            for e in &errors {
                assert!(
                    e.abs() <= 5.0 * sigma,
                    "J={j}: error {e} beyond 5 sigma {sigma}"
                );
            }
            let bound = 3.0 * sigma / (trials as f64).sqrt();
            assert!(bias.abs() < bound, "J={j}: bias {bias} >= {bound}");
        }
    }

    /// Prints bias and RMSE at K = 128 (`cargo test --release --lib -- --nocapture minhash_error`).
    #[test]
    fn minhash_error_report() {
        let (k, trials) = (128, 2000);
        println!("MinHash K={k}, {trials} trials, |A ∪ B| = 400");
        for j in [0.1, 0.3, 0.5, 0.8, 0.95] {
            let (bias, rmse, _) = error_stats(j, k, trials, 77);
            let sigma = (j * (1.0 - j) / k as f64).sqrt();
            println!("  J={j:<5} bias={bias:+.5} rmse={rmse:.5} (binomial sigma {sigma:.5})");
            assert!(rmse < 1.2 * sigma && bias.abs() < 0.01);
        }
    }

    fn set_strategy() -> impl Strategy<Value = Vec<u64>> {
        // Small value range so that sets overlap often.
        proptest::collection::vec(0u64..300, 0..60)
    }

    proptest! {
        #[test]
        fn mul_add_mod_is_exact(a in 0..P, x in 0..P, b in 0..P) {
            let want = ((a as u128 * x as u128 + b as u128) % P as u128) as u64;
            prop_assert_eq!(mul_add_mod(a, x, b), want);
        }

        #[test]
        fn deterministic_and_set_semantics(
            mut s in set_strategy(), seed in any::<u64>(), k in 1usize..40, rot in 0usize..60,
        ) {
            let m = MinHasher::new(k, seed);
            let sig = m.sign(&s);
            prop_assert_eq!(&sig, &MinHasher::new(k, seed).sign(&s));
            let mut repeated = s.clone();
            repeated.extend_from_slice(&s);
            prop_assert_eq!(&sig, &m.sign(&repeated));
            if !s.is_empty() {
                let r = rot % s.len();
                s.rotate_left(r);
            }
            s.reverse();
            prop_assert_eq!(&sig, &m.sign(&s));
            prop_assert_eq!(sig.is_empty_set(), s.is_empty());
        }

        #[test]
        fn union_is_merge(a in set_strategy(), b in set_strategy(), seed in any::<u64>()) {
            let m = MinHasher::new(32, seed);
            let union = [&a[..], &b[..]].concat();
            prop_assert_eq!(m.sign(&union), m.sign(&a).merge(&m.sign(&b)));
        }

        #[test]
        fn estimate_is_a_fraction_and_exact_for_equal_or_disjoint(a in set_strategy(), b in set_strategy()) {
            let m = MinHasher::new(64, SEED);
            let (sa, sb) = (m.sign(&a), m.sign(&b));
            let est = sa.estimate_jaccard(&sb);
            prop_assert!((0.0..=1.0).contains(&est));
            prop_assert_eq!(est, sb.estimate_jaccard(&sa));
            let (ha, hb): (HashSet<_>, HashSet<_>) = (a.iter().collect(), b.iter().collect());
            if !a.is_empty() && ha == hb {
                prop_assert_eq!(est, 1.0);
            }
            if ha.is_disjoint(&hb) {
                // Disjoint sets agree only on 32-bit truncation collisions of the minima.
                prop_assert!(est <= 2.0 / 64.0);
            }
        }
    }
}
