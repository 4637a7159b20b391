//! From the figures of a verified pair to one [`Relation`], with the rule that decided and a
//! confidence (`Judgment`).
//!
//! The rules, strongest first (each default lives in [`RelationThresholds`]):
//!
//! 1. `duplicate`: the two token sequences are identical after normalization.
//! 2. `near-duplicate`: Jaccard of the shingle sets >= `near_duplicate`.
//! 3. `excerpt`: the shorter text is mostly found in the longer one: its shingle containment
//!    >= `excerpt_containment`.
//! 4. The lexical models, when the shorter text has at least `rewrite_min_tokens` tokens:
//!    `derived` (is it reuse at all?) and `whole` (is the text wholly derived?), two logistic
//!    models over five figures seen from the shorter text (`lexical_inputs`): idf-weighted
//!    bigram containment both ways (bigrams common in the corpus dropped), shingle containment,
//!    verbatim coverage (boilerplate excluded) and the length ratio. Derived and whole:
//!    `rewrite`; derived only: `partial-reuse`. Their coefficients are fitted on labelled dev
//!    data by `benches/calibrate/fit.py` (grouped cross-validation; ARCHITECTURE.md).
//! 5. `partial-reuse` by passages: verbatim runs of at least `min_run_tokens` tokens, none of
//!    their shingles boilerplate (common across the corpus), add up to `partial_min_tokens`,
//!    or cover `partial_min_coverage` of the shorter text with `partial_min_tokens_with_coverage`
//!    tokens: a copied passage is reuse however different the rest of the texts.
//!
//! The confidence is 1 for the exact rules (1-3); otherwise the `derived` model's probability
//! (at least 0.5 when passages decided: the labelled data cannot calibrate that rule).
//!
//! Everything here is pure: figures in, judgment out.

use serde::{Deserialize, Serialize};

pub use crate::config::RelationThresholds;
use crate::profile::TokenView;
use crate::similarity::overlap;

/// How two documents are related. Ordered from strongest to weakest.
///
/// ```
/// use stemma::Relation;
///
/// // The strongest reuse first; named in reports by `as_str`.
/// assert!(Relation::Duplicate < Relation::NearDuplicate);
/// assert!(Relation::Excerpt < Relation::Rewrite);
/// assert_eq!(Relation::PartialReuse.as_str(), "partial-reuse");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Relation {
    /// Identical after normalization.
    Duplicate,
    /// Whole-text resemblance at or above the threshold.
    NearDuplicate,
    /// One text is mostly contained in the other.
    Excerpt,
    /// Substantial shared verbatim passages, neither text contained in the other.
    PartialReuse,
    /// The same text re-worded: strong lexical overlap with few verbatim runs.
    Rewrite,
}

impl Relation {
    /// The name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Duplicate => "duplicate",
            Relation::NearDuplicate => "near-duplicate",
            Relation::Excerpt => "excerpt",
            Relation::PartialReuse => "partial-reuse",
            Relation::Rewrite => "rewrite",
        }
    }

    /// All relations, strongest first.
    pub const ALL: [Relation; 5] = [
        Relation::Duplicate,
        Relation::NearDuplicate,
        Relation::Excerpt,
        Relation::PartialReuse,
        Relation::Rewrite,
    ];
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Relation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Relation::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown relation {s:?}: use duplicate, near-duplicate, excerpt, partial-reuse or rewrite")
            })
    }
}

