//! Aligned passages between two documents: which stretches of text B were copied from text A.
//!
//! [`align`] takes the token sequences of two texts and returns [`Passage`]s: pairs of token
//! ranges (and the byte ranges they span) whose tokens match exactly, allowing small edits
//! inside a passage. Passages may appear in a different order in the two texts (outlets move
//! paragraphs around), so the result is not a monotone alignment.
//!
//! # Invariants
//! - Passages never overlap each other, neither on side A nor on side B.
//! - Every passage starts and ends with an exact run of at least `seed_k` equal tokens, and every
//!   token counted in `matched_tokens` lies in an exact run (equal token hashes on both sides).
//! - Byte ranges run from the first token's start to the last token's end, so they are valid
//!   char boundaries of the original text whenever the token spans are.
//! - The result is deterministic and symmetric: `align(b, a)` gives the same passages with the
//!   sides swapped. Hash-map iteration order never reaches the output.
//!
//! # Method (bounded cost, no dynamic programming over whole documents)
//! 1. **Seeds**: every window of `seed_k` token hashes (a k-gram) is hashed on both sides; the
//!    sorted `(hash, position)` lists are joined. A k-gram occurring more than
//!    `max_seed_occurrences` times on either side is skipped, so the number of seed pairs is at
//!    most `max_seed_occurrences * min(len_a, len_b)`.
//! 2. **Runs**: seeds are grouped by diagonal (`pos_b - pos_a`) and extended token by token into
//!    maximal exact runs, each found once. A run may extend through repetitive stretches whose
//!    k-grams were too frequent to seed.
//! 3. **Choice**: runs are taken greedily, longest first, skipping any that overlaps an already
//!    taken run on either side. Ties are ordered by `(min(pos_a, pos_b), max(pos_a, pos_b))`,
//!    which is the same for a run and its mirror image; if a run and its mirror tie, are both
//!    still free and overlap each other, neither is taken (keeps the result symmetric).
//! 4. **Passages**: taken runs that are consecutive on both sides, in the same order, with gaps
//!    of at most `max_gap_tokens` on each side (a substitution, insertion or deletion) merge.
//! 5. Passages shorter than `min_passage_tokens` (on their shorter side) are dropped; at most
//!    `max_passages` are kept, the longest (if a passage and its mirror image tie at the cut,
//!    both are dropped), and `truncated` is set.
//!
//! Cost: `O((n + m) log(n + m))` for the k-gram lists, plus the seed pairs (at most
//! `max_seed_occurrences * min(n, m)`; only the first seed of each stretch of consecutive seeds
//! on a diagonal is kept and sorted), plus the extension, which scans each position of each
//! seeded diagonal at most once. Pathological input: when every k-gram is too frequent (one token
//! repeated 10^6 times on both sides) nothing seeds and the alignment is **empty** (no passages,
//! coverage 0); a single rare k-gram is enough for a run to extend through the repetition.
//!
//! # Not done here
//! No fuzzy matching: re-worded, translated or paraphrased text is not aligned (rewrites are
//! detected elsewhere, from fingerprints). Token equality is hash equality. Texts longer than
//! [`MAX_TOKENS`] tokens are aligned on their first [`MAX_TOKENS`] tokens only.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::hash_u64s;
use crate::text::Token;

/// Only the first `MAX_TOKENS` tokens of each text are aligned (token positions are `u32`).
pub const MAX_TOKENS: usize = (1 << 31) - 1;

/// Seed of the k-gram hashes (only equality within one call matters).
const KGRAM_SEED: u64 = 0x0041_4C49_474E;

/// Settings of [`align`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignParams {
    /// Exact matches of this many tokens seed the alignment. Default: 5. A value of 0 acts as 1.
    pub seed_k: usize,
    /// Passages shorter than this (in tokens, on their shorter side) are dropped. Default: 8.
    pub min_passage_tokens: usize,
    /// Two exact runs separated by at most this many tokens on both sides (a small edit) merge
    /// into one passage. Default: 6.
    pub max_gap_tokens: usize,
    /// At most this many passages per pair of texts; the longest are kept. Default: 500.
    pub max_passages: usize,
    /// A k-gram occurring more often than this in either text does not seed (repetitive text).
    /// Default: 50.
    pub max_seed_occurrences: usize,
}

