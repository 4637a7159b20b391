//! One [`Config`] for a run: what defines a fingerprint, and the thresholds that turn figures
//! into relations. Every setting documents its default; the whole config is echoed into every
//! report so a result can be reproduced.

use serde::{Deserialize, Serialize};

/// Version of the text normalizer. Bumped whenever normalization or tokenization changes the
/// tokens a text yields (including an upgrade of the Rust toolchain's or
/// `unicode-normalization`'s Unicode tables), because that changes every fingerprint.
pub const NORMALIZER_VERSION: u32 = 1;

/// What a token is.
///
/// ```
/// use stemma::{analyze, Config, Document, Silent, TokenUnit};
///
/// let mut config = Config::default();
/// config.fingerprint.shingle.unit = TokenUnit::Chars;
/// config.fingerprint.shingle.k = 7;
/// let text = "新しい橋は三月に開通する予定で、通行料は計画よりも安くなると大臣は金曜日に述べた。";
/// let docs = [Document::new("a", text), Document::new("b", &format!("【東京】{text}"))];
/// let analysis = analyze(&docs, &config, &Silent)?;
/// assert_eq!(analysis.pairs.len(), 1);
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenUnit {
    /// Words: maximal runs of letters, digits and combining marks; characters of scripts written
    /// without spaces (Han, Kana, Thai, Lao, Khmer, Myanmar, ...) are one token each.
    /// Default.
    Words,
    /// Characters: every letter or digit (marks stay with their base) is a token; whitespace,
    /// punctuation and symbols are skipped.
    Chars,
}

/// How shingles are formed: `k` consecutive tokens of `unit`.
///
/// ```
/// use stemma::{ShingleSpec, TokenUnit};
///
/// let spec = ShingleSpec::default();
/// assert_eq!((spec.unit, spec.k), (TokenUnit::Words, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShingleSpec {
    /// Token unit. Default: words.
    pub unit: TokenUnit,
    /// Tokens per shingle. Default: 5 (words), 7 is typical for chars.
    pub k: usize,
}

impl Default for ShingleSpec {
    fn default() -> Self {
        ShingleSpec {
            unit: TokenUnit::Words,
            k: 5,
        }
    }
}

impl std::str::FromStr for ShingleSpec {
    type Err = String;
    /// Parses `words:5` or `chars:7`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (unit, k) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?}: expected UNIT:K such as words:5 or chars:7"))?;
        let unit = match unit {
            "words" | "word" => TokenUnit::Words,
            "chars" | "char" => TokenUnit::Chars,
            other => {
                return Err(format!(
                    "unknown shingle unit {other:?}: use words or chars"
                ))
            }
        };
        let k: usize = k
            .parse()
            .map_err(|_| format!("{k:?}: shingle size must be a whole number"))?;
        if !(1..=32).contains(&k) {
            return Err(format!("shingle size {k} is out of range 1..=32"));
        }
        Ok(ShingleSpec { unit, k })
    }
}

impl std::fmt::Display for ShingleSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            TokenUnit::Words => "words",
            TokenUnit::Chars => "chars",
        };
        write!(f, "{unit}:{}", self.k)
    }
}

/// Which hash family makes a MinHash signature ([`crate::sketch::minhash::MinHasher`]; its
/// module documentation compares them). Serialized by [`PermutationFamily::name`], as indexes
/// store it.
///
/// ```
/// use stemma::PermutationFamily;
///
/// let family = PermutationFamily::parse("oph-densified")?;
/// assert_eq!(family, PermutationFamily::OphDensified);
/// assert_eq!(family.name(), "oph-densified");
/// assert!(PermutationFamily::parse("sha1").is_err());
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PermutationFamily {
    /// K functions `(a_i x + b_i) mod (2^61 - 1)`: `"mul-add-mod-2^61-1"` (classic MinHash;
    /// the default before fast similarity sketching, kept by indexes built with it).
    #[serde(rename = "mul-add-mod-2^61-1")]
    MulAddMod61,
    /// One-permutation hashing with optimal densification: `"oph-densified"`.
    #[serde(rename = "oph-densified")]
    OphDensified,
    /// Fast Similarity Sketching (Dahlgaard, Knudsen, Thorup 2017): `"fast-similarity-sketch"`.
    /// Default.
    #[default]
    #[serde(rename = "fast-similarity-sketch")]
    FastSimilaritySketch,
}

