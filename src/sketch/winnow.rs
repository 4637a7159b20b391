//! Winnowing (Schleimer, Wilkerson, Aiken 2003, "Winnowing: local algorithms for document
//! fingerprinting"), robust variant.
//!
//! Input: the hashes of a document's consecutive k-grams (`kgrams[i]` hashes tokens `i..i+k`).
//! In every window of `w` consecutive k-grams the minimum hash is selected; each selected k-gram
//! is recorded once, as a [`Fingerprint`] (hash, position).
//!
//! Guarantee: two documents sharing a run of at least `w + k - 1` tokens share at least one
//! fingerprint hash (the run covers a whole window in both, and both select that window's minimum
//! value). Density on random input is about `2 / (w + 1)` fingerprints per k-gram.
//!
//! Tie rule (the paper's *robust winnowing*): when a window's minimum value occurs several times,
//! the k-gram selected for the previous window is kept if it is still in the window and minimal;
//! otherwise the rightmost minimal k-gram is taken. This keeps low-entropy stretches (a run of
//! identical k-grams) to one fingerprint per `w` k-grams instead of one per k-gram.
//!
//! Not done here: tokenizing and k-gram hashing (the caller's, via `crate::hash::hash_u64s`),
//! and discarding boilerplate fingerprints (the postings pass in [`crate::pipeline`]).

use std::collections::VecDeque;

/// A selected k-gram: its hash and its position (index of the k-gram = of its first token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint {
    /// The k-gram's hash.
    pub hash: u64,
    /// Index of the k-gram, i.e. of its first token.
    pub pos: u32,
}

