//! Candidate generation: which document pairs are worth comparing.
//!
//! * [`lsh`]: banded LSH over MinHash signatures (Indyk, Motwani 1998; Broder 1997; the banding
//!   scheme of Rajaraman, Ullman, *Mining of Massive Datasets*, ch. 3).
//! * [`hamming`]: all SimHash pairs within a Hamming distance, by pigeonhole blocks (Manku, Jain,
//!   Das Sarma 2007).
//!
//! Conventions shared by every function here: documents are dense `u32` indices into the input
//! slice; every pair `(a, b)` has `a < b`; outputs are sorted ascending and deduplicated, and are
//! identical for any rayon thread count. Grouping is done by sorting vectors of small fixed-size
//! records, never with maps of vectors, so memory stays proportional to the records. Buckets that
//! would explode (thousands of identical documents) are bounded: see [`lsh::lsh_pairs`].
//!
//! Not done here: scoring or verifying candidates beyond what each function documents.

pub mod hamming;
pub mod lsh;

use rayon::slice::ParallelSliceMut;

/// Packs a pair `a < b` into one `u64` whose order is the pair's lexicographic order.
#[inline]
pub(crate) fn pack(a: u32, b: u32) -> u64 {
    debug_assert!(a < b);
    (u64::from(a) << 32) | u64::from(b)
}

#[inline]
pub(crate) fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Sorts, deduplicates and unpacks packed pairs.
fn finish(mut packed: Vec<u64>) -> Vec<(u32, u32)> {
    packed.par_sort_unstable();
    packed.dedup();
    packed.into_iter().map(unpack).collect()
}

/// Emits the pairs of one bucket (`members` ascending and distinct) that pass `accept`.
///
/// A bucket larger than `max_bucket` emits only the star from its first (smallest) member and
/// returns true (oversized).
fn emit_bucket(
    members: &[u32],
    max_bucket: usize,
    accept: impl Fn(u32, u32) -> bool,
    out: &mut Vec<u64>,
) -> bool {
    let oversized = members.len() > max_bucket;
    for (i, &a) in members.iter().enumerate() {
        for &b in &members[i + 1..] {
            if accept(a, b) {
                out.push(pack(a, b));
            }
        }
        if oversized {
            break;
        }
    }
    oversized
}

/// Panics if a slice of `len` documents cannot be indexed by `u32`.
fn check_doc_count(len: usize) {
    assert!(
        len <= u32::MAX as usize + 1,
        "more than 2^32 documents cannot be indexed by u32"
    );
}
