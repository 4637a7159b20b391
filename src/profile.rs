//! Everything stemma computes once per document: its [`Profile`] (the compact fingerprints used
//! to find candidates) and, on demand, its [`TokenView`] (the positional data used to verify a
//! pair exactly).
//!
//! A profile is a pure function of the text and [`FingerprintParams`]: same text, same params,
//! same profile, on every platform and thread count.

use crate::config::FingerprintParams;
use crate::hash::hash_u64s;
use crate::shingle::{shingle_hashes, to_set};
use crate::sketch::minhash::{MinHasher, Signature};
use crate::sketch::simhash::simhash_sorted;
use crate::sketch::winnow::{winnow, Fingerprint};
use crate::text::{tokenize, Token};

/// The fingerprints of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Number of tokens.
    pub tokens: usize,
    /// Hash of the whole normalized token sequence: equal for duplicates. 0 for an empty text.
    pub content_hash: u64,
    /// The shingle set, sorted and distinct.
    pub shingles: Vec<u64>,
    /// MinHash signature of the shingle set (densified for the OPH family; see
    /// [`MinHasher::sign`]).
    pub signature: Signature,
    /// 64-bit weighted SimHash over the shingles.
    pub simhash: u64,
    /// Distinct winnowed fingerprint hashes, sorted (positions are recomputed when needed).
    pub winnowed: Vec<u64>,
}

/// The part of a [`Profile`] that `stemma dedup` keeps per record.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupKey {
    /// Number of tokens.
    pub tokens: usize,
    /// Same as [`Profile::content_hash`].
    pub content_hash: u64,
    /// Same as [`Profile::signature`].
    pub signature: Signature,
}

/// Positional data of one document, for exact verification and alignment.
#[derive(Debug, Clone, Default)]
pub struct TokenView {
    /// The tokens with their byte spans in the original text.
    pub tokens: Vec<Token>,
    /// Shingle hashes in order: `shingle_seq[i]` covers tokens `i..i + k`.
    pub shingle_seq: Vec<u64>,
    /// The shingle set (sorted, distinct).
    pub shingle_set: Vec<u64>,
    /// The set of token bigram hashes (sorted, distinct).
    pub bigram_set: Vec<u64>,
    /// Same as [`Profile::content_hash`].
    pub content_hash: u64,
}

/// Computes profiles and views with one set of parameters.
#[derive(Debug, Clone)]
pub struct Profiler {
    params: FingerprintParams,
    minhasher: MinHasher,
}

impl Profiler {
    /// A profiler for `params`.
    ///
    /// # Errors
    /// [`crate::error::Error::Config`] naming `permutation_family` if the family is unknown
    /// (which [`crate::config::Config::validate`] reports first).
    pub fn try_new(params: &FingerprintParams) -> crate::error::Result<Self> {
        Ok(Profiler {
            params: params.clone(),
            minhasher: MinHasher::with_family(
                &params.permutation_family,
                params.num_perm,
                params.seed,
            )?,
        })
    }

    /// A profiler for `params`, which [`crate::config::Config::validate`] has accepted.
    ///
    /// # Panics
    /// If `params.permutation_family` is unknown (validation rejects it; use
    /// [`Profiler::try_new`] for unvalidated params).
    pub fn new(params: &FingerprintParams) -> Self {
        Self::try_new(params).unwrap_or_else(|e| panic!("{e} (Config::validate rejects this)"))
    }

    /// The parameters in use.
    pub fn params(&self) -> &FingerprintParams {
        &self.params
    }

    /// The fingerprints of `text`.
    pub fn profile(&self, text: &str) -> Profile {
        let p = &self.params;
        let mut tokens = Vec::new();
        tokenize(text, p, &mut tokens);
        let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
        drop(tokens);
        let mut seq = Vec::new();
        shingle_hashes(&hashes, p.shingle.k, p.seed, &mut seq);
        let mut fingerprints: Vec<Fingerprint> = Vec::new();
        if p.winnow_k == p.shingle.k {
            winnow(&seq, p.winnow_w, &mut fingerprints);
        } else {
            let mut kgrams = Vec::new();
            shingle_hashes(&hashes, p.winnow_k, p.seed, &mut kgrams);
            winnow(&kgrams, p.winnow_w, &mut fingerprints);
        }
        let winnowed = to_set(fingerprints.into_iter().map(|f| f.hash).collect());
        // One sort serves both the SimHash term frequencies and the shingle set.
        seq.sort_unstable();
        let simhash = simhash_sorted(&seq);
        seq.dedup();
        let shingles = seq;
        Profile {
            tokens: hashes.len(),
            content_hash: content_hash(&hashes, p.seed),
            signature: self.minhasher.sign(&shingles),
            shingles,
            simhash,
            winnowed,
        }
    }

    /// Only what `stemma dedup` needs to decide on `text`: token count, content hash and MinHash
    /// signature, equal to the same fields of [`Profiler::profile`] (SimHash and winnowing are
    /// skipped, and the shingle set is dropped; [`Profiler::shingle_set`] recomputes it).
    pub fn dedup_key(&self, text: &str) -> DedupKey {
        let p = &self.params;
        let mut tokens = Vec::new();
        tokenize(text, p, &mut tokens);
        let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
        drop(tokens);
        let mut seq = Vec::new();
        shingle_hashes(&hashes, p.shingle.k, p.seed, &mut seq);
        let shingles = to_set(seq);
        DedupKey {
            tokens: hashes.len(),
            content_hash: content_hash(&hashes, p.seed),
            signature: self.minhasher.sign(&shingles),
        }
    }

    /// The shingle set of `text` (sorted, distinct), equal to [`Profile::shingles`].
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        self.kgram_set(text, self.params.shingle.k)
    }

    /// The positional view of `text`.
    pub fn view(&self, text: &str) -> TokenView {
        let p = &self.params;
        let mut tokens = Vec::new();
        tokenize(text, p, &mut tokens);
        let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
        let mut shingle_seq = Vec::new();
        shingle_hashes(&hashes, p.shingle.k, p.seed, &mut shingle_seq);
        let mut bigrams = Vec::new();
        shingle_hashes(&hashes, 2, p.seed, &mut bigrams);
        TokenView {
            content_hash: content_hash(&hashes, p.seed),
            shingle_set: to_set(shingle_seq.clone()),
            bigram_set: to_set(bigrams),
            shingle_seq,
            tokens,
        }
    }
}

impl TokenView {
    /// Removes from the bigram set the bigrams found in too many documents of the corpus
    /// (`common`, sorted): template phrases and function-word pairs say nothing about reuse.
    pub fn drop_common_bigrams(&mut self, common: &[u64]) {
        if !common.is_empty() {
            self.bigram_set.retain(|b| common.binary_search(b).is_err());
        }
    }
}

impl Profiler {
    /// The distinct token k-grams of `text`, sorted.
    pub fn kgram_set(&self, text: &str, k: usize) -> Vec<u64> {
        let mut tokens = Vec::new();
        tokenize(text, &self.params, &mut tokens);
        let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
        let mut kgrams = Vec::new();
        shingle_hashes(&hashes, k, self.params.seed, &mut kgrams);
        to_set(kgrams)
    }
}

fn content_hash(token_hashes: &[u64], seed: u64) -> u64 {
    if token_hashes.is_empty() {
        0
    } else {
        hash_u64s(token_hashes, seed ^ 0xC0_47E4_7000)
    }
}