/// Winnows `kgrams` with window `w` (in k-grams) into `out`, which is cleared first.
///
/// Selected positions are strictly increasing. With fewer than `w` k-grams the minimum of all of
/// them is selected (rightmost on ties), so short documents still get one fingerprint; no k-grams
/// give none. `w = 0` is treated as 1 (every k-gram selected). O(n) time via a monotone deque of
/// at most `w` entries.
///
/// # Panics
/// If `kgrams.len()` exceeds `u32::MAX + 1` (positions are `u32`).
pub fn winnow(kgrams: &[u64], w: usize, out: &mut Vec<Fingerprint>) {
    out.clear();
    assert!(
        kgrams.len() <= u32::MAX as usize + 1,
        "too many k-grams for u32 positions"
    );
    let w = w.clamp(1, kgrams.len().max(1));
    // Positions whose hashes strictly increase from front to back: the front is the window's
    // rightmost minimum. Popping `>=` at the back drops equal values left of a new one.
    let mut deque: VecDeque<usize> = VecDeque::with_capacity(w);
    let mut selected: Option<usize> = None;
    for (i, &h) in kgrams.iter().enumerate() {
        while deque.back().is_some_and(|&j| kgrams[j] >= h) {
            deque.pop_back();
        }
        deque.push_back(i);
        if i + 1 < w {
            continue;
        }
        let start = i + 1 - w;
        if deque[0] < start {
            deque.pop_front();
        }
        let min_pos = deque[0];
        let keep = selected.is_some_and(|p| p >= start && kgrams[p] == kgrams[min_pos]);
        if !keep {
            selected = Some(min_pos);
            out.push(Fingerprint {
                hash: kgrams[min_pos],
                pos: min_pos as u32,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{hash_u64s, SplitMix64};
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn run(kgrams: &[u64], w: usize) -> Vec<Fingerprint> {
        let mut out = vec![Fingerprint { hash: 9, pos: 9 }];
        winnow(kgrams, w, &mut out);
        out
    }

    fn fp(hash: u64, pos: u32) -> Fingerprint {
        Fingerprint { hash, pos }
    }

    /// Direct transcription of robust winnowing: O(n w), for comparison.
    fn reference(kgrams: &[u64], w: usize) -> Vec<Fingerprint> {
        let w = w.clamp(1, kgrams.len().max(1));
        let mut out: Vec<Fingerprint> = Vec::new();
        let mut selected: Option<usize> = None;
        for start in 0..(kgrams.len() + 1).saturating_sub(w) {
            let window = start..start + w;
            let min = window.clone().map(|i| kgrams[i]).min().unwrap();
            if selected.is_some_and(|p| window.contains(&p) && kgrams[p] == min) {
                continue;
            }
            let p = window.rev().find(|&i| kgrams[i] == min).unwrap();
            selected = Some(p);
            out.push(fp(min, p as u32));
        }
        out
    }

    #[test]
    fn paper_example_shape() {
        // Windows of 4 over 77 74 42 17 98 50 17 98 8 88 67 39 77 74 42 17 98 (from the paper).
        let h = [
            77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98,
        ];
        let got = run(&h, 4);
        let want = [fp(17, 3), fp(17, 6), fp(8, 8), fp(39, 11), fp(17, 15)];
        assert_eq!(got, want);
        assert_eq!(got, reference(&h, 4));
    }

    #[test]
    fn short_and_empty_inputs() {
        assert_eq!(run(&[], 4), vec![]);
        assert_eq!(run(&[5], 4), vec![fp(5, 0)]);
        assert_eq!(run(&[5, 3, 3, 7], 10), vec![fp(3, 2)]);
        assert_eq!(run(&[5, 3, 7], 0), vec![fp(5, 0), fp(3, 1), fp(7, 2)]);
        assert_eq!(run(&[5, 3, 7], 1), run(&[5, 3, 7], 0));
    }

    #[test]
    fn long_identical_run_is_linear_and_sparse() {
        let kgrams = vec![7u64; 1_000_000];
        for w in [4, 100] {
            let out = run(&kgrams, w);
            // One fingerprint per w k-grams: the previous pick is kept until it leaves the window.
            assert_eq!(out.len(), kgrams.len() / w);
            assert!(out.windows(2).all(|p| p[1].pos == p[0].pos + w as u32));
        }
    }

    fn kgram_hashes(tokens: &[u64], k: usize) -> Vec<u64> {
        tokens.windows(k).map(|t| hash_u64s(t, 11)).collect()
    }

    proptest! {
        #[test]
        fn matches_reference_and_positions_increase(
            kgrams in proptest::collection::vec(0u64..6, 0..80), w in 0usize..10,
        ) {
            let got = run(&kgrams, w);
            prop_assert_eq!(&got, &reference(&kgrams, w));
            prop_assert!(got.windows(2).all(|p| p[0].pos < p[1].pos));
            for f in &got {
                prop_assert_eq!(kgrams[f.pos as usize], f.hash);
            }
            // Every window contains a selected position.
            let w = w.clamp(1, kgrams.len().max(1));
            for start in 0..(kgrams.len() + 1).saturating_sub(w) {
                prop_assert!(got.iter().any(|f| (start..start + w).contains(&(f.pos as usize))));
            }
        }

        #[test]
        fn shared_run_yields_shared_fingerprint(
            seed in any::<u64>(), k in 1usize..8, w in 1usize..10,
            len_a in 0usize..60, len_b in 0usize..60, extra in 0usize..10,
            at_a in any::<prop::sample::Index>(), at_b in any::<prop::sample::Index>(),
        ) {
            let mut g = SplitMix64::new(seed);
            // Small alphabet so documents also contain repeats and accidental matches.
            let mut tokens = |n: usize| (0..n).map(|_| g.next() % 5).collect::<Vec<u64>>();
            let shared = tokens(w + k - 1 + extra);
            let (mut a, mut b) = (tokens(len_a), tokens(len_b));
            let (ia, ib) = (at_a.index(a.len() + 1), at_b.index(b.len() + 1));
            a.splice(ia..ia, shared.iter().copied());
            b.splice(ib..ib, shared.iter().copied());
            let fa: HashSet<u64> = run(&kgram_hashes(&a, k), w).iter().map(|f| f.hash).collect();
            let fb: HashSet<u64> = run(&kgram_hashes(&b, k), w).iter().map(|f| f.hash).collect();
            prop_assert!(!fa.is_disjoint(&fb));
        }
    }
}