/// The measured figures of one pair (a, b).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PairFigures {
    /// Token counts.
    pub tokens_a: usize,
    /// Token counts.
    pub tokens_b: usize,
    /// Identical normalized token sequences.
    pub identical: bool,
    /// Jaccard of the shingle sets.
    pub jaccard: f64,
    /// |A ∩ B| / |A| on shingle sets.
    pub containment_a_in_b: f64,
    /// |A ∩ B| / |B| on shingle sets.
    pub containment_b_in_a: f64,
    /// Shared distinct shingles.
    pub shared_shingles: usize,
    /// Fraction of A's bigram set found in B.
    pub bigram_containment_a_in_b: f64,
    /// Fraction of B's bigram set found in A.
    pub bigram_containment_b_in_a: f64,
    /// A's bigram containment in B with each bigram weighted by its idf, ln(N / document
    /// frequency), over the corpus: a bigram shared by two texts alone weighs most, a template
    /// phrase of many editions little. Equal to the plain figure without corpus statistics.
    #[serde(default)]
    pub idf_bigram_containment_a_in_b: f64,
    /// B's idf-weighted bigram containment in A.
    #[serde(default)]
    pub idf_bigram_containment_b_in_a: f64,
    /// Tokens of A inside verbatim runs (of at least `min_run_tokens`) shared with B.
    pub verbatim_tokens_a: usize,
    /// Tokens of B inside verbatim runs shared with A.
    pub verbatim_tokens_b: usize,
    /// Longest verbatim run, in tokens (measured on A).
    pub longest_run_tokens: usize,
    /// Tokens per word over both texts: 1 with word shingles, the characters per word with
    /// character shingles. The token minimums of the rules scale by it
    /// ([`RelationThresholds::in_tokens`]). Written only when not 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub tokens_per_word: f64,
    /// Distinct numbers in A (`text::numbers`).
    #[serde(default)]
    pub numbers_a: usize,
    /// Distinct numbers in B.
    #[serde(default)]
    pub numbers_b: usize,
    /// Distinct numbers found in both.
    #[serde(default)]
    pub shared_numbers: usize,
}