impl PermutationFamily {
    /// Every family, default first.
    pub const ALL: [PermutationFamily; 3] = [
        PermutationFamily::FastSimilaritySketch,
        PermutationFamily::MulAddMod61,
        PermutationFamily::OphDensified,
    ];

    /// The name used in [`crate::config::FingerprintParams::permutation_family`].
    pub fn name(self) -> &'static str {
        match self {
            PermutationFamily::MulAddMod61 => "mul-add-mod-2^61-1",
            PermutationFamily::OphDensified => "oph-densified",
            PermutationFamily::FastSimilaritySketch => "fast-similarity-sketch",
        }
    }

    /// Parses a family name; the error is [`crate::error::Error::Config`] naming `permutation_family`.
    pub fn parse(name: &str) -> crate::error::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| crate::error::Error::Config {
                setting: "permutation_family",
                problem: format!(
                    "unknown MinHash family {name:?}: use {:?}, {:?} or {:?}",
                    Self::ALL[0].name(),
                    Self::ALL[1].name(),
                    Self::ALL[2].name()
                ),
            })
    }
}

impl std::fmt::Display for PermutationFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How SimHash weighs its features. Serialized by [`SimhashWeighting::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SimhashWeighting {
    /// Each distinct shingle weighs 1 + ln(its count in the text): `"shingle-tf-log"`. Default
    /// (the only one).
    #[default]
    #[serde(rename = "shingle-tf-log")]
    ShingleTfLog,
}

impl SimhashWeighting {
    /// The name used in reports and index manifests.
    pub fn name(self) -> &'static str {
        match self {
            SimhashWeighting::ShingleTfLog => "shingle-tf-log",
        }
    }
}

impl std::fmt::Display for SimhashWeighting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that defines a fingerprint. Two signatures are comparable only when these are
/// equal; the index stores them and reports echo them.
///
/// ```
/// use stemma::{FingerprintParams, PermutationFamily};
///
/// let params = FingerprintParams::default();
/// assert_eq!(params.permutation_family, PermutationFamily::FastSimilaritySketch);
/// // The parameters are stored in every index and echoed in every report as JSON.
/// let json = serde_json::to_value(&params).unwrap();
/// assert_eq!(json["permutation_family"], "fast-similarity-sketch");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintParams {
    /// [`NORMALIZER_VERSION`] at the time the fingerprint was made.
    pub normalizer_version: u32,
    /// Fold diacritics away ("hòa" == "hoa"). Default: false (Vietnamese tone marks carry
    /// meaning; folding them merges different words).
    pub fold_diacritics: bool,
    /// Shingle unit and size. Default: words:5.
    pub shingle: ShingleSpec,
    /// Seed of every xxh3 call and of the permutation coefficients. Default: 0x5354_454D_4D41 ("STEMMA" in ASCII).
    pub seed: u64,
    /// Hash family of the MinHash signature ([`PermutationFamily`]), serialized by name:
    /// `"fast-similarity-sketch"` (default: Dahlgaard, Knudsen and Thorup's fast similarity
    /// sketching, one hash per shingle for long texts, O(K log K) for short ones, measured RMSE
    /// 0.67-0.99x classic's from 20 to 2000 shingles), `"mul-add-mod-2^61-1"` (K
    /// permutations, the default before; indexes built with it keep it) or `"oph-densified"`
    /// (one-permutation hashing with optimal densification).
    pub permutation_family: PermutationFamily,
    /// MinHash permutations K. Default: 128.
    pub num_perm: usize,
    /// SimHash feature weighting ([`SimhashWeighting`]). Default (and only):
    /// `"shingle-tf-log"` (weight 1 + ln tf per shingle).
    pub simhash_weighting: SimhashWeighting,
    /// Winnowing k-gram size, in tokens. Default: 5.
    pub winnow_k: usize,
    /// Winnowing window, in k-grams. Default: 4, so any shared run of
    /// `winnow_k + winnow_w - 1` = 8 tokens yields a shared fingerprint.
    pub winnow_w: usize,
}