impl Default for AlignParams {
    fn default() -> Self {
        AlignParams {
            seed_k: 5,
            min_passage_tokens: 8,
            max_gap_tokens: 6,
            max_passages: 500,
            max_seed_occurrences: 50,
        }
    }
}

impl AlignParams {
    /// Checks that every setting is usable: `seed_k` in 1..=32, the others at least 1.
    pub fn validate(&self) -> Result<()> {
        let (setting, problem) = match self {
            p if !(1..=32).contains(&p.seed_k) => ("align.seed_k", "must be between 1 and 32"),
            p if p.max_passages == 0 => ("align.max_passages", "must be at least 1"),
            p if p.max_seed_occurrences == 0 => {
                ("align.max_seed_occurrences", "must be at least 1")
            }
            _ => return Ok(()),
        };
        let problem = problem.to_string();
        Err(Error::Config { setting, problem })
    }
}

/// A half-open range `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range32 {
    /// First position in the range.
    pub start: u32,
    /// One past the last position.
    pub end: u32,
}

impl Range32 {
    fn len(self) -> u32 {
        self.end - self.start
    }
}

/// One aligned passage: a stretch of A and a stretch of B that match up to small edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Token index range in A.
    pub a_tokens: Range32,
    /// Token index range in B.
    pub b_tokens: Range32,
    /// Byte range in A's original text (first token's start .. last token's end).
    pub a_bytes: Range32,
    /// Byte range in B's original text.
    pub b_bytes: Range32,
    /// Tokens inside exact runs (equal on both sides) within the passage.
    pub matched_tokens: u32,
    /// `matched_tokens / max(len_a, len_b)`: 1.0 means verbatim.
    pub exactness: f64,
}

/// The result of [`align`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// The passages, sorted by `a_tokens.start`.
    pub passages: Vec<Passage>,
    /// Fraction of A's tokens inside passages (0.0 for an empty text).
    pub coverage_a: f64,
    /// Fraction of B's tokens inside passages (0.0 for an empty text).
    pub coverage_b: f64,
    /// True when more than `max_passages` passages were found and some were dropped.
    pub truncated: bool,
}

/// A maximal exact run: `a[a..a + len] == b[b..b + len]` (token hashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    a: u32,
    b: u32,
    len: u32,
}

impl Run {
    /// Longest first, then by position; a run and its mirror image get the same key.
    fn key(&self) -> (Reverse<u32>, u32, u32) {
        (Reverse(self.len), self.a.min(self.b), self.a.max(self.b))
    }
}

/// Aligns two token sequences; see the module documentation for the method and guarantees.
pub fn align(a: &[Token], b: &[Token], params: &AlignParams) -> Alignment {
    let a = &a[..a.len().min(MAX_TOKENS)];
    let b = &b[..b.len().min(MAX_TOKENS)];
    let ha: Vec<u64> = a.iter().map(|t| t.hash).collect();
    let hb: Vec<u64> = b.iter().map(|t| t.hash).collect();
    let mut passages: Vec<Passage> = chains(&ha, &hb, params)
        .iter()
        .map(|runs| make_passage(runs, a, b))
        .filter(|p| p.a_tokens.len().min(p.b_tokens.len()) as usize >= params.min_passage_tokens)
        .collect();
    let truncated = passages.len() > params.max_passages;
    if truncated {
        passages.sort_by_key(size_key);
        let mut keep = params.max_passages;
        // A passage and its mirror image tie; keeping only one of them would break symmetry.
        if keep > 0 && size_key(&passages[keep - 1]) == size_key(&passages[keep]) {
            keep -= 1;
        }
        passages.truncate(keep);
        passages.sort_by_key(|p| p.a_tokens.start);
    }
    let coverage = |n: usize, side: fn(&Passage) -> Range32| {
        let covered: u64 = passages.iter().map(|p| u64::from(side(p).len())).sum();
        covered as f64 / n.max(1) as f64 // an empty text has no passages: 0.0
    };
    Alignment {
        coverage_a: coverage(a.len(), |p| p.a_tokens),
        coverage_b: coverage(b.len(), |p| p.b_tokens),
        passages,
        truncated,
    }
}

