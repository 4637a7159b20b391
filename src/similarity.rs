//! Exact set similarity on sorted, distinct `u64` sets (shingle sets).
//!
//! These are the figures every relation is decided on: MinHash and SimHash only propose
//! candidates, and every candidate is verified here on the exact sets.

/// Size of the intersection of two sorted, distinct slices (linear merge; galloping when one
/// side is much smaller).
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0;
    }
    if large.len() / small.len() >= 16 {
        return small
            .iter()
            .filter(|x| large.binary_search(x).is_ok())
            .count();
    }
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < small.len() && j < large.len() {
        match small[i].cmp(&large[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard resemblance and both containments of two sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetOverlap {
    /// |A ∩ B|.
    pub shared: usize,
    /// |A ∩ B| / |A ∪ B|; 0 when both are empty.
    pub jaccard: f64,
    /// |A ∩ B| / |A|: how much of A is found in B; 0 when A is empty.
    pub containment_a_in_b: f64,
    /// |A ∩ B| / |B|.
    pub containment_b_in_a: f64,
}

/// Exact overlap figures of two sorted, distinct sets.
pub fn overlap(a: &[u64], b: &[u64]) -> SetOverlap {
    let shared = intersection_size(a, b);
    let union = a.len() + b.len() - shared;
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    SetOverlap {
        shared,
        jaccard: ratio(shared, union),
        containment_a_in_b: ratio(shared, a.len()),
        containment_b_in_a: ratio(shared, b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn simple_figures() {
        let o = overlap(&[1, 2, 3, 4], &[3, 4, 5, 6, 7, 8]);
        assert_eq!(o.shared, 2);
        assert!((o.jaccard - 0.25).abs() < 1e-12);
        assert!((o.containment_a_in_b - 0.5).abs() < 1e-12);
        assert!((o.containment_b_in_a - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(overlap(&[], &[]).jaccard, 0.0);
    }

    proptest! {
        #[test]
        fn matches_btreeset(a in proptest::collection::btree_set(0u64..200, 0..80), b in proptest::collection::btree_set(0u64..200, 0..800)) {
            let av: Vec<u64> = a.iter().copied().collect();
            let bv: Vec<u64> = b.iter().copied().collect();
            let expected = a.intersection(&b).count();
            prop_assert_eq!(intersection_size(&av, &bv), expected);
            prop_assert_eq!(intersection_size(&bv, &av), expected);
            let o = overlap(&av, &bv);
            let u: BTreeSet<_> = a.union(&b).collect();
            if !u.is_empty() {
                prop_assert!((o.jaccard - expected as f64 / u.len() as f64).abs() < 1e-12);
            }
        }
    }
}