fn one() -> f64 {
    1.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

impl PairFigures {
    /// The figures of two identical texts of `tokens` tokens and `shingles` distinct shingles:
    /// everything shared, whatever document-frequency caps would drop (scan pairs identical
    /// copies by grouping, without measuring, and the index reports them the same way).
    pub fn identical(tokens: usize, shingles: usize) -> PairFigures {
        PairFigures {
            tokens_a: tokens,
            tokens_b: tokens,
            identical: true,
            jaccard: 1.0,
            containment_a_in_b: 1.0,
            containment_b_in_a: 1.0,
            shared_shingles: shingles,
            bigram_containment_a_in_b: 1.0,
            bigram_containment_b_in_a: 1.0,
            idf_bigram_containment_a_in_b: 1.0,
            idf_bigram_containment_b_in_a: 1.0,
            verbatim_tokens_a: tokens,
            verbatim_tokens_b: tokens,
            longest_run_tokens: tokens,
            tokens_per_word: 1.0,
            numbers_a: 0,
            numbers_b: 0,
            shared_numbers: 0,
        }
    }

    /// The same figures with A and B swapped.
    pub fn mirrored(&self) -> PairFigures {
        PairFigures {
            tokens_a: self.tokens_b,
            tokens_b: self.tokens_a,
            containment_a_in_b: self.containment_b_in_a,
            containment_b_in_a: self.containment_a_in_b,
            bigram_containment_a_in_b: self.bigram_containment_b_in_a,
            bigram_containment_b_in_a: self.bigram_containment_a_in_b,
            idf_bigram_containment_a_in_b: self.idf_bigram_containment_b_in_a,
            idf_bigram_containment_b_in_a: self.idf_bigram_containment_a_in_b,
            verbatim_tokens_a: self.verbatim_tokens_b,
            verbatim_tokens_b: self.verbatim_tokens_a,
            numbers_a: self.numbers_b,
            numbers_b: self.numbers_a,
            ..self.clone()
        }
    }

    /// Fraction of A's tokens inside shared verbatim runs.
    pub fn verbatim_coverage_a(&self) -> f64 {
        ratio(self.verbatim_tokens_a, self.tokens_a)
    }
    /// Fraction of B's tokens inside shared verbatim runs.
    pub fn verbatim_coverage_b(&self) -> f64 {
        ratio(self.verbatim_tokens_b, self.tokens_b)
    }
    /// True when A is the shorter text (ties: A).
    pub(crate) fn a_is_shorter(&self) -> bool {
        self.tokens_a <= self.tokens_b
    }

    /// Share of the numbers of the text with fewer of them found in the other (1 when it has
    /// none): how far the two texts agree on their figures.
    pub fn number_agreement(&self) -> f64 {
        let fewer = self.numbers_a.min(self.numbers_b);
        if fewer == 0 {
            1.0
        } else {
            self.shared_numbers as f64 / fewer as f64
        }
    }

    /// The numbers rule ([`RelationThresholds::numbers_min`]): the text with fewer numbers has
    /// enough of them, and too few are in the other text.
    pub fn numbers_disagree(&self, t: &RelationThresholds) -> bool {
        self.numbers_a.min(self.numbers_b) >= t.numbers_min.max(1)
            && self.number_agreement() < t.numbers_min_agreement
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// Measures a pair exactly from the two documents' positional views (`k` = shingle size).
pub(crate) fn measure(
    a: &TokenView,
    b: &TokenView,
    k: usize,
    t: &RelationThresholds,
) -> PairFigures {
    let tokens = a.tokens.len() + b.tokens.len();
    let words = a.words + b.words;
    let tokens_per_word = if words == 0 || words >= tokens {
        1.0
    } else {
        tokens as f64 / words as f64
    };
    let t = &t.in_tokens(tokens_per_word);
    let o = overlap(&a.shingle_set, &b.shingle_set);
    let bigrams = overlap(&a.bigram_set, &b.bigram_set);
    // Boilerplate shingles (common across the corpus) break runs: a template line shared by
    // two texts is not a passage of one copied into the other.
    fn shared_in<'v>(other: &'v TokenView, own: &'v TokenView) -> impl Fn(u64) -> bool + 'v {
        move |h| {
            other.shingle_set.binary_search(&h).is_ok()
                && own.boilerplate.binary_search(&h).is_err()
                && other.boilerplate.binary_search(&h).is_err()
        }
    }
    let (verbatim_tokens_a, longest_a) =
        verbatim_runs_where(&a.shingle_seq, shared_in(b, a), k, t.min_run_tokens);
    let (verbatim_tokens_b, longest_b) =
        verbatim_runs_where(&b.shingle_seq, shared_in(a, b), k, t.min_run_tokens);
    let (na, nb) = (a.tokens.len(), b.tokens.len());
    PairFigures {
        tokens_a: na,
        tokens_b: nb,
        identical: a.content_hash == b.content_hash
            && !a.tokens.is_empty()
            && a.tokens.len() == b.tokens.len(),
        jaccard: o.jaccard,
        containment_a_in_b: o.containment_a_in_b,
        containment_b_in_a: o.containment_b_in_a,
        shared_shingles: o.shared,
        bigram_containment_a_in_b: bigrams.containment_a_in_b,
        bigram_containment_b_in_a: bigrams.containment_b_in_a,
        idf_bigram_containment_a_in_b: weighted_containment(a, b)
            .unwrap_or(bigrams.containment_a_in_b),
        idf_bigram_containment_b_in_a: weighted_containment(b, a)
            .unwrap_or(bigrams.containment_b_in_a),
        // A text shorter than k has one shingle spanning k tokens: clamp to real lengths.
        verbatim_tokens_a: verbatim_tokens_a.min(na),
        verbatim_tokens_b: verbatim_tokens_b.min(nb),
        longest_run_tokens: longest_a.min(na).max(longest_b.min(nb)),
        tokens_per_word,
        numbers_a: a.numbers.len(),
        numbers_b: b.numbers.len(),
        shared_numbers: overlap(&a.numbers, &b.numbers).shared,
    }
}

/// The share of `x`'s bigram weight found in `y`'s bigrams, when `x` carries weights
/// ([`TokenView::weigh_bigrams`]).
fn weighted_containment(x: &TokenView, y: &TokenView) -> Option<f64> {
    if x.bigram_weights.len() != x.bigram_set.len() || x.bigram_set.is_empty() {
        return None;
    }
    let (mut shared, mut total) = (0.0, 0.0);
    for (h, w) in x.bigram_set.iter().zip(&x.bigram_weights) {
        total += w;
        if y.bigram_set.binary_search(h).is_ok() {
            shared += w;
        }
    }
    Some(if total > 0.0 { shared / total } else { 0.0 })
}

/// Tokens of a text covered by runs of consecutive shingles found in `other_set`, counting
/// only runs of at least `min_run_tokens` tokens, and the longest run (in tokens).
///
/// A run of `m` consecutive shared shingles of size `k` spans `m + k - 1` tokens. Linear in the
/// text's length (a binary search per shingle), whatever the input.
#[cfg(test)]
pub(crate) fn verbatim_runs(
    seq: &[u64],
    other_set: &[u64],
    k: usize,
    min_run_tokens: usize,
) -> (usize, usize) {
    verbatim_runs_where(
        seq,
        |h| other_set.binary_search(&h).is_ok(),
        k,
        min_run_tokens,
    )
}

/// [`verbatim_runs`] where `shared` says which shingles count as found in the other text.
pub(crate) fn verbatim_runs_where(
    seq: &[u64],
    shared: impl Fn(u64) -> bool,
    k: usize,
    min_run_tokens: usize,
) -> (usize, usize) {
    let k = k.max(1);
    let (mut covered, mut longest, mut covered_end) = (0usize, 0usize, 0usize);
    let mut run_start = None;
    for i in 0..=seq.len() {
        let shared = i < seq.len() && shared(seq[i]);
        match (shared, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                run_start = None;
                // Shingles start..i cover tokens start..i + k - 1.
                let (first, end) = (start, i + k - 1);
                longest = longest.max(end - first);
                if end - first >= min_run_tokens {
                    covered += end - first.max(covered_end).min(end);
                    covered_end = end;
                }
            }
            _ => {}
        }
    }
    (covered, longest)
}

/// The decision on one pair: its relation (or none), the rule that decided, and how sure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Judgment {
    /// The relation, `None` when the figures show no reuse.
    pub relation: Option<Relation>,
    /// The rule that decided, with the figures it read (for a person to check).
    pub rule: String,
    /// Probability in [0, 1] that the pair is reuse (calibrated on labelled dev data).
    pub confidence: f64,
}

/// The relation of a pair measured without corpus statistics (two texts alone), or `None`
/// when the figures show no reuse.
pub(crate) fn relate(f: &PairFigures, t: &RelationThresholds) -> Option<Relation> {
    judge(f, t, false).relation
}

/// The five inputs of the lexical models, seen from the shorter text (ties: A): its
/// idf-weighted bigram containment in the longer, the longer's in it, its shingle containment, its share inside
/// verbatim passages, ln(shorter tokens / longer tokens).
pub(crate) fn lexical_inputs(f: &PairFigures) -> [f64; 5] {
    let (bigram_short, bigram_long, containment, coverage) = if f.a_is_shorter() {
        (
            f.idf_bigram_containment_a_in_b,
            f.idf_bigram_containment_b_in_a,
            f.containment_a_in_b,
            f.verbatim_coverage_a(),
        )
    } else {
        (
            f.idf_bigram_containment_b_in_a,
            f.idf_bigram_containment_a_in_b,
            f.containment_b_in_a,
            f.verbatim_coverage_b(),
        )
    };
    let short = f.tokens_a.min(f.tokens_b).max(1) as f64;
    let long = f.tokens_a.max(f.tokens_b).max(1) as f64;
    [
        bigram_short,
        bigram_long,
        containment,
        coverage,
        (short / long).ln(),
    ]
}

/// The relation of a pair with the rule that decided and a confidence. `corpus_statistics`:
/// the figures were measured with the common bigrams of a corpus of more than
/// `bigram_max_df` documents dropped; without them the lexical models do not apply (see
/// [`RelationThresholds::rewrite_min_bigram_containment`]).
pub(crate) fn judge(f: &PairFigures, t: &RelationThresholds, corpus_statistics: bool) -> Judgment {
    let t = &t.in_tokens(f.tokens_per_word);
    let decided = |relation, rule: String, confidence| Judgment {
        relation,
        rule,
        confidence,
    };
    if f.tokens_a == 0 || f.tokens_b == 0 {
        return decided(None, "an empty text relates to nothing".into(), 0.0);
    }
    if f.identical {
        return decided(
            Some(Relation::Duplicate),
            "identical normalized texts".into(),
            1.0,
        );
    }
    if f.jaccard >= t.near_duplicate {
        return decided(
            Some(Relation::NearDuplicate),
            format!(
                "jaccard {:.3} >= near-duplicate threshold {}",
                f.jaccard, t.near_duplicate
            ),
            1.0,
        );
    }
    let (containment, coverage, verbatim) = if f.a_is_shorter() {
        (
            f.containment_a_in_b,
            f.verbatim_coverage_a(),
            f.verbatim_tokens_a,
        )
    } else {
        (
            f.containment_b_in_a,
            f.verbatim_coverage_b(),
            f.verbatim_tokens_b,
        )
    };
    if containment >= t.excerpt_containment {
        return decided(
            Some(Relation::Excerpt),
            format!(
                "shorter text's containment {containment:.3} >= excerpt threshold {}",
                t.excerpt_containment
            ),
            1.0,
        );
    }
    let shorter_tokens = f.tokens_a.min(f.tokens_b);
    if !corpus_statistics {
        return judge_without_statistics(f, t, coverage, verbatim);
    }
    let x = lexical_inputs(f);
    let p = if shorter_tokens >= t.rewrite_min_tokens {
        t.derived.probability(&x)
    } else {
        0.0
    };
    let inputs = format!(
        "idf-weighted bigram containment {:.3} (shorter) / {:.3} (longer), containment {:.3}, verbatim {:.3}, length ratio {:.2}",
        x[0],
        x[1],
        x[2],
        x[3],
        x[4].exp()
    );
    let numbers_disagree = f.numbers_disagree(t);
    if p >= 0.5 && !numbers_disagree {
        let w = t.whole.probability(&x);
        let relation = if w >= 0.5 {
            Relation::Rewrite
        } else {
            Relation::PartialReuse
        };
        return decided(
            Some(relation),
            format!("derived model {p:.2} >= 0.5, whole-text model {w:.2}, on {inputs}"),
            p,
        );
    }
    if passages_suffice(verbatim, coverage, t) {
        return decided(
            Some(Relation::PartialReuse),
            format!(
                "verbatim passages: {verbatim} tokens ({:.0}% of the shorter text) outside boilerplate",
                coverage * 100.0
            ),
            p.max(0.5),
        );
    }
    if one_passage_suffices(f, t) {
        return decided(
            Some(Relation::PartialReuse),
            format!(
                "one verbatim passage of {} tokens (>= {}) outside boilerplate",
                f.longest_run_tokens, t.partial_min_run_tokens
            ),
            p.max(0.5),
        );
    }
    let why = if shorter_tokens < t.rewrite_min_tokens {
        format!(
            "shorter text has {shorter_tokens} tokens (< {}) and no verbatim passage of note",
            t.rewrite_min_tokens
        )
    } else if p >= 0.5 {
        format!(
            "derived model {p:.2} >= 0.5 on {inputs}, but {}; verbatim passages {verbatim} tokens",
            numbers_shortfall(f)
        )
    } else {
        format!("derived model {p:.2} < 0.5 on {inputs}; verbatim passages {verbatim} tokens")
    };
    decided(None, why, p)
}

/// A rule a pair did not meet: the figure it reads, the pair's value and the value the rule
/// needs. [`shortfalls`] lists them for a pair without a relation ("why not related").
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Shortfall {
    /// The relation the rule would have given.
    pub relation: Relation,
    /// The figure the rule reads, in words (`jaccard`, `shorter text's containment`, ...).
    pub figure: &'static str,
    /// The pair's value of that figure.
    pub value: f64,
    /// The value the rule needs (at least).
    pub needed: f64,
}

impl Shortfall {
    /// How far the value is below what the rule needs.
    pub fn gap(&self) -> f64 {
        (self.needed - self.value).max(0.0)
    }

    /// The value as a share of what is needed (1 = met): how close the rule came.
    pub fn closeness(&self) -> f64 {
        if self.needed > 0.0 {
            self.value / self.needed
        } else {
            1.0
        }
    }
}

/// Why a pair is not related: every rule of `judge` it fell short of, closest first (by
/// [`Shortfall::closeness`]; ties in rule order). Empty when the pair is related, or when a
/// text is empty (an empty text relates to nothing). `corpus_statistics` as in `judge`:
/// with them the lexical rule is the `derived` model's probability against 0.5, without them
/// the shorter text's bigram containment against the `rewrite` thresholds.
///
/// ```
/// use stemma::relate::{shortfalls, PairFigures, RelationThresholds};
///
/// let t = RelationThresholds::default();
/// let mut f = PairFigures::identical(100, 96);
/// f.identical = false;
/// f.jaccard = 0.3;
/// f.containment_a_in_b = 0.45;
/// f.containment_b_in_a = 0.45;
/// f.verbatim_tokens_a = 12;
/// f.verbatim_tokens_b = 12;
/// f.bigram_containment_a_in_b = 0.2;
/// f.bigram_containment_b_in_a = 0.2;
/// f.longest_run_tokens = 4;
/// // Not related (a related pair has no shortfalls): which rules missed, closest first.
/// let why = shortfalls(&f, &t, false);
/// assert_eq!(why[0].figure, "shorter text's containment");
/// assert!((why[0].gap() - 0.35).abs() < 1e-9);
/// ```
pub fn shortfalls(
    f: &PairFigures,
    t: &RelationThresholds,
    corpus_statistics: bool,
) -> Vec<Shortfall> {
    if f.tokens_a == 0 || f.tokens_b == 0 || judge(f, t, corpus_statistics).relation.is_some() {
        return Vec::new();
    }
    let t = &t.in_tokens(f.tokens_per_word);
    let (containment, coverage, verbatim, bigrams) = if f.a_is_shorter() {
        (
            f.containment_a_in_b,
            f.verbatim_coverage_a(),
            f.verbatim_tokens_a,
            f.bigram_containment_a_in_b,
        )
    } else {
        (
            f.containment_b_in_a,
            f.verbatim_coverage_b(),
            f.verbatim_tokens_b,
            f.bigram_containment_b_in_a,
        )
    };
    let rule = |relation, figure, value: f64, needed: f64| Shortfall {
        relation,
        figure,
        value,
        needed,
    };
    let mut out = vec![
        rule(
            Relation::NearDuplicate,
            "jaccard",
            f.jaccard,
            t.near_duplicate,
        ),
        rule(
            Relation::Excerpt,
            "shorter text's containment",
            containment,
            t.excerpt_containment,
        ),
        rule(
            Relation::PartialReuse,
            "verbatim tokens outside boilerplate",
            verbatim as f64,
            t.partial_min_tokens as f64,
        ),
    ];
    out.push(rule(
        Relation::PartialReuse,
        "longest verbatim run outside boilerplate",
        f.longest_run_tokens as f64,
        t.partial_min_run_tokens as f64,
    ));
    // The coverage route is the reason only when it has its tokens.
    if verbatim >= t.partial_min_tokens_with_coverage {
        out.push(rule(
            Relation::PartialReuse,
            "shorter text's verbatim coverage",
            coverage,
            t.partial_min_coverage,
        ));
    }
    let shorter_tokens = f.tokens_a.min(f.tokens_b);
    if corpus_statistics {
        if shorter_tokens < t.rewrite_min_tokens {
            out.push(rule(
                Relation::Rewrite,
                "shorter text's tokens (for the lexical models)",
                shorter_tokens as f64,
                t.rewrite_min_tokens as f64,
            ));
        } else {
            out.push(rule(
                Relation::Rewrite,
                "derived model probability",
                t.derived.probability(&lexical_inputs(f)),
                0.5,
            ));
        }
    } else {
        let needed = if f.longest_run_tokens >= t.min_run_tokens {
            t.rewrite_min_bigram_containment
        } else {
            t.rewrite_strong_bigram_containment
        };
        out.push(rule(
            Relation::Rewrite,
            "shorter text's bigram containment",
            bigrams,
            needed,
        ));
    }
    // A rule already met (coverage without enough tokens, say) is not the reason.
    out.retain(|s| s.value < s.needed);
    // The numbers rule is the reason only when the lexical rule it guards was met.
    if f.numbers_disagree(t) && !out.iter().any(|s| s.relation == Relation::Rewrite) {
        out.push(rule(
            Relation::Rewrite,
            "share of the numbers that agree",
            f.number_agreement(),
            t.numbers_min_agreement,
        ));
    }
    out.sort_by(|x, y| y.closeness().total_cmp(&x.closeness()));
    out
}

/// Why the numbers rule failed, in words.
fn numbers_shortfall(f: &PairFigures) -> String {
    format!(
        "the numbers disagree: {} of the {} numbers of the text with fewer are in the other (a template filled again, or another event)",
        f.shared_numbers,
        f.numbers_a.min(f.numbers_b)
    )
}

/// The passage rule: verbatim tokens of the shorter text (in runs outside boilerplate) reach
/// `partial_min_tokens`, or cover `partial_min_coverage` of it with
/// `partial_min_tokens_with_coverage` tokens.
fn passages_suffice(verbatim: usize, coverage: f64, t: &RelationThresholds) -> bool {
    verbatim >= t.partial_min_tokens
        || (coverage >= t.partial_min_coverage && verbatim >= t.partial_min_tokens_with_coverage)
}

/// The single-passage rule: one verbatim run outside boilerplate of `partial_min_run_tokens`.
fn one_passage_suffices(f: &PairFigures, t: &RelationThresholds) -> bool {
    f.longest_run_tokens >= t.partial_min_run_tokens
}

/// The rules for a pair without corpus statistics: passages first, then the bigram
/// containment of the shorter text (with a verbatim run, or high enough alone). The confidence
/// is uncalibrated here: 0.5 for a relation, 0 for none.
fn judge_without_statistics(
    f: &PairFigures,
    t: &RelationThresholds,
    coverage: f64,
    verbatim: usize,
) -> Judgment {
    let bigrams = if f.a_is_shorter() {
        f.bigram_containment_a_in_b
    } else {
        f.bigram_containment_b_in_a
    };
    let (relation, rule) = if passages_suffice(verbatim, coverage, t) {
        (
            Some(Relation::PartialReuse),
            format!(
                "verbatim passages: {verbatim} tokens ({:.0}% of the shorter text)",
                coverage * 100.0
            ),
        )
    } else if one_passage_suffices(f, t) {
        (
            Some(Relation::PartialReuse),
            format!(
                "one verbatim passage of {} tokens (>= {})",
                f.longest_run_tokens, t.partial_min_run_tokens
            ),
        )
    } else if (f.tokens_a.min(f.tokens_b) >= t.rewrite_min_tokens
        && bigrams >= t.rewrite_strong_bigram_containment
        || (f.longest_run_tokens >= t.min_run_tokens
            && bigrams >= t.rewrite_min_bigram_containment))
        && !f.numbers_disagree(t)
    {
        (
            Some(Relation::Rewrite),
            format!(
                "no corpus statistics: shorter text's bigram containment {bigrams:.3} with a {}-token run",
                f.longest_run_tokens
            ),
        )
    } else {
        let numbers = if f.numbers_disagree(t) {
            format!(", {}", numbers_shortfall(f))
        } else {
            String::new()
        };
        (
            None,
            format!(
                "no corpus statistics: verbatim passages {verbatim} tokens, bigram containment {bigrams:.3}{numbers}"
            ),
        )
    };
    Judgment {
        confidence: if relation.is_some() { 0.5 } else { 0.0 },
        relation,
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> PairFigures {
        PairFigures {
            tokens_a: 1000,
            tokens_b: 1200,
            identical: false,
            jaccard: 0.0,
            containment_a_in_b: 0.0,
            containment_b_in_a: 0.0,
            shared_shingles: 0,
            bigram_containment_a_in_b: 0.0,
            bigram_containment_b_in_a: 0.0,
            idf_bigram_containment_a_in_b: 0.0,
            idf_bigram_containment_b_in_a: 0.0,
            verbatim_tokens_a: 0,
            verbatim_tokens_b: 0,
            longest_run_tokens: 0,
            tokens_per_word: 1.0,
            numbers_a: 0,
            numbers_b: 0,
            shared_numbers: 0,
        }
    }

    #[test]
    fn each_rule_in_order() {
        let t = RelationThresholds::default();
        assert_eq!(relate(&figures(), &t), None);
        let f = PairFigures {
            identical: true,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::Duplicate));
        let f = PairFigures {
            jaccard: 0.85,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::NearDuplicate));
        let f = PairFigures {
            containment_a_in_b: 0.9,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::Excerpt));
        // Containment of the longer side does not make an excerpt.
        let f = PairFigures {
            containment_b_in_a: 0.9,
            ..figures()
        };
        assert_eq!(relate(&f, &t), None);
        let f = PairFigures {
            verbatim_tokens_a: 200,
            verbatim_tokens_b: 200,
            longest_run_tokens: 50,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::PartialReuse));
        let f = PairFigures {
            bigram_containment_a_in_b: 0.35,
            longest_run_tokens: 9,
            verbatim_tokens_a: 9,
            verbatim_tokens_b: 9,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::Rewrite));
        let f = PairFigures {
            bigram_containment_a_in_b: 0.35,
            ..figures()
        };
        assert_eq!(
            relate(&f, &t),
            None,
            "moderate bigram overlap without any verbatim run is not enough"
        );
        let f = PairFigures {
            bigram_containment_a_in_b: 0.6,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::Rewrite));
        // The same wording with other numbers: one of four agrees, a template filled again.
        let f = PairFigures {
            bigram_containment_a_in_b: 0.6,
            numbers_a: 4,
            numbers_b: 6,
            shared_numbers: 1,
            ..figures()
        };
        assert_eq!(relate(&f, &t), None);
        assert_eq!(
            shortfalls(&f, &t, false)[0].figure,
            "share of the numbers that agree"
        );
        // Two of four agree; and two numbers are too few to judge by.
        for (a, shared) in [(4, 2), (2, 0)] {
            let f = PairFigures {
                bigram_containment_a_in_b: 0.6,
                numbers_a: a,
                numbers_b: 6,
                shared_numbers: shared,
                ..figures()
            };
            assert_eq!(
                relate(&f, &t),
                Some(Relation::Rewrite),
                "{a} numbers, {shared} shared"
            );
        }
        // One passage of 30 tokens is reuse on its own; 29 is not.
        for (run, related) in [(30, true), (29, false)] {
            let f = PairFigures {
                verbatim_tokens_a: run,
                verbatim_tokens_b: run,
                longest_run_tokens: run,
                ..figures()
            };
            assert_eq!(relate(&f, &t).is_some(), related, "run {run}");
        }
        // Verbatim passages do not read the numbers.
        let f = PairFigures {
            verbatim_tokens_a: 200,
            verbatim_tokens_b: 200,
            longest_run_tokens: 50,
            numbers_a: 4,
            numbers_b: 6,
            ..figures()
        };
        assert_eq!(relate(&f, &t), Some(Relation::PartialReuse));
    }

    #[test]
    fn idf_weights_make_a_common_shared_bigram_count_less() {
        let profiler = crate::profile::Profiler::new(&Default::default());
        let mut a = profiler.view("alpha beta gamma delta");
        let mut b = profiler.view("alpha beta omega sigma");
        let plain = measure(&a, &b, 5, &RelationThresholds::default());
        // Unweighted, the idf figure is the plain one.
        assert_eq!(
            plain.idf_bigram_containment_a_in_b,
            plain.bigram_containment_a_in_b
        );
        // The shared bigram "alpha beta" is in 50 of 100 documents, the others in 1 or 2.
        let shared = a.bigram_set.clone();
        let df = |h: u64| {
            if b.bigram_set.contains(&h) && shared.contains(&h) {
                50
            } else {
                2
            }
        };
        a.weigh_bigrams(100, df);
        let df_b = |h: u64| if shared.contains(&h) { 50 } else { 2 };
        b.weigh_bigrams(100, df_b);
        let f = measure(&a, &b, 5, &RelationThresholds::default());
        assert!((f.bigram_containment_a_in_b - 1.0 / 3.0).abs() < 1e-9);
        let want = (2.0f64).ln() / ((2.0f64).ln() + 2.0 * (50.0f64).ln());
        assert!(
            (f.idf_bigram_containment_a_in_b - want).abs() < 1e-9,
            "{} vs {want}",
            f.idf_bigram_containment_a_in_b
        );
        assert_eq!(
            f.idf_bigram_containment_a_in_b,
            f.mirrored().idf_bigram_containment_b_in_a
        );
    }

    #[test]
    fn verbatim_runs_count_only_long_runs() {
        // k = 3: shingles 0..10; shared: 1,2 (run of 2 shingles = 4 tokens), 4..=9 (6 shingles = 8 tokens).
        let seq: Vec<u64> = (0..10).collect();
        let other: Vec<u64> = vec![1, 2, 4, 5, 6, 7, 8, 9];
        assert_eq!(verbatim_runs(&seq, &other, 3, 8), (8, 8));
        // Tokens 1..5 and 4..12 overlap on token 4: 11 distinct tokens.
        assert_eq!(verbatim_runs(&seq, &other, 3, 4), (11, 8));
        assert_eq!(verbatim_runs(&seq, &[], 3, 1), (0, 0));
    }

    #[test]
    fn empty_documents_relate_to_nothing() {
        let f = PairFigures {
            tokens_a: 0,
            identical: true,
            ..figures()
        };
        assert_eq!(relate(&f, &RelationThresholds::default()), None);
    }

    #[test]
    fn relation_names_round_trip() {
        for r in Relation::ALL {
            assert_eq!(r.as_str().parse::<Relation>().unwrap(), r);
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
    }
}
