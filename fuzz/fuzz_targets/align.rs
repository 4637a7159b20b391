//! Alignment of any two texts: bounded work (the run's `-timeout`), valid passages.
//!
//! Input: six settings bytes, then text A, a `0xFF` byte, text B. Bytes 0-4 are the
//! parameters (seed_k 1..=8, min_passage_tokens 0..=15, max_gap_tokens 0..=7, max_passages
//! 1..=16, max_seed_occurrences 1..=64). Byte 5: bit 0 clear tokenizes A and B (invalid UTF-8
//! replaced) with the real tokenizer; set, every byte of A and B is one one-byte token whose
//! hash is the byte modulo a small vocabulary (1..=16, bits 1-4), which makes long repeats and
//! many seeds cheap for the fuzzer to find.
//!
//! Checks every invariant `src/align.rs` documents, as its property test does: at most
//! `max_passages` passages, sorted by start in A, disjoint on each side, in bounds, byte ranges
//! from the first token's start to the last token's end (char boundaries), long enough, starting
//! and ending on exact matches of `seed_k` tokens, `matched_tokens` and `exactness` consistent,
//! coverage consistent; and `align(b, a)` is the mirror image of `align(a, b)`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stemma::fuzzing::align::{align, AlignParams, Passage, Range32};
use stemma::config::FingerprintParams;
use stemma::fuzzing::text::{tokenize, Token};

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize(text, &FingerprintParams::default(), &mut out);
    out
}

/// One one-byte token per byte, hashed to `byte % vocab`; the text is that many `x`.
fn synthetic(bytes: &[u8], vocab: u8) -> (String, Vec<Token>) {
    let toks = (0u32..)
        .zip(bytes)
        .map(|(i, &b)| Token {
            start: i,
            end: i + 1,
            hash: u64::from(b % vocab),
        })
        .collect();
    ("x".repeat(bytes.len()), toks)
}

fn hashes(t: &[Token], r: Range32) -> Vec<u64> {
    t[r.start as usize..r.end as usize]
        .iter()
        .map(|t| t.hash)
        .collect()
}

fn check(a: &(String, Vec<Token>), b: &(String, Vec<Token>), p: &AlignParams) {
    let al = align(&a.1, &b.1, p);
    let k = p.seed_k.max(1);
    assert!(al.passages.len() <= p.max_passages);
    assert!(al
        .passages
        .windows(2)
        .all(|w| w[0].a_tokens.start <= w[1].a_tokens.start));
    type Side = fn(&Passage) -> (Range32, Range32);
    let a_side: Side = |q| (q.a_tokens, q.a_bytes);
    let b_side: Side = |q| (q.b_tokens, q.b_bytes);
    for ((text, toks), side, coverage) in [(a, a_side, al.coverage_a), (b, b_side, al.coverage_b)] {
        let mut ranges: Vec<Range32> = al.passages.iter().map(|q| side(q).0).collect();
        ranges.sort_by_key(|r| r.start);
        assert!(
            ranges.windows(2).all(|w| w[0].end <= w[1].start),
            "passages overlap"
        );
        for (r, bytes) in al.passages.iter().map(side) {
            assert!(
                r.start < r.end && r.end as usize <= toks.len(),
                "token range out of bounds"
            );
            let (start, end) = (toks[r.start as usize].start, toks[r.end as usize - 1].end);
            assert_eq!(bytes, Range32 { start, end });
            assert!(text.is_char_boundary(start as usize) && text.is_char_boundary(end as usize));
            assert!(end as usize <= text.len());
        }
        let covered: u32 = al
            .passages
            .iter()
            .map(|q| side(q).0.end - side(q).0.start)
            .sum();
        assert_eq!(coverage, f64::from(covered) / toks.len().max(1) as f64);
    }
    for q in &al.passages {
        let (ha, hb) = (hashes(&a.1, q.a_tokens), hashes(&b.1, q.b_tokens));
        let (la, lb) = (ha.len(), hb.len());
        assert!(
            la.min(lb) >= p.min_passage_tokens.max(k),
            "passage too short"
        );
        assert_eq!(&ha[..k], &hb[..k], "passage must start on an exact match");
        assert_eq!(
            &ha[la - k..],
            &hb[lb - k..],
            "passage must end on an exact match"
        );
        assert!(q.matched_tokens as usize >= k && q.matched_tokens as usize <= la.min(lb));
        assert_eq!(q.exactness, f64::from(q.matched_tokens) / la.max(lb) as f64);
        if q.exactness == 1.0 {
            assert_eq!(ha, hb);
        }
    }
    let mut m = align(&b.1, &a.1, p);
    for q in &mut m.passages {
        std::mem::swap(&mut q.a_tokens, &mut q.b_tokens);
        std::mem::swap(&mut q.a_bytes, &mut q.b_bytes);
    }
    m.passages.sort_by_key(|q| q.a_tokens.start);
    assert_eq!(
        m.passages, al.passages,
        "align(b, a) is not the mirror image of align(a, b)"
    );
    assert_eq!(
        (m.coverage_b, m.coverage_a, m.truncated),
        (al.coverage_a, al.coverage_b, al.truncated)
    );
}

fuzz_target!(|data: &[u8]| {
    let [k, min, gap, max, cap, mode, ref rest @ ..] = *data else {
        return;
    };
    let p = AlignParams {
        seed_k: 1 + usize::from(k % 8),
        min_passage_tokens: usize::from(min % 16),
        max_gap_tokens: usize::from(gap % 8),
        max_passages: 1 + usize::from(max % 16),
        max_seed_occurrences: 1 + usize::from(cap % 64),
    };
    let (a, b) = match rest.iter().position(|&x| x == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, rest),
    };
    let (a, b) = if mode & 1 == 1 {
        let vocab = 1 + (mode >> 1) % 16;
        (synthetic(a, vocab), synthetic(b, vocab))
    } else {
        let (a, b) = (
            String::from_utf8_lossy(a).into_owned(),
            String::from_utf8_lossy(b).into_owned(),
        );
        let (ta, tb) = (tokens(&a), tokens(&b));
        ((a, ta), (b, tb))
    };
    check(&a, &b, &p);
});
