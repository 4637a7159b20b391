//! Everything stemma computes once per document: its [`Profile`] (the compact fingerprints used
//! to find candidates) and, on demand, its [`TokenView`] (the positional data used to verify a
//! pair exactly).
//!
//! A profile is a pure function of the text and [`FingerprintParams`]: same text, same params,
//! same profile, on every platform and thread count.

use crate::config::{FingerprintParams, TokenUnit};
use crate::hash::hash_u64s;
use crate::shingle::{shingle_hashes, to_set};
use crate::sketch::minhash::{MinHasher, Signature};
use crate::sketch::simhash::simhash_sorted;
use crate::sketch::winnow::{winnow, Fingerprint};
use crate::text::{token_hashes, tokenize, Token};

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
    /// The set of word bigram hashes (sorted, distinct): bigrams of words whatever the
    /// shingle unit, since a rewrite keeps word pairs, and pairs of characters are shared by
    /// any two texts of a language (`Profiler::bigram_set`).
    pub bigram_set: Vec<u64>,
    /// Words in the text (equal to the token count when the shingle unit is words): token
    /// counts over words is the unit the run and passage minimums scale by.
    pub words: usize,
    /// Each bigram's idf weight over the corpus, parallel to `bigram_set`; empty until
    /// [`TokenView::weigh_bigrams`] (then figures use plain containment).
    pub bigram_weights: Vec<f64>,
    /// Same as [`Profile::content_hash`].
    pub content_hash: u64,
    /// The shingles of this text that recur across too many documents of the corpus to be
    /// evidence of reuse (sorted; a subset of `shingle_set`): column templates, stock phrases,
    /// institution names. Verbatim runs are counted without them. Empty until
    /// [`TokenView::mark_boilerplate`].
    pub boilerplate: Vec<u64>,
    /// The text's numbers (`text::numbers`), sorted: a copy keeps them, a template
    /// filled again does not.
    pub numbers: Vec<u64>,
}

/// Computes profiles and views with one set of parameters.
#[derive(Debug, Clone)]
pub struct Profiler {
    params: FingerprintParams,
    minhasher: MinHasher,
}

impl Profiler {
    /// A profiler for `params`. Never fails (the family is an enum); kept for callers written
    /// when it could.
    pub fn try_new(params: &FingerprintParams) -> crate::error::Result<Self> {
        Ok(Self::new(params))
    }

    /// A profiler for `params`.
    pub fn new(params: &FingerprintParams) -> Self {
        Profiler {
            params: params.clone(),
            minhasher: MinHasher::of_family(
                params.permutation_family,
                params.num_perm,
                params.seed,
            ),
        }
    }

    /// The parameters in use.
    pub fn params(&self) -> &FingerprintParams {
        &self.params
    }

    /// The fingerprints of `text`.
    pub fn profile(&self, text: &str) -> Profile {
        let mut hashes = Vec::new();
        token_hashes(text, &self.params, &mut hashes);
        self.profile_of(&hashes)
    }

    /// The fingerprints of `text` and its distinct word bigrams, sorted (equal to
    /// [`Profiler::bigram_set`]), from one tokenization when the shingle unit is words.
    pub(crate) fn profile_and_bigrams(&self, text: &str) -> (Profile, Vec<u64>) {
        let mut hashes = Vec::new();
        token_hashes(text, &self.params, &mut hashes);
        let (bigrams, _) = self.word_bigrams(text, &hashes);
        (self.profile_of(&hashes), bigrams)
    }

    /// The distinct word bigrams of `text`, sorted: with word shingles the token bigrams, with
    /// character shingles the bigrams of the text's words (tokenized as words, same seed), so
    /// the rewrite signal and its corpus statistics mean the same in both units.
    pub(crate) fn bigram_set(&self, text: &str) -> Vec<u64> {
        let mut hashes = Vec::new();
        if self.params.shingle.unit == TokenUnit::Words {
            token_hashes(text, &self.params, &mut hashes);
        }
        self.word_bigrams(text, &hashes).0
    }

    /// The word bigram set of `text` and its word count; `hashes` are its token hashes, used
    /// as the words when the unit is words (otherwise the text is tokenized as words).
    fn word_bigrams(&self, text: &str, hashes: &[u64]) -> (Vec<u64>, usize) {
        let mut words = Vec::new();
        let words: &[u64] = if self.params.shingle.unit == TokenUnit::Words {
            hashes
        } else {
            let mut as_words = self.params.clone();
            as_words.shingle.unit = TokenUnit::Words;
            token_hashes(text, &as_words, &mut words);
            &words
        };
        let mut bigrams = Vec::new();
        shingle_hashes(words, 2, self.params.seed, &mut bigrams);
        (to_set(bigrams), words.len())
    }

