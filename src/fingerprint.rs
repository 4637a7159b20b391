//! Per-document fingerprints, for engines that spread the work over many machines (the Python
//! package's Spark engine): a [`Profiler`] turns a text into its [`Profile`] or the smaller
//! [`DedupKey`]; [`banding_for`] and [`band_key`] give the LSH band keys under which candidate
//! pairs meet; [`overlap`] is the exact overlap of two shingle sets
//! ([`Profiler::shingle_set`]). Same text and parameters, same values on every machine and
//! thread count, so fingerprints computed apart can be grouped together.
//!
//! ```
//! use stemma::fingerprint::{band_key, banding_for, overlap, Profiler};
//! use stemma::Config;
//!
//! let config = Config::default();
//! let profiler = Profiler::try_new(&config.fingerprint).unwrap();
//! let a = "the committee approved the budget for the new school after a long debate on tuesday";
//! let b = "the committee approved the budget for the new school after a short debate on tuesday";
//! let (ka, kb) = (profiler.dedup_key(a), profiler.dedup_key(b));
//!
//! // Documents that share a band key are candidates; the exact overlap verifies them.
//! let banding = banding_for(&config);
//! let mut buf = Vec::new();
//! let keys = |sig: &[u32], buf: &mut Vec<u8>| -> Vec<u64> {
//!     let rows = banding.rows;
//!     (0..banding.bands)
//!         .map(|band| band_key(&sig[band * rows..(band + 1) * rows], band, buf))
//!         .collect()
//! };
//! let (keys_a, keys_b) = (keys(&ka.signature.0, &mut buf), keys(&kb.signature.0, &mut buf));
//! let shared = keys_a.iter().zip(&keys_b).filter(|(x, y)| x == y).count();
//! let jaccard = overlap(&profiler.shingle_set(a), &profiler.shingle_set(b)).jaccard;
//! assert!(jaccard > 0.5 && jaccard < 1.0);
//! assert!(shared <= banding.bands);
//! ```

pub use crate::candidates::lsh::{band_key, banding_for};
pub use crate::config::Banding;
pub use crate::profile::{DedupKey, Profile, Profiler};
pub use crate::similarity::{overlap, SetOverlap};
pub use crate::sketch::minhash::{MinHasher, Signature};