impl Default for FingerprintParams {
    fn default() -> Self {
        FingerprintParams {
            normalizer_version: NORMALIZER_VERSION,
            fold_diacritics: false,
            shingle: ShingleSpec::default(),
            seed: 0x5354_454D_4D41,
            permutation_family: PermutationFamily::FastSimilaritySketch,
            num_perm: 128,
            simhash_weighting: SimhashWeighting::ShingleTfLog,
            winnow_k: 5,
            winnow_w: 4,
        }
    }
}

/// Thresholds and models that turn figures into relations (`crate::relate::judge`). The
/// models are fitted by cross-validation on labelled dev data (Urdu agency copy, English
/// answers) with `benches/calibrate/fit.py`; the rule thresholds were set on the seeds and
/// checked on newswire. ARCHITECTURE.md ("Relations") gives the values and the CV table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationThresholds {
    /// Jaccard of shingle sets for `near-duplicate`. Default 0.8 (`--threshold`).
    pub near_duplicate: f64,
    /// Shingle containment of the shorter text for `excerpt`. Default 0.8.
    pub excerpt_containment: f64,
    /// Shortest verbatim run, in tokens, that counts as a passage. Default 8.
    pub min_run_tokens: usize,
    /// Fraction of the shorter text inside verbatim runs for `partial-reuse`. Default 0.15.
    pub partial_min_coverage: f64,
    /// Verbatim tokens (in runs) that make `partial-reuse` whatever the lengths. Default 60.
    pub partial_min_tokens: usize,
    /// Verbatim tokens needed with `partial_min_coverage` (so one shared template sentence in
    /// two short notes is not reuse). Default 25.
    pub partial_min_tokens_with_coverage: usize,
    /// One verbatim run (outside boilerplate) this long makes `partial-reuse` on its own: two
    /// sentences copied into another story. Default 30.
    pub partial_min_run_tokens: usize,
    /// Without corpus statistics (a corpus of at most `bigram_max_df` documents, such as
    /// `compare`'s two), bigram containment is inflated by function-word pairs and the lexical
    /// models do not apply: `rewrite` then needs this bigram containment of the shorter text
    /// with a verbatim run. Default 0.3.
    pub rewrite_min_bigram_containment: f64,
    /// Without corpus statistics: bigram containment that makes `rewrite` alone. Default 0.5.
    pub rewrite_strong_bigram_containment: f64,
    /// Tokens the shorter text needs before the lexical models judge it (short notes share
    /// formulas, not stories). Default 50.
    pub rewrite_min_tokens: usize,
    /// The numbers rule: when the text with fewer distinct numbers (`text::numbers`)
    /// has at least this many, the lexical rules ([`RelationThresholds::derived`], and the
    /// bigram rule without corpus statistics) need `numbers_min_agreement` of them in the
    /// other text. A copy keeps its numbers; a template filled again on another day, or another
    /// event told in the same words, does not. Verbatim passages and the exact rules do not
    /// read it. Default 3.
    pub numbers_min: usize,
    /// Share of the numbers that must agree under the numbers rule. Default 0.34 (a third:
    /// one of three numbers is not enough).
    pub numbers_min_agreement: f64,
    /// Is the pair reuse at all? A logistic model over [`LexicalModel`]'s inputs, fitted on
    /// labelled dev data (`benches/calibrate/fit.py`; ARCHITECTURE.md gives the CV table).
    pub derived: LexicalModel,
    /// Among derived pairs, is the text wholly derived (`rewrite`) rather than in part
    /// (`partial-reuse`)? Fitted the same way.
    pub whole: LexicalModel,
}

/// A logistic model over figures every pair has, seen from its shorter text:
/// `p = 1 / (1 + exp(-(intercept + Σ weight × input)))`, decided at `p >= 0.5`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LexicalModel {
    /// Intercept.
    pub intercept: f64,
    /// Weight of the shorter text's idf-weighted bigram containment in the longer one.
    pub bigram_short: f64,
    /// Weight of the longer text's idf-weighted bigram containment in the shorter one.
    pub bigram_long: f64,
    /// Weight of the shorter text's word k-gram (shingle) containment.
    pub containment_short: f64,
    /// Weight of the share of the shorter text inside verbatim passages (boilerplate excluded).
    pub verbatim_short: f64,
    /// Weight of ln(shorter tokens / longer tokens).
    pub log_length_ratio: f64,
}