    fn profile_of(&self, hashes: &[u64]) -> Profile {
        let p = &self.params;
        let mut seq = Vec::new();
        shingle_hashes(hashes, p.shingle.k, p.seed, &mut seq);
        let mut fingerprints: Vec<Fingerprint> = Vec::new();
        if p.winnow_k == p.shingle.k {
            winnow(&seq, p.winnow_w, &mut fingerprints);
        } else {
            let mut kgrams = Vec::new();
            shingle_hashes(hashes, p.winnow_k, p.seed, &mut kgrams);
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
            content_hash: content_hash(hashes, p.seed),
            signature: self.minhasher.sign(&shingles),
            shingles,
            simhash,
            winnowed,
        }
    }

    /// Only what `stemma dedup` needs to decide on `text`: token count, content hash and MinHash
    /// signature, equal to the same fields of [`Profiler::profile`] (SimHash and winnowing are
    /// skipped, and the shingle set is dropped; [`Profiler::shingle_set`] recomputes it).
    ///
    /// Faster than a profile: no spans, buffers reused per thread, and the shingle sequence is
    /// signed as it is, since a MinHash signature is a function of the set (each position a
    /// minimum) whatever the order and repeats; only long sequences are thinned of repeats
    /// first (`thin_repeats`), so a text of one phrase repeated a million times does not cost
    /// a million elements per sketching round.
    pub fn dedup_key(&self, text: &str) -> DedupKey {
        thread_local! {
            static SCRATCH: std::cell::RefCell<(Vec<u64>, Vec<u64>, Vec<u64>)> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
        }
        let p = &self.params;
        SCRATCH.with(|scratch| {
            let (hashes, seq, seen) = &mut *scratch.borrow_mut();
            token_hashes(text, p, hashes);
            shingle_hashes(hashes, p.shingle.k, p.seed, seq);
            thin_repeats(seq, seen);
            let key = DedupKey {
                tokens: hashes.len(),
                content_hash: content_hash(hashes, p.seed),
                signature: self.minhasher.sign(seq),
            };
            // Keep the buffers of ordinary documents, not those of a rare huge one.
            for buf in [hashes, seq] {
                if buf.capacity() > 1 << 20 {
                    *buf = Vec::new();
                }
            }
            key
        })
    }

