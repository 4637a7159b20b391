//! The normalizer and tokenizer on any text (invalid UTF-8 is replaced, so every input is a
//! text). The first byte picks the settings: bit 0 folds diacritics, bit 1 tokenizes by
//! characters instead of words.
//!
//! Checks the invariants `src/text/mod.rs` states: no panic; token spans in bounds, on char
//! boundaries, strictly increasing and non-overlapping; each token's hash is the hash of its
//! normalized form, which is non-empty; token and text normalization are idempotent; and (for
//! words) tokenizing the normalized text gives the same hashes as tokenizing the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stemma::config::{FingerprintParams, TokenUnit};
use stemma::fuzzing::hash::hash_bytes;
use stemma::fuzzing::text::{normalize, normalize_token, tokenize, Token};

fn hashes(tokens: &[Token]) -> Vec<u64> {
    tokens.iter().map(|t| t.hash).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let fold = flags & 1 != 0;
    let unit = if flags & 2 != 0 {
        TokenUnit::Chars
    } else {
        TokenUnit::Words
    };
    let text = String::from_utf8_lossy(rest);
    let mut params = FingerprintParams {
        fold_diacritics: fold,
        ..FingerprintParams::default()
    };
    params.shingle.unit = unit;

    let mut tokens = Vec::new();
    tokenize(&text, &params, &mut tokens);
    let (mut prev_end, mut norm, mut again) = (0usize, String::new(), String::new());
    for t in &tokens {
        let (s, e) = (t.start as usize, t.end as usize);
        assert!(
            prev_end <= s && s < e && e <= text.len(),
            "span {s}..{e} after {prev_end}"
        );
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "span {s}..{e} off a char boundary"
        );
        normalize_token(&text[s..e], fold, &mut norm);
        assert!(
            !norm.is_empty(),
            "token {:?} normalizes to nothing",
            &text[s..e]
        );
        assert_eq!(
            t.hash,
            hash_bytes(norm.as_bytes(), params.seed),
            "hash of {:?}",
            &text[s..e]
        );
        normalize_token(&norm, fold, &mut again);
        assert_eq!(
            again,
            norm,
            "token normalization not idempotent on {:?}",
            &text[s..e]
        );
        prev_end = e;
    }

    // The same text tokenized again gives the same tokens (scratch state does not leak).
    let mut second = vec![Token {
        start: 9,
        end: 9,
        hash: 9,
    }];
    tokenize(&text, &params, &mut second);
    assert_eq!(second, tokens);

    // Whole-text normalization: idempotent, and (words) it keeps the token hashes.
    let once = normalize(&text, fold);
    assert_eq!(normalize(&once, fold), once, "normalize not idempotent");
    if unit == TokenUnit::Words {
        tokenize(&once, &params, &mut second);
        assert_eq!(
            hashes(&second),
            hashes(&tokens),
            "normalized text tokenizes differently: {once:?}"
        );
    }

    // normalize_token on arbitrary text (not only on tokens): no panic, idempotent.
    normalize_token(&text, fold, &mut norm);
    normalize_token(&norm, fold, &mut again);
    assert_eq!(
        again, norm,
        "normalize_token not idempotent on the whole text"
    );
});