impl LexicalModel {
    /// The model's probability for its inputs (see `crate::relate::lexical_inputs`).
    pub fn probability(&self, x: &[f64; 5]) -> f64 {
        let z = self.intercept
            + self.bigram_short * x[0]
            + self.bigram_long * x[1]
            + self.containment_short * x[2]
            + self.verbatim_short * x[3]
            + self.log_length_ratio * x[4];
        1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
    }
}

impl RelationThresholds {
    /// The same thresholds with their token counts (run and passage minimums, the shortest text
    /// the models judge) in tokens of which `tokens_per_word` make a word: with character
    /// shingles a run of 8 characters is one long word, not a passage, so the minimums keep
    /// their meaning in words. Borrowed unchanged for 1 (word shingles), so the common case
    /// copies nothing per pair.
    pub fn in_tokens(&self, tokens_per_word: f64) -> std::borrow::Cow<'_, RelationThresholds> {
        if tokens_per_word <= 1.0 {
            return std::borrow::Cow::Borrowed(self);
        }
        let scale = |n: usize| (n as f64 * tokens_per_word).ceil() as usize;
        std::borrow::Cow::Owned(RelationThresholds {
            min_run_tokens: scale(self.min_run_tokens),
            partial_min_tokens: scale(self.partial_min_tokens),
            partial_min_tokens_with_coverage: scale(self.partial_min_tokens_with_coverage),
            partial_min_run_tokens: scale(self.partial_min_run_tokens),
            rewrite_min_tokens: scale(self.rewrite_min_tokens),
            ..self.clone()
        })
    }
}

impl Default for RelationThresholds {
    fn default() -> Self {
        RelationThresholds {
            near_duplicate: 0.8,
            excerpt_containment: 0.8,
            min_run_tokens: 8,
            partial_min_coverage: 0.15,
            partial_min_tokens: 60,
            partial_min_tokens_with_coverage: 25,
            partial_min_run_tokens: 30,
            rewrite_min_bigram_containment: 0.3,
            rewrite_strong_bigram_containment: 0.5,
            rewrite_min_tokens: 50,
            numbers_min: 3,
            numbers_min_agreement: 0.34,
            // benches/calibrate/fit.py, fitted on counter-dev and clough (384 labelled pairs).
            derived: LexicalModel {
                intercept: -1.4265,
                bigram_short: 4.5226,
                bigram_long: 16.8443,
                containment_short: 0.9466,
                verbatim_short: -5.4049,
                log_length_ratio: 0.8750,
            },
            whole: LexicalModel {
                intercept: -4.5353,
                bigram_short: 9.7124,
                bigram_long: 11.0980,
                containment_short: -8.2298,
                verbatim_short: -1.7807,
                log_length_ratio: -1.4299,
            },
        }
    }
}

/// How relations become families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FamilyPolicy {
    /// Complete linkage: every pair inside a family is linked. Default.
    #[default]
    Strict,
    /// Connected components over relations (chains allowed).
    Connected,
}

impl std::str::FromStr for FamilyPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "strict" => Ok(FamilyPolicy::Strict),
            "connected" => Ok(FamilyPolicy::Connected),
            _ => Err(format!(
                "unknown family policy {s:?}: use strict or connected"
            )),
        }
    }
}

/// LSH banding: `bands` bands of `rows` rows each (`bands * rows <= num_perm`). The one shape
/// of a banding everywhere: config, candidates, index manifests and reports (the last two
/// serialize it as `[bands, rows]` through `banding_pair`). `Default` is 0x0, "not chosen
/// yet".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Banding {
    /// Number of bands.
    pub bands: usize,
    /// Rows (signature values) per band.
    pub rows: usize,
}

impl Banding {
    /// Probability that two documents of Jaccard similarity `s` become candidates:
    /// `1 - (1 - s^rows)^bands`.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

impl std::fmt::Display for Banding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.bands, self.rows)
    }
}