    /// The shingle set of `text` (sorted, distinct), equal to [`Profile::shingles`].
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        self.kgram_set(text, self.params.shingle.k)
    }

    /// The positional view of `text`.
    pub(crate) fn view(&self, text: &str) -> TokenView {
        let p = &self.params;
        let mut tokens = Vec::new();
        tokenize(text, p, &mut tokens);
        let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
        let mut shingle_seq = Vec::new();
        shingle_hashes(&hashes, p.shingle.k, p.seed, &mut shingle_seq);
        let (bigram_set, words) = self.word_bigrams(text, &hashes);
        TokenView {
            content_hash: content_hash(&hashes, p.seed),
            shingle_set: to_set(shingle_seq.clone()),
            bigram_set,
            words,
            bigram_weights: Vec::new(),
            boilerplate: Vec::new(),
            numbers: crate::text::numbers(text, p.seed),
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

    /// Weighs each bigram by its idf, ln(`docs` / document frequency) with the frequency from
    /// `df` (at least 1, at most `docs`), after [`TokenView::drop_common_bigrams`].
    pub fn weigh_bigrams(&mut self, docs: usize, mut df: impl FnMut(u64) -> usize) {
        let n = docs.max(1) as f64;
        self.bigram_weights = self
            .bigram_set
            .iter()
            .map(|&h| (n / df(h).clamp(1, docs.max(1)) as f64).ln())
            .collect();
    }

    /// Marks as boilerplate the shingles for which `is_common` holds (a document frequency
    /// over the corpus above the cap).
    pub fn mark_boilerplate(&mut self, mut is_common: impl FnMut(u64) -> bool) {
        self.boilerplate = self
            .shingle_set
            .iter()
            .copied()
            .filter(|&h| is_common(h))
            .collect();
    }
}

impl Profiler {
    /// The distinct token k-grams of `text`, sorted.
    pub(crate) fn kgram_set(&self, text: &str, k: usize) -> Vec<u64> {
        let mut hashes = Vec::new();
        token_hashes(text, &self.params, &mut hashes);
        let mut kgrams = Vec::new();
        shingle_hashes(&hashes, k, self.params.seed, &mut kgrams);
        to_set(kgrams)
    }
}

/// Sequences up to this long are signed with their repeats: sketching costs at most
/// `2K` passes over them.
const THIN_ABOVE: usize = 512;
/// Slots of the repeat filter of [`thin_repeats`] (a power of two): 32 KiB.
const SEEN_SLOTS: usize = 4096;

/// Drops from `seq` (if longer than [`THIN_ABOVE`]) most repeats of values seen earlier, in one
/// pass with a direct-mapped table of recent values (`seen`, scratch): every distinct value
/// stays, order aside, so the set is unchanged. A text that repeats a few phrases shrinks to
/// about its distinct shingles; a text without repeats loses nothing and costs one table probe
/// per shingle.
fn thin_repeats(seq: &mut Vec<u64>, seen: &mut Vec<u64>) {
    if seq.len() <= THIN_ABOVE {
        return;
    }
    let mask = SEEN_SLOTS - 1;
    // Slot `s` starts with `!s`, whose low bits are `mask - s`, never `s`: no value that maps
    // to slot `s` equals it, so an empty slot never hides a value.
    seen.clear();
    seen.extend((0..SEEN_SLOTS).map(|s| !(s as u64)));
    seq.retain(|&h| {
        let slot = &mut seen[h as usize & mask];
        let new = *slot != h;
        *slot = h;
        new
    });
}

fn content_hash(token_hashes: &[u64], seed: u64) -> u64 {
    if token_hashes.is_empty() {
        0
    } else {
        hash_u64s(token_hashes, seed ^ 0xC0_47E4_7000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::minhash::PermutationFamily;
    use proptest::prelude::*;

    fn profiler(family: PermutationFamily) -> Profiler {
        Profiler::new(&FingerprintParams {
            permutation_family: family,
            ..Default::default()
        })
    }

    /// Texts with few distinct words, many repeats and long stretches: the thinning path.
    fn arb_repetitive_text() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec("[a-z]{1,3}", 1..6),
            proptest::collection::vec(any::<u8>(), 0..1500),
        )
            .prop_map(|(words, picks)| {
                picks
                    .iter()
                    .map(|&p| words[p as usize % words.len()].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    }

    #[test]
    fn thinning_keeps_every_distinct_value() {
        let mut seq: Vec<u64> = (0..10_000u64)
            .map(|i| crate::hash::mix64(i % 185))
            .collect();
        let want = to_set(seq.clone());
        thin_repeats(&mut seq, &mut Vec::new());
        assert!(seq.len() < 1000, "{}", seq.len());
        assert_eq!(to_set(seq), want);
        // A value whose slot holds the sentinel `!s` before anything is written: never hidden.
        let mut seq: Vec<u64> = vec![!0u64; 600];
        seq.push(!1u64 & !4095 | 1);
        thin_repeats(&mut seq, &mut Vec::new());
        assert_eq!(to_set(seq), vec![!1u64 & !4095 | 1, !0u64]);
    }

    proptest! {
        /// With character shingles the bigrams (and the word count) are still those of the
        /// words, equal to what a word-shingle profiler with the same seed gives.
        #[test]
        fn character_shingles_keep_word_bigrams(text in crate::text::testgen::arb_text()) {
            let with = |unit, k| FingerprintParams {
                shingle: crate::config::ShingleSpec { unit, k },
                ..FingerprintParams::default()
            };
            let chars = Profiler::new(&with(TokenUnit::Chars, 7));
            let words = Profiler::new(&with(TokenUnit::Words, 5));
            let want = words.kgram_set(&text, 2);
            prop_assert_eq!(&chars.bigram_set(&text), &want);
            prop_assert_eq!(&chars.profile_and_bigrams(&text).1, &want);
            let view = chars.view(&text);
            prop_assert_eq!(&view.bigram_set, &want);
            prop_assert_eq!(view.words, words.view(&text).tokens.len());
            prop_assert!(view.words <= view.tokens.len());
        }

        #[test]
        fn dedup_key_agrees_with_the_profile(
            text in prop_oneof![crate::text::testgen::arb_text(), arb_repetitive_text()],
            family in 0usize..3,
        ) {
            let p = profiler(PermutationFamily::ALL[family]);
            let full = p.profile(&text);
            let key = p.dedup_key(&text);
            prop_assert_eq!(key.tokens, full.tokens);
            prop_assert_eq!(key.content_hash, full.content_hash);
            prop_assert_eq!(&key.signature, &full.signature);
            prop_assert_eq!(p.shingle_set(&text), full.shingles.clone());
            let (profile, bigrams) = p.profile_and_bigrams(&text);
            prop_assert_eq!(profile, full);
            prop_assert_eq!(&bigrams, &p.bigram_set(&text));
            prop_assert_eq!(bigrams, p.kgram_set(&text, 2));
        }
    }
}
