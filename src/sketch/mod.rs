//! Document sketches: compact summaries of a document's shingle set that survive rewriting.
//!
//! * [`minhash`]: a K-value MinHash [`Signature`] whose positions agree with probability equal
//!   to the Jaccard similarity of two shingle sets (Broder 1997). Feeds banded LSH.
//! * [`simhash`](mod@simhash): a 64-bit weighted SimHash (Charikar 2002) whose Hamming distance tracks the
//!   cosine distance of two shingle-frequency vectors. Feeds Hamming-ball candidate search.
//! * [`winnow`](mod@winnow): winnowed k-gram fingerprints (Schleimer, Wilkerson, Aiken 2003) that guarantee a
//!   shared fingerprint for every long enough shared passage. Feeds the postings index and
//!   passage alignment.
//!
//! Every function here is pure and deterministic: the same input (and seed) gives the same output
//! on every platform and thread count. None of them tokenizes or hashes text; they take the
//! shingle / k-gram hashes the caller computed with [`crate::hash`].

pub mod minhash;
pub mod simhash;
pub mod winnow;

pub use minhash::{MinHasher, PermutationFamily, Signature};
pub use simhash::{hamming, simhash, simhash_sorted};
pub use winnow::winnow;