/// Largest first (total tokens, then matched tokens), then by position; the same for a passage
/// and its mirror image.
fn size_key(p: &Passage) -> (Reverse<u32>, Reverse<u32>, (u32, u32)) {
    let (s, t) = (p.a_tokens.start, p.b_tokens.start);
    let total = p.a_tokens.len() + p.b_tokens.len();
    (
        Reverse(total),
        Reverse(p.matched_tokens),
        (s.min(t), s.max(t)),
    )
}

/// Steps 1-4: the taken exact runs, grouped into passages (each group in order on both sides),
/// groups sorted by their start in A.
fn chains(ha: &[u64], hb: &[u64], params: &AlignParams) -> Vec<Vec<Run>> {
    let k = params.seed_k.max(1);
    let mut runs = choose(exact_runs(ha, hb, k, params.max_seed_occurrences));
    runs.sort_unstable_by_key(|r| r.a);
    let mut by_b: Vec<usize> = (0..runs.len()).collect();
    by_b.sort_unstable_by_key(|&i| runs[i].b);
    let mut rank_b = vec![0; runs.len()];
    for (rank, &i) in by_b.iter().enumerate() {
        rank_b[i] = rank;
    }
    let gap = params.max_gap_tokens as u64;
    let mut out: Vec<Vec<Run>> = Vec::new();
    for (i, &r) in runs.iter().enumerate() {
        let joins = i > 0 && rank_b[i] == rank_b[i - 1] + 1 && {
            let p = runs[i - 1];
            u64::from(r.a - (p.a + p.len)) <= gap && u64::from(r.b - (p.b + p.len)) <= gap
        };
        match out.last_mut() {
            Some(chain) if joins => chain.push(r),
            _ => out.push(vec![r]),
        }
    }
    out
}

/// Sorted `(k-gram hash, position)` list of one side.
fn kgrams(h: &[u64], k: usize) -> Vec<(u64, u32)> {
    let mut v: Vec<(u64, u32)> = h
        .windows(k)
        .enumerate()
        .map(|(i, w)| (hash_u64s(w, KGRAM_SEED), i as u32))
        .collect();
    v.sort_unstable();
    v
}

