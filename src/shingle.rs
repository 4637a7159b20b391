//! Shingling: the hashes of every run of `k` consecutive tokens.
//!
//! A shingle's hash is xxh3 (seeded) over the little-endian bytes of its `k` token hashes, so a
//! shingle depends on its tokens and their order and nothing else. A document with fewer than
//! `k` tokens (but at least one) yields a single shingle over all its tokens, so short texts can
//! still be compared; an empty document yields none.

use crate::hash::hash_u64s;

/// Appends to `out` (after clearing it) the hash of every window of `k` consecutive values of
/// `token_hashes`, in order. `k == 0` is treated as 1.
pub fn shingle_hashes(token_hashes: &[u64], k: usize, seed: u64, out: &mut Vec<u64>) {
    out.clear();
    let k = k.max(1);
    if token_hashes.is_empty() {
        return;
    }
    if token_hashes.len() < k {
        out.push(hash_u64s(token_hashes, seed));
        return;
    }
    out.reserve(token_hashes.len() + 1 - k);
    out.extend(token_hashes.windows(k).map(|w| hash_u64s(w, seed)));
}

/// The distinct values of `hashes`, sorted ascending: the shingle *set* of a document.
pub fn to_set(mut hashes: Vec<u64>) -> Vec<u64> {
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_documents_get_one_shingle() {
        let mut out = Vec::new();
        shingle_hashes(&[1, 2], 5, 7, &mut out);
        assert_eq!(out.len(), 1);
        shingle_hashes(&[], 5, 7, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn order_matters_within_a_shingle() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        shingle_hashes(&[1, 2, 3], 3, 7, &mut a);
        shingle_hashes(&[3, 2, 1], 3, 7, &mut b);
        assert_ne!(a, b);
    }

    proptest! {
        #[test]
        fn window_count_and_determinism(tokens in proptest::collection::vec(any::<u64>(), 0..100), k in 1usize..8, seed in any::<u64>()) {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            shingle_hashes(&tokens, k, seed, &mut a);
            shingle_hashes(&tokens, k, seed, &mut b);
            prop_assert_eq!(&a, &b);
            let expected = if tokens.is_empty() { 0 } else { tokens.len().saturating_sub(k) + 1 };
            prop_assert_eq!(a.len(), expected);
        }
    }
}