/// Serializes a [`Banding`] as `[bands, rows]`, the shape index manifests and the report's
/// `stats.banding` have always had (use with `#[serde(with = "banding_pair")]`).
pub(crate) mod banding_pair {
    use super::Banding;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `[bands, rows]`.
    pub fn serialize<S: Serializer>(b: &Banding, s: S) -> Result<S::Ok, S::Error> {
        (b.bands, b.rows).serialize(s)
    }

    /// Reads `[bands, rows]`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Banding, D::Error> {
        let (bands, rows) = <(usize, usize)>::deserialize(d)?;
        Ok(Banding { bands, rows })
    }
}

impl std::str::FromStr for Banding {
    type Err = String;
    /// Parses `16x8`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (b, r) = s
            .split_once(['x', 'X'])
            .ok_or_else(|| format!("{s:?}: expected BANDSxROWS such as 16x8"))?;
        let parse = |v: &str| {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{s:?}: bands and rows must be positive whole numbers"))
        };
        Ok(Banding {
            bands: parse(b)?,
            rows: parse(r)?,
        })
    }
}

/// The whole configuration of a run. Echoed into every report. A setting missing from a
/// serialized config (a report written before it existed) takes its default.
///
/// ```
/// use stemma::{Config, ShingleSpec, TokenUnit};
///
/// let mut config = Config::default();
/// // Character shingles for a language written without spaces between words.
/// config.fingerprint.shingle = ShingleSpec { unit: TokenUnit::Chars, k: 7 };
/// config.validate()?;
/// config.fingerprint.shingle.k = 0;
/// assert!(config.validate().is_err());
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// What defines a fingerprint.
    pub fingerprint: FingerprintParams,
    /// Thresholds from figures to relations.
    pub relations: RelationThresholds,
    /// LSH banding; `None` (default) picks the banding for `relations.near_duplicate` that
    /// minimizes false candidates and missed pairs, missed pairs weighted 9 to 1 (see
    /// [`crate::candidates::lsh::banding_for`]).
    pub banding: Option<Banding>,
    /// SimHash candidates: pairs within this Hamming distance (of 64 bits). Default 3.
    pub simhash_max_distance: u32,
    /// A winnowed fingerprint found in more documents than this is boilerplate and proposes no
    /// candidates. Default 100.
    pub max_df: usize,
    /// A word bigram found in more documents than this is a phrase of the genre (function-word
    /// pairs, wire-story formulas, the recurring sentences of a daily column), not evidence of a
    /// rewrite: it does not count for the rewrite signal. Default 10 (against 30, cross-validated
    /// in benches/calibrate/fit.py: judged news pairs still reported are truly shared passages
    /// more often, vn-baomoi-dev 0.66/0.70 -> 0.70/0.79, reuters21578 0.44 -> 0.55; counter-dev
    /// binary F1 0.717 -> 0.720; clough 0.936 -> 0.918; benches/runs/2026-12-07-bigram-cap.md).
    pub bigram_max_df: usize,
    /// A shingle winnowed in more documents than this is boilerplate for verbatim passages: it
    /// breaks runs, so column templates, appended legal boxes, stock formulas and institution
    /// names are not passages of reuse. Syndication fans a story out to a handful of outlets,
    /// while a template recurs with every edition; whole copies are still found by Jaccard and
    /// containment, and re-worded ones by the lexical models. Default 10 (measured on
    /// vn-baomoi-dev: benches/runs/2026-12-07-judged.md).
    pub boilerplate_max_df: usize,
    /// Shared winnowed fingerprints needed for a candidate pair. Default 2.
    pub min_shared_fingerprints: u32,
    /// Rewrite candidates: each document proposes at most this many partners among those
    /// it shares rare word bigrams with (found in 2 to `bigram_candidates_max_df` documents), the ones it
    /// shares most with, so a rewrite with no verbatim run left is still verified. At most this
    /// many times the number of documents in all. 0 turns the generator off. Default 20.
    pub bigram_candidates_per_document: usize,
    /// Rare bigrams two documents must share to be a rewrite candidate. Default 5.
    pub bigram_candidates_min_shared: usize,
    /// A bigram counts as rare for rewrite candidates when it is found in 2 to this many
    /// documents. Default 10 (vn-baomoi-dev: scan 17.4 -> 12.5 s, counter-dev derived pairs
    /// found 147 -> 146 of 208, against 30).
    pub bigram_candidates_max_df: usize,
    /// A LSH or SimHash bucket larger than this is linked as a star instead of all pairs.
    /// Default 2000.
    pub max_bucket: usize,
    /// How relations become families. Default strict.
    pub family_policy: FamilyPolicy,
    /// A family that would grow past this is capped and reported as suspicious. Default 1000.
    pub max_family_size: usize,
    /// Under the strict policy, two documents without a relation still count as linked when they
    /// share at least this many shingles. Default 3.
    pub family_min_shared_shingles: usize,
    /// At most this many aligned passages are reported per pair (the longest). Default 500.
    pub max_passages_per_pair: usize,
    /// Passages shorter than this (tokens) are reported but do not count as evidence of
    /// direction: short shared runs are mostly names and set phrases. Default 12.
    pub min_evidence_passage_tokens: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fingerprint: FingerprintParams::default(),
            relations: RelationThresholds::default(),
            banding: None,
            simhash_max_distance: 3,
            max_df: 100,
            bigram_max_df: 10,
            boilerplate_max_df: 10,
            min_shared_fingerprints: 2,
            bigram_candidates_per_document: 20,
            bigram_candidates_min_shared: 5,
            bigram_candidates_max_df: 10,
            max_bucket: 2000,
            family_policy: FamilyPolicy::Strict,
            max_family_size: 1000,
            family_min_shared_shingles: 3,
            max_passages_per_pair: 500,
            min_evidence_passage_tokens: 12,
        }
    }
}