/// Steps 1-2: every maximal exact run that contains a usable seed, each exactly once.
fn exact_runs(ha: &[u64], hb: &[u64], k: usize, cap: usize) -> Vec<Run> {
    let (ka, kb) = (kgrams(ha, k), kgrams(hb, k));
    let na = ha.len();
    // Join: groups of equal k-gram hashes present on both sides, within the cap on both.
    let mut groups = Vec::new();
    let (mut x, mut y) = (0, 0);
    while x < ka.len() && y < kb.len() {
        let h = ka[x].0;
        if h != kb[y].0 {
            (x, y) = (x + usize::from(h < kb[y].0), y + usize::from(h > kb[y].0));
            continue;
        }
        let xe = x + ka[x..].iter().take_while(|e| e.0 == h).count();
        let ye = y + kb[y..].iter().take_while(|e| e.0 == h).count();
        if xe - x <= cap && ye - y <= cap {
            groups.push((x..xe, y..ye));
        }
        (x, y) = (xe, ye);
    }
    let mut seeded = vec![false; na]; // the k-gram at this position of A can seed
    for (gx, _) in &groups {
        ka[gx.clone()]
            .iter()
            .for_each(|&(_, i)| seeded[i as usize] = true);
    }
    // Seed pairs packed as (diagonal << 32 | pos_a), diagonal = pos_b + len_a - pos_a < 2^32.
    // A pair whose predecessor on its diagonal is also a seed is left out: same run.
    let mut seeds: Vec<u64> = Vec::new();
    for (gx, gy) in groups {
        for &(_, i) in &ka[gx] {
            for &(_, j) in &kb[gy.clone()] {
                let (i, j) = (i as usize, j as usize);
                let follows = i > 0 && j > 0 && seeded[i - 1] && ha[i - 1] == hb[j - 1];
                if !follows && ha[i..i + k] == hb[j..j + k] {
                    seeds.push(((j + na - i) as u64) << 32 | i as u64);
                }
            }
        }
    }
    drop((ka, kb));
    seeds.sort_unstable();
    let mut runs = Vec::new();
    let (mut diagonal, mut covered) = (u64::MAX, 0);
    for s in seeds {
        let (d, i) = (s >> 32, (s & 0xFFFF_FFFF) as usize);
        if d != diagonal {
            (diagonal, covered) = (d, 0);
        }
        if i < covered {
            continue; // inside the maximal run found from an earlier seed
        }
        let j = d as usize + i - na;
        let (mut s_a, mut s_b) = (i, j);
        while s_a > 0 && s_b > 0 && ha[s_a - 1] == hb[s_b - 1] {
            (s_a, s_b) = (s_a - 1, s_b - 1);
        }
        let (mut e_a, mut e_b) = (i + k, j + k);
        while e_a < na && e_b < hb.len() && ha[e_a] == hb[e_b] {
            (e_a, e_b) = (e_a + 1, e_b + 1);
        }
        let (a, b, len) = (s_a as u32, s_b as u32, (e_a - s_a) as u32);
        runs.push(Run { a, b, len });
        covered = e_a;
    }
    runs
}

/// Disjoint half-open intervals, keyed by start.
#[derive(Default)]
struct Taken(BTreeMap<u32, u32>);

impl Taken {
    fn is_free(&self, start: u32, len: u32) -> bool {
        let end = start + len;
        self.0
            .range(..end)
            .next_back()
            .is_none_or(|(_, &e)| e <= start)
    }
}

/// Step 3: a set of runs disjoint on both sides, greedy by length.
fn choose(mut runs: Vec<Run>) -> Vec<Run> {
    runs.sort_unstable_by_key(|r| (r.key(), r.a));
    let (mut taken_a, mut taken_b) = (Taken::default(), Taken::default());
    let mut chosen = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        let r = runs[i];
        // A run's mirror image (sides swapped) has the same key and comes right after it.
        let twin = runs.get(i + 1).filter(|t| t.key() == r.key()).copied();
        i += 1 + usize::from(twin.is_some());
        let free = |r: &Run| taken_a.is_free(r.a, r.len) && taken_b.is_free(r.b, r.len);
        let take = [Some(r).filter(|r| free(r)), twin.filter(|t| free(t))];
        if let [Some(r), Some(t)] = take {
            if r.a.abs_diff(t.a) < r.len {
                continue; // free twins overlapping each other: taking one would break symmetry
            }
        }
        for r in take.into_iter().flatten() {
            taken_a.0.insert(r.a, r.a + r.len);
            taken_b.0.insert(r.b, r.b + r.len);
            chosen.push(r);
        }
    }
    chosen
}

