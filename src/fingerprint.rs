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
//! let a = "The minister said on Friday that the new bridge over the river will open in March \
//!          after two years of work, and that tolls will be lower than planned.";
//! let b = a.replace("March", "April");
//! // Band keys: documents sharing one are candidates. Normalization folds case, so an
//! // upper-cased copy has the same signature and every band key in common.
//! let banding = banding_for(&config);
//! let keys = |text: &str| -> Vec<u64> {
//!     let sig = profiler.dedup_key(text).signature.0;
//!     let mut buf = Vec::new();
//!     (0..banding.bands)
//!         .map(|band| band_key(&sig[band * banding.rows..][..banding.rows], band, &mut buf))
//!         .collect()
//! };
//! assert_eq!(keys(a), keys(&a.to_uppercase()));
//! // Candidates are verified exactly: one word changed leaves most 5-word shingles shared.
//! let jaccard = overlap(&profiler.shingle_set(a), &profiler.shingle_set(&b)).jaccard;
//! assert!(jaccard > 0.5 && jaccard < 1.0);
//! ```

pub use crate::candidates::lsh::{band_key, banding_for};
pub use crate::config::Banding;
pub use crate::profile::{DedupKey, Profile, Profiler};
pub use crate::similarity::{overlap, SetOverlap};
pub use crate::sketch::minhash::{MinHasher, Signature};