impl Config {
    /// Checks ranges and consistency; the error names the setting as the user spells it.
    pub fn validate(&self) -> crate::error::Result<()> {
        use crate::error::Error;
        let fp = &self.fingerprint;
        if fp.num_perm == 0 || fp.num_perm > 4096 {
            return Err(Error::Config {
                setting: "--num-perm",
                problem: format!("{} is out of range 1..=4096", fp.num_perm),
            });
        }
        if fp.winnow_k == 0 || fp.winnow_w == 0 {
            return Err(Error::Config {
                setting: "winnow_k/winnow_w",
                problem: "must be at least 1".into(),
            });
        }
        let t = &self.relations.near_duplicate;
        if !(0.0..=1.0).contains(t) || *t == 0.0 {
            return Err(Error::Config {
                setting: "--threshold",
                problem: format!("{t} must be in (0, 1]"),
            });
        }
        if let Some(b) = self.banding {
            if b.bands == 0 || b.rows == 0 {
                return Err(Error::Config {
                    setting: "--bands",
                    problem: format!("{b}: bands and rows must be at least 1"),
                });
            }
            if b.bands * b.rows > fp.num_perm {
                return Err(Error::Config {
                    setting: "--bands",
                    problem: format!(
                        "{}x{} needs {} permutations but --num-perm is {}",
                        b.bands,
                        b.rows,
                        b.bands * b.rows,
                        fp.num_perm
                    ),
                });
            }
        }
        if self.simhash_max_distance > 16 {
            return Err(Error::Config {
                setting: "simhash_max_distance",
                problem: "must be at most 16".into(),
            });
        }
        if self.max_passages_per_pair == 0 {
            return Err(Error::Config {
                setting: "max_passages_per_pair",
                problem: "must be at least 1".into(),
            });
        }
        if self.max_family_size < 2 {
            return Err(Error::Config {
                setting: "max_family_size",
                problem: "must be at least 2".into(),
            });
        }
        if !(1..=32).contains(&fp.shingle.k) {
            return Err(Error::Config {
                setting: "--shingle",
                problem: format!("shingle size {} is out of range 1..=32", fp.shingle.k),
            });
        }
        if self.boilerplate_max_df == 0 || self.bigram_candidates_min_shared == 0 {
            return Err(Error::Config {
                setting: "boilerplate_max_df/bigram_candidates_min_shared",
                problem: "must be at least 1".into(),
            });
        }
        // The remaining settings are config keys without a flag.
        let r = &self.relations;
        for (setting, value) in [
            ("relations.excerpt_containment", r.excerpt_containment),
            ("relations.partial_min_coverage", r.partial_min_coverage),
            (
                "relations.rewrite_min_bigram_containment",
                r.rewrite_min_bigram_containment,
            ),
            (
                "relations.rewrite_strong_bigram_containment",
                r.rewrite_strong_bigram_containment,
            ),
            ("relations.numbers_min_agreement", r.numbers_min_agreement),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::Config {
                    setting,
                    problem: format!("{value} must be in [0, 1]"),
                });
            }
        }
        let models = [
            ("relations.derived", &r.derived),
            ("relations.whole", &r.whole),
        ];
        for (setting, m) in models {
            let weights = [
                m.intercept,
                m.bigram_short,
                m.bigram_long,
                m.containment_short,
                m.verbatim_short,
                m.log_length_ratio,
            ];
            if weights.iter().any(|w| !w.is_finite()) {
                return Err(Error::Config {
                    setting,
                    problem: "every coefficient must be a finite number".into(),
                });
            }
        }
        for (setting, value, least) in [
            ("relations.min_run_tokens", r.min_run_tokens, 1),
            ("max_df", self.max_df, 1),
            ("bigram_max_df", self.bigram_max_df, 1),
            (
                "min_shared_fingerprints",
                self.min_shared_fingerprints as usize,
                1,
            ),
            ("bigram_candidates_max_df", self.bigram_candidates_max_df, 2),
            ("max_bucket", self.max_bucket, 2),
        ] {
            if value < least {
                return Err(Error::Config {
                    setting,
                    problem: format!("{value} must be at least {least}"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_size_and_new_caps_are_validated() {
        let mut c = Config::default();
        c.fingerprint.shingle.k = 0;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("--shingle"), "{err}");
        let c = Config {
            boilerplate_max_df: 0,
            ..Config::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn every_setting_is_validated() {
        assert!(Config::default().validate().is_ok());
        /// Breaks one setting.
        type Break = fn(&mut Config);
        let cases: Vec<(&str, Break)> = vec![
            ("--bands", |c| {
                c.banding = Some(Banding { bands: 0, rows: 4 })
            }),
            ("relations.excerpt_containment", |c| {
                c.relations.excerpt_containment = 1.5
            }),
            ("relations.partial_min_coverage", |c| {
                c.relations.partial_min_coverage = -0.1
            }),
            ("relations.derived", |c| {
                c.relations.derived.intercept = f64::NAN
            }),
            ("relations.min_run_tokens", |c| {
                c.relations.min_run_tokens = 0
            }),
            ("max_df", |c| c.max_df = 0),
            ("bigram_max_df", |c| c.bigram_max_df = 0),
            ("min_shared_fingerprints", |c| c.min_shared_fingerprints = 0),
            ("bigram_candidates_max_df", |c| {
                c.bigram_candidates_max_df = 1
            }),
            ("max_bucket", |c| c.max_bucket = 1),
        ];
        for (setting, break_it) in cases {
            let mut c = Config::default();
            break_it(&mut c);
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(setting), "{setting}: {err}");
        }
    }

    #[test]
    fn families_serialize_by_their_old_names_and_unknown_ones_are_refused() {
        // Indexes store the parameters as JSON: the names must stay what the strings were.
        let json = serde_json::to_value(FingerprintParams::default()).unwrap();
        assert_eq!(json["permutation_family"], "fast-similarity-sketch");
        assert_eq!(json["simhash_weighting"], "shingle-tf-log");
        for f in PermutationFamily::ALL {
            let back: PermutationFamily =
                serde_json::from_value(serde_json::Value::from(f.name())).unwrap();
            assert_eq!(back, f);
            assert_eq!(PermutationFamily::parse(f.name()).unwrap(), f);
        }
        let mut bad = json.clone();
        bad["permutation_family"] = "minwise".into();
        assert!(serde_json::from_value::<FingerprintParams>(bad).is_err());
        let err = PermutationFamily::parse("minwise").unwrap_err().to_string();
        assert!(
            err.contains("permutation_family") && err.contains("oph-densified"),
            "{err}"
        );
    }
}