/// Builds the passage spanned by a chain of runs (in order on both sides).
fn make_passage(runs: &[Run], a: &[Token], b: &[Token]) -> Passage {
    let (first, last) = (runs[0], runs[runs.len() - 1]);
    let (start, end) = (first.a, last.a + last.len);
    let a_tokens = Range32 { start, end };
    let (start, end) = (first.b, last.b + last.len);
    let b_tokens = Range32 { start, end };
    let bytes = |t: &[Token], r: Range32| {
        let (start, end) = (t[r.start as usize].start, t[r.end as usize - 1].end);
        Range32 { start, end }
    };
    let matched_tokens: u32 = runs.iter().map(|r| r.len).sum();
    let longest = a_tokens.len().max(b_tokens.len());
    Passage {
        a_bytes: bytes(a, a_tokens),
        b_bytes: bytes(b, b_tokens),
        a_tokens,
        b_tokens,
        matched_tokens,
        exactness: f64::from(matched_tokens) / f64::from(longest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FingerprintParams;

    /// Tokens of `text` from the real tokenizer, hashed with `seed`.
    fn simple_tokens(text: &str, seed: u64) -> Vec<Token> {
        let params = FingerprintParams {
            seed,
            ..FingerprintParams::default()
        };
        let mut out = Vec::new();
        crate::text::tokenize(text, &params, &mut out);
        out
    }
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;

    type Doc = (String, Vec<Token>);

    /// Renders word ids as text with multi-byte words and varied separators (one token per id).
    fn doc(ids: &[u32]) -> Doc {
        let mut s = String::new();
        for (n, &id) in ids.iter().enumerate() {
            s.push_str([" ", ", ", " — ", "\n\n", "«"][(n + id as usize) % 5]);
            s.push_str(["a", "é", "ưở", "ж", "naïve", "x"][id as usize % 6]);
            s.push_str(&id.to_string());
        }
        let tokens = simple_tokens(&s, 7);
        assert_eq!(tokens.len(), ids.len());
        (s, tokens)
    }

    /// A text of one-byte tokens with the given hashes.
    fn synth(hashes: impl IntoIterator<Item = u64>) -> Doc {
        let token = |(start, hash)| Token {
            start,
            end: start + 1,
            hash,
        };
        let t: Vec<Token> = (0..).zip(hashes).map(token).collect();
        ("x".repeat(t.len()), t)
    }

    fn hashes(t: &[Token], r: Range32) -> Vec<u64> {
        t[r.start as usize..r.end as usize]
            .iter()
            .map(|t| t.hash)
            .collect()
    }

    /// Settings from `(seed_k, min_passage_tokens, max_gap_tokens, max_passages, cap)`.
    fn settings((k, min, gap, max, cap): (usize, usize, usize, usize, usize)) -> AlignParams {
        AlignParams {
            seed_k: k,
            min_passage_tokens: min,
            max_gap_tokens: gap,
            max_passages: max,
            max_seed_occurrences: cap,
        }
    }

    fn params() -> impl Strategy<Value = AlignParams> {
        (1usize..=6, 0usize..=12, 0usize..=6, 1usize..=8, 1usize..=60).prop_map(settings)
    }

    /// Deletes, inserts, substitutes and moves segments of `src`.
    fn edit(src: &[u32], ops: &[(u8, Index, usize, u32)]) -> Vec<u32> {
        let mut v = src.to_vec();
        for &(op, pos, len, tok) in ops {
            let at = pos.index(v.len() + 1);
            let end = (at + len).min(v.len());
            match op {
                0 => drop(v.drain(at..end)),
                1 => drop(v.splice(at..at, (0..len as u32).map(|i| tok + i))),
                2 if at < v.len() => v[at] = tok,
                _ => {
                    let moved: Vec<u32> = v.drain(at..end).collect();
                    v.extend(moved);
                }
            }
        }
        v
    }

    /// Checks every documented invariant, the exact runs behind the passages and mirror symmetry.
    fn check(a: &Doc, b: &Doc, p: &AlignParams) -> Result<Alignment, TestCaseError> {
        let al = align(&a.1, &b.1, p);
        let k = p.seed_k.max(1);
        prop_assert!(al.passages.len() <= p.max_passages);
        type Side = fn(&Passage) -> (Range32, Range32);
        let a_side: Side = |q| (q.a_tokens, q.a_bytes);
        let b_side: Side = |q| (q.b_tokens, q.b_bytes);
        for ((text, toks), side, coverage) in
            [(a, a_side, al.coverage_a), (b, b_side, al.coverage_b)]
        {
            let mut ranges: Vec<Range32> = al.passages.iter().map(|q| side(q).0).collect();
            ranges.sort_by_key(|r| r.start);
            let disjoint = ranges.windows(2).all(|w| w[0].end <= w[1].start);
            prop_assert!(disjoint, "passages overlap");
            for (r, bytes) in al.passages.iter().map(side) {
                prop_assert!(r.start < r.end && r.end as usize <= toks.len());
                let (start, end) = (toks[r.start as usize].start, toks[r.end as usize - 1].end);
                prop_assert_eq!(bytes, Range32 { start, end });
                let on_chars =
                    text.is_char_boundary(start as usize) && text.is_char_boundary(end as usize);
                prop_assert!(on_chars);
            }
            let covered: u32 = al.passages.iter().map(|q| side(q).0.len()).sum();
            let n = toks.len().max(1) as f64; // an empty text has coverage 0
            prop_assert_eq!(coverage, f64::from(covered) / n);
        }
        for q in &al.passages {
            let (ha, hb) = (hashes(&a.1, q.a_tokens), hashes(&b.1, q.b_tokens));
            let (la, lb) = (ha.len(), hb.len());
            prop_assert!(la.min(lb) >= p.min_passage_tokens.max(k));
            prop_assert_eq!(&ha[..k], &hb[..k], "passage must start on an exact match");
            prop_assert_eq!(
                &ha[la - k..],
                &hb[lb - k..],
                "passage must end on an exact match"
            );
            prop_assert!(q.matched_tokens as usize <= la.min(lb));
            prop_assert_eq!(q.exactness, f64::from(q.matched_tokens) / la.max(lb) as f64);
            if q.exactness == 1.0 {
                prop_assert_eq!(&ha, &hb);
            }
        }
        // The runs behind the passages are real, disjoint matches that add up to matched_tokens.
        let all = |t: &[Token]| t.iter().map(|t| t.hash).collect::<Vec<u64>>();
        let (ha, hb) = (all(&a.1), all(&b.1));
        let (mut in_a, mut in_b) = (vec![false; ha.len()], vec![false; hb.len()]);
        for chain in chains(&ha, &hb, p) {
            for r in &chain {
                let (ra, rb, n) = (r.a as usize, r.b as usize, r.len as usize);
                prop_assert!(n >= k);
                prop_assert_eq!(&ha[ra..ra + n], &hb[rb..rb + n]);
                for (used, at) in [(&mut in_a, ra), (&mut in_b, rb)] {
                    prop_assert!(used[at..at + n].iter().all(|u| !u), "runs overlap");
                    used[at..at + n].fill(true);
                }
            }
            if let Some(q) = al.passages.iter().find(|q| q.a_tokens.start == chain[0].a) {
                prop_assert_eq!(q.matched_tokens, chain.iter().map(|r| r.len).sum::<u32>());
            }
        }
        // Swapping A and B mirrors the result exactly.
        let mut m = align(&b.1, &a.1, p);
        for q in &mut m.passages {
            std::mem::swap(&mut q.a_tokens, &mut q.b_tokens);
            std::mem::swap(&mut q.a_bytes, &mut q.b_bytes);
        }
        m.passages.sort_by_key(|q| q.a_tokens.start);
        prop_assert_eq!(&m.passages, &al.passages);
        prop_assert_eq!(
            (m.coverage_b, m.coverage_a, m.truncated),
            (al.coverage_a, al.coverage_b, al.truncated)
        );
        Ok(al)
    }

    proptest! {
        #[test]
        fn invariants_on_random_and_edited_text(
            vocab in 1u32..10, src in vec(0u32..1000, 0..300), other in vec(0u32..1000, 0..300),
            ops in vec((0u8..4, any::<Index>(), 1usize..20, 0u32..1000), 0..6),
            edited in any::<bool>(), p in params(),
        ) {
            let b = if edited { edit(&src, &ops) } else { other };
            let small = |v: &[u32]| v.iter().map(|t| t % vocab).collect::<Vec<_>>();
            check(&doc(&small(&src)), &doc(&small(&b)), &p)?;
            check(&doc(&src), &doc(&b), &p)?;
        }

        #[test]
        fn text_aligned_with_itself_is_one_full_passage(vocab in 2u32..1000, ids in vec(0u32..1000, 12..300), p in params()) {
            let ids: Vec<u32> = ids.iter().map(|t| t % vocab).collect();
            let p = AlignParams { max_seed_occurrences: ids.len(), ..p };
            let d = doc(&ids);
            let al = check(&d, &d, &p)?;
            prop_assert_eq!(al.passages.len(), 1);
            prop_assert_eq!((al.coverage_a, al.coverage_b, al.passages[0].exactness), (1.0, 1.0, 1.0));
        }

        #[test]
        fn planted_segment_is_found(
            a in vec(0u32..1_000_000, 0..200), b in vec(0u32..1_000_000, 0..200),
            seg in vec(0u32..1_000_000, 12..60), at_a in any::<Index>(), at_b in any::<Index>(), p in params(),
        ) {
            let (ia, ib) = (at_a.index(a.len() + 1), at_b.index(b.len() + 1));
            let seg: Vec<u32> = seg.iter().map(|t| t + 2_000_000).collect();
            let mut a = a;
            a.splice(ia..ia, seg.iter().copied());
            let mut b: Vec<u32> = b.iter().map(|t| t + 1_000_000).collect();
            b.splice(ib..ib, seg.iter().copied());
            let al = check(&doc(&a), &doc(&b), &p)?;
            let n = seg.len() as u32;
            prop_assert_eq!(al.passages.len(), 1);
            prop_assert_eq!(al.passages[0].a_tokens, Range32 { start: ia as u32, end: ia as u32 + n });
            prop_assert_eq!(al.passages[0].b_tokens, Range32 { start: ib as u32, end: ib as u32 + n });
        }

        #[test]
        fn one_substitution_leaves_one_inexact_passage(
            a in vec(0u32..1_000_000, 0..100), b in vec(0u32..1_000_000, 0..100),
            seg in vec(0u32..1_000_000, 14..60), p in params(),
        ) {
            let p = AlignParams { max_gap_tokens: p.max_gap_tokens.max(1), ..p };
            let seg: Vec<u32> = seg.iter().map(|t| t + 2_000_000).collect();
            let mut edited = seg.clone();
            edited[seg.len() / 2] = 3_000_000;
            let a: Vec<u32> = a.iter().copied().chain(seg.iter().copied()).collect();
            let b: Vec<u32> = b.iter().map(|t| t + 1_000_000).chain(edited).collect();
            let al = check(&doc(&a), &doc(&b), &p)?;
            prop_assert_eq!(al.passages.len(), 1);
            let q = &al.passages[0];
            prop_assert_eq!(q.a_tokens.end - q.a_tokens.start, seg.len() as u32);
            prop_assert_eq!((q.a_tokens.end as usize, q.b_tokens.end as usize), (a.len(), b.len()));
            prop_assert_eq!(q.matched_tokens as usize, seg.len() - 1);
            prop_assert!(q.exactness < 1.0);
        }

        #[test]
        fn reordered_paragraphs_are_all_found(lens in vec(12usize..30, 2..8), keys in vec(any::<u32>(), 8), p in params()) {
            let p = AlignParams { max_passages: 500, ..p };
            let mut next = 0; // word ids are their own positions in A
            let paras: Vec<Vec<u32>> = lens.iter().map(|&n| { next += n as u32; (next - n as u32..next).collect() }).collect();
            let mut order: Vec<usize> = (0..paras.len()).collect();
            order.sort_by_key(|&i| (keys[i], i));
            let a = paras.concat();
            let b: Vec<u32> = order.iter().flat_map(|&i| paras[i].iter().copied()).collect();
            let al = check(&doc(&a), &doc(&b), &p)?;
            prop_assert_eq!((al.coverage_a, al.coverage_b), (1.0, 1.0));
            for para in &paras {
                let (sa, sb) = (para[0], b.iter().position(|&t| t == para[0]).unwrap() as u32);
                let n = para.len() as u32;
                let found = al.passages.iter().any(|q| {
                    q.a_tokens.start <= sa && sa + n <= q.a_tokens.end && q.b_tokens.start + (sa - q.a_tokens.start) == sb
                });
                prop_assert!(found, "paragraph at {} not found", sa);
            }
        }
    }

    #[test]
    fn defaults_validate_and_round_trip() {
        let p = AlignParams::default();
        assert_eq!(p, settings((5, 8, 6, 500, 50)));
        assert!(p.validate().is_ok());
        assert!(settings((0, 8, 6, 500, 50)).validate().is_err());
        assert!(settings((5, 8, 6, 0, 50)).validate().is_err());
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<AlignParams>(&json).unwrap(), p);
    }

    #[test]
    fn one_token_repeated_a_million_times_gives_no_passage() {
        // Every k-gram occurs 10^6 times: nothing seeds, so the alignment is empty.
        let d = synth(vec![42; 1_000_000]);
        let al = align(&d.1, &d.1, &AlignParams::default());
        assert!(al.passages.is_empty() && !al.truncated);
        assert_eq!((al.coverage_a, al.coverage_b), (0.0, 0.0));
    }

    #[test]
    fn a_rare_token_inside_repetition_seeds_one_full_passage() {
        // The k-grams around the rare token seed; the run then extends through the repetition.
        let a = synth((0..1_000_001).map(|i| if i == 500_000 { 7 } else { 42 }));
        let b = synth((0..800_001).map(|i| if i == 300_000 { 7 } else { 42 }));
        let al = check(&a, &b, &AlignParams::default()).unwrap();
        assert_eq!(al.passages.len(), 1);
        let q = &al.passages[0];
        assert_eq!((q.a_tokens.start, q.a_tokens.end), (200_000, 1_000_001));
        assert_eq!((q.b_tokens.start, q.b_tokens.end), (0, 800_001));
        assert_eq!(q.exactness, 1.0);
    }

    #[test]
    fn large_texts_with_many_shared_seeds() {
        let mut rng = crate::hash::SplitMix64::new(9);
        let p = AlignParams::default();
        // Period 2000 repeated 50 times: every k-gram occurs exactly 50 times (at the cap).
        let period: Vec<u64> = (0..2000).map(|_| rng.next()).collect();
        let periodic = synth(period.iter().copied().cycle().take(100_000));
        let al = check(&periodic, &periodic, &p).unwrap();
        assert_eq!((al.passages.len(), al.coverage_a), (1, 1.0));
        // 200 chunks of 500 tokens copied in reverse order: all found, nothing else.
        let src: Vec<u64> = (0..100_000).map(|_| rng.next()).collect();
        let rev = synth(src.chunks(500).rev().flatten().copied());
        let al = check(&synth(src), &rev, &p).unwrap();
        assert_eq!(al.passages.len(), 200);
        assert_eq!((al.coverage_a, al.coverage_b), (1.0, 1.0));
        // Small vocabulary: many short accidental runs, all consistent.
        let noise_a = synth((0..100_000).map(|_| rng.next() % 6));
        let noise_b = synth((0..100_000).map(|_| rng.next() % 6));
        check(&noise_a, &noise_b, &settings((8, 8, 6, 500, 50))).unwrap();
    }

    #[test]
    fn cap_keeps_the_longest_passages() {
        let src: Vec<u32> = (0..200).collect();
        let b: Vec<u32> = [&src[0..30], &src[100..110], &src[50..70]].concat();
        let al = check(&doc(&src), &doc(&b), &settings((5, 8, 6, 2, 50))).unwrap();
        assert!(al.truncated);
        let kept: Vec<u32> = al.passages.iter().map(|q| q.a_tokens.start).collect();
        assert_eq!(kept, [0, 50]);
    }
}
