//! Splitting text into [`Token`]s that keep their byte span in the original text.
//!
//! Every character gets one class:
//! - **word** — alphanumeric (`char::is_alphanumeric`) and not of a spaceless script;
//! - **spaceless** — alphanumeric and of a script written without spaces ([`is_spaceless_script`]);
//! - **mark** — a combining mark (General Category M); it joins the token before it, or starts
//!   one when nothing precedes it;
//! - **ignorable** — soft hyphen, ZWNJ, ZWJ, word joiner, BOM: they neither end nor start a
//!   token (`co\u{AD}op` is one token, normalized `coop`);
//! - **separator** — everything else: spaces, punctuation (apostrophes too), symbols, controls,
//!   NUL, bidi controls.
//!
//! A character is classified by the first non-separator character of its compatibility
//! decomposition (NFKD), not by itself: halfwidth `ﾞ` acts like the combining mark it stands for,
//! `㊀` like the ideograph `一`, Thai `ำ` (SARA AM, NFKD `ํา`) like a mark. So the class of a
//! character is the class it has after normalization, which is what makes
//! `tokenize(normalize(text))` yield the same tokens as `tokenize(text)`.
//!
//! With [`TokenUnit::Words`] a token is a maximal run of word characters and marks, or one
//! spaceless character with the marks after it. With [`TokenUnit::Chars`] every word or
//! spaceless character, with its marks, is a token.

use super::chars::{classify, Class};
use super::normalize::Normalizer;
use crate::config::{FingerprintParams, TokenUnit};
use crate::hash::hash_bytes;

/// Texts are tokenized up to this many bytes, since spans are `u32`; anything after the last
/// character boundary at or before this offset is ignored (the last token may be cut there).
pub const MAX_TEXT_BYTES: usize = u32::MAX as usize;

/// One token: its byte span `start..end` in the original text and the xxh3 hash (with
/// [`FingerprintParams::seed`]) of its normalized form ([`super::normalize_token`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first character (a char boundary).
    pub start: u32,
    /// Byte offset just after the last character (a char boundary, `<= text.len()`).
    pub end: u32,
    /// `hash_bytes(normalized token, seed)`.
    pub hash: u64,
}

/// Whether `c` belongs to a script written without spaces between words, so that each of its
/// characters is a token: Han (with CJK compatibility ideographs and ideographic numerals and
/// iteration marks), Hiragana, Katakana (incl. halfwidth), Bopomofo, Yi, Thai, Lao, Khmer,
/// Myanmar, Tai Le, New Tai Lue, Tai Tham, Tai Viet, Balinese, Javanese, Tangut, Khitan, Nüshu.
/// Hangul is not among them: Korean separates words with spaces. Tibetan separates syllables
/// with the tsheg (a punctuation mark), so its syllables are words.
pub fn is_spaceless_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer, Khmer symbols
        | 0x1950..=0x1AAF // Tai Le, New Tai Lue, Buginese, Tai Tham
        | 0x1B00..=0x1B7F // Balinese
        | 0x3005..=0x3007 | 0x3021..=0x3029 | 0x3031..=0x3035 | 0x3038..=0x303C // CJK marks, numerals
        | 0x3040..=0x30FF | 0x31F0..=0x31FF // Hiragana, Katakana
        | 0x3100..=0x312F | 0x31A0..=0x31BF // Bopomofo
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF // CJK unified ideographs (+ ext. A)
        | 0xA000..=0xA4CF // Yi
        | 0xA980..=0xA9FF | 0xAA60..=0xAADF // Javanese, Myanmar ext. B, Myanmar ext. A, Tai Viet
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // halfwidth Katakana
        | 0x16FE0..=0x18D8F // ideographic symbols, Tangut, Khitan
        | 0x1AFF0..=0x1B2FF // Kana supplements, Nüshu
        | 0x20000..=0x3FFFF // CJK ideographs, planes 2 and 3
    )
}

/// Calls `emit(start, end, normalized)` for every token of `text[..limit]` (cut back to a char
/// boundary) whose normalized form is not empty.
///
/// ASCII is the fast path: an ASCII byte is classified by a byte test (`[0-9A-Za-z]` is a word
/// character, any other ASCII byte a separator, as [`classify`] says), and a token made only of
/// ASCII is lowercased in place of the full normalization (which gives the same). A property
/// test checks this against the plain per-character loop (`tests::reference_tokens`).
pub(crate) fn for_each_token(
    text: &str,
    unit: TokenUnit,
    fold: bool,
    limit: usize,
    mut emit: impl FnMut(u32, u32, &str),
) {
    let mut cut = text.len().min(limit).min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let text = &text[..cut];
    let bytes = text.as_bytes();
    let mut normalizer = Normalizer::default();
    let mut buf = String::new();
    // The open token: its start, kind (Word or Spaceless) and whether it is all ASCII; `end` is
    // just after its last non-ignorable character.
    let mut open: Option<(usize, Class, bool)> = None;
    let mut end = 0;
    let mut flush = |open: &mut Option<(usize, Class, bool)>, end: usize| {
        if let Some((start, _, ascii)) = open.take() {
            let token = &text[start..end];
            if ascii {
                buf.clear();
                buf.push_str(token);
                buf.make_ascii_lowercase();
            } else {
                normalizer.normalize_into(token, fold, &mut buf);
            }
            if !buf.is_empty() {
                emit(start as u32, end as u32, &buf);
            }
        }
    };
    let words = unit == TokenUnit::Words;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if !b.is_ascii_alphanumeric() {
                flush(&mut open, end);
                i += 1;
                continue;
            }
            if !(words && matches!(open, Some((_, Class::Word, _)))) {
                flush(&mut open, end);
                open = Some((i, Class::Word, true));
            }
            i += 1;
            if words {
                // The rest of an ASCII word at once.
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
            }
            end = i;
            continue;
        }
        let c = text[i..].chars().next().expect("i is a char boundary");
        let next = i + c.len_utf8();
        match classify(c) {
            Class::Separator => flush(&mut open, end),
            Class::Ignorable => {
                if let Some((_, _, ascii)) = &mut open {
                    *ascii = false; // normalization drops it: the slow path does that
                }
            }
            Class::Mark => {
                let (_, _, ascii) = open.get_or_insert((i, Class::Word, false));
                *ascii = false;
                end = next;
            }
            Class::Word => {
                let extend = words && matches!(open, Some((_, Class::Word, _)));
                if extend {
                    if let Some((_, _, ascii)) = &mut open {
                        *ascii = false;
                    }
                } else {
                    flush(&mut open, end);
                    open = Some((i, Class::Word, false));
                }
                end = next;
            }
            Class::Spaceless => {
                flush(&mut open, end);
                open = Some((i, Class::Spaceless, false));
                end = next;
            }
        }
        i = next;
    }
    flush(&mut open, end);
}

/// Replaces the contents of `out` with the tokens of `text` under `params.shingle.unit`, in text
/// order, each hashed with `params.seed` after normalization (`params.fold_diacritics`).
///
/// Linear in the length of `text`; texts longer than `MAX_TEXT_BYTES` are cut there.
pub fn tokenize(text: &str, params: &FingerprintParams, out: &mut Vec<Token>) {
    out.clear();
    let seed = params.seed;
    let emit = |start, end, norm: &str| {
        out.push(Token {
            start,
            end,
            hash: hash_bytes(norm.as_bytes(), seed),
        });
    };
    for_each_token(
        text,
        params.shingle.unit,
        params.fold_diacritics,
        MAX_TEXT_BYTES,
        emit,
    );
}

/// The hashes of [`tokenize`]'s tokens, without their spans, into `out` (after clearing it):
/// what fingerprints need.
pub fn token_hashes(text: &str, params: &FingerprintParams, out: &mut Vec<u64>) {
    out.clear();
    let seed = params.seed;
    for_each_token(
        text,
        params.shingle.unit,
        params.fold_diacritics,
        MAX_TEXT_BYTES,
        |_, _, norm| out.push(hash_bytes(norm.as_bytes(), seed)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::chars::raw_class;
    use crate::text::testgen::arb_text;
    use crate::text::{normalize, normalize_token};
    use proptest::prelude::*;

    fn params(unit: TokenUnit, fold: bool) -> FingerprintParams {
        let mut p = FingerprintParams {
            fold_diacritics: fold,
            ..Default::default()
        };
        p.shingle.unit = unit;
        p
    }

    fn toks(text: &str, unit: TokenUnit) -> Vec<Token> {
        let mut out = Vec::new();
        tokenize("stale tokens", &params(unit, false), &mut out);
        tokenize(text, &params(unit, false), &mut out); // replaces them
        out
    }

    fn words(text: &str) -> Vec<&str> {
        let spans = toks(text, TokenUnit::Words);
        spans
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect()
    }

    fn hashes(text: &str, p: &FingerprintParams) -> Vec<u64> {
        let mut out = Vec::new();
        tokenize(text, p, &mut out);
        out.into_iter().map(|t| t.hash).collect()
    }

    #[test]
    fn known_splits() {
        assert_eq!(words("我们今天"), ["我", "们", "今", "天"]);
        assert_eq!(
            words("Reuters 报道 hello"),
            ["Reuters", "报", "道", "hello"]
        );
        assert_eq!(words("Reuters报道"), ["Reuters", "报", "道"]);
        // Thai vowel and tone marks stay on their consonant; SARA AM (ำ) acts as a mark.
        assert_eq!(words("ที่กำลัง"), ["ที่", "กำ", "ลั", "ง"]);
        assert_eq!(words("don't l’état"), ["don", "t", "l", "état"]);
        assert_eq!(
            words("a\0b\u{1}c\u{202E}d\u{200B}e"),
            ["a", "b", "c", "d", "e"]
        );
        assert_eq!(words("co\u{AD}op \u{AD}x\u{AD} "), ["co\u{AD}op", "x"]);
        assert_eq!(
            words("e\u{301}\u{302} \u{301}x"),
            ["e\u{301}\u{302}", "\u{301}x"]
        );
        assert_eq!(words("서울 시장"), ["서울", "시장"]);
        assert!(['我', 'ア', 'ก', 'ລ', 'က', 'ក']
            .into_iter()
            .all(is_spaceless_script));
        assert!(!['a', '한', 'я', 'ا', '1']
            .into_iter()
            .any(is_spaceless_script));
        assert!(words("").is_empty());
        assert!(words(" ,.!?«»—…  \t\n").is_empty());
        let chars: Vec<_> = toks("ab ć!", TokenUnit::Chars)
            .iter()
            .map(|t| (t.start, t.end))
            .collect();
        assert_eq!(chars, [(0, 1), (1, 2), (3, 6)]);
    }

    #[test]
    fn equal_words_hash_equal() {
        let p = params(TokenUnit::Words, false);
        assert_eq!(hashes("Hòa", &p), hashes("hoà", &p));
        assert_eq!(hashes("HOÀ thuỷ", &p), hashes("hoà thủy", &p));
        assert_ne!(hashes("Hòa", &p), hashes("hoa", &p));
        let folded = params(TokenUnit::Words, true);
        assert_eq!(
            hashes("Hòa Đà Nẵng", &folded),
            hashes("hoa da nang", &folded)
        );
        let want = hash_bytes("hoà".as_bytes(), p.seed);
        assert_eq!(hashes("Hòa", &p), [want]);
    }

    #[test]
    fn a_million_tokens() {
        let text = "word ".repeat(1_000_000);
        let mut out = Vec::new();
        tokenize(&text, &FingerprintParams::default(), &mut out);
        assert_eq!(out.len(), 1_000_000);
        assert!(out
            .iter()
            .all(|t| t.hash == out[0].hash && t.end - t.start == 4));
    }

    #[test]
    fn long_texts_are_cut_at_a_char_boundary() {
        let mut spans = Vec::new();
        for_each_token("ab 我们", TokenUnit::Words, false, 5, |s, e, _| {
            spans.push((s, e))
        });
        assert_eq!(spans, [(0, 2)]); // 5 is inside 我 (bytes 3..6): cut back to 3
        spans.clear();
        for_each_token("abcdef", TokenUnit::Words, false, 3, |s, e, _| {
            spans.push((s, e))
        });
        assert_eq!(spans, [(0, 3)]);
    }

    /// Every character of Unicode, alone and next to others: normalizing is idempotent and
    /// retokenizing the normalized text gives the same hashes.
    #[test]
    fn exhaustive_over_all_chars() {
        let mut failures = Vec::new();
        for fold in [false, true] {
            let p = params(TokenUnit::Words, fold);
            for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
                let contexts: &[&[char]] = if raw_class(c) == Class::Separator {
                    &[&[c]]
                } else {
                    &[&[c], &['a', c], &[c, '\u{301}'], &['ก', c], &[c, c]]
                };
                for chars in contexts {
                    let text: String = chars.iter().collect();
                    let once = normalize(&text, fold);
                    if normalize(&once, fold) != once || hashes(&once, &p) != hashes(&text, &p) {
                        failures.push((text, fold, once));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures, e.g. {:?}",
            failures.len(),
            &failures[..failures.len().min(20)]
        );
    }

    /// The plain per-character loop the fast paths of [`for_each_token`] must agree with:
    /// every character decoded and classified, every token through the full normalizer.
    pub(super) fn reference_tokens(
        text: &str,
        unit: TokenUnit,
        fold: bool,
    ) -> Vec<(u32, u32, String)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, Class)> = None;
        let mut end = 0;
        let mut flush = |open: &mut Option<(usize, Class)>, end: usize| {
            if let Some((start, _)) = open.take() {
                let mut norm = String::new();
                normalize_token(&text[start..end], fold, &mut norm);
                if !norm.is_empty() {
                    out.push((start as u32, end as u32, norm));
                }
            }
        };
        for (i, c) in text.char_indices() {
            let next = i + c.len_utf8();
            match raw_class_of(c) {
                Class::Separator => flush(&mut open, end),
                Class::Ignorable => {}
                Class::Mark => {
                    open.get_or_insert((i, Class::Word));
                    end = next;
                }
                Class::Word => {
                    let extend = unit == TokenUnit::Words && matches!(open, Some((_, Class::Word)));
                    if !extend {
                        flush(&mut open, end);
                        open = Some((i, Class::Word));
                    }
                    end = next;
                }
                Class::Spaceless => {
                    flush(&mut open, end);
                    open = Some((i, Class::Spaceless));
                    end = next;
                }
            }
        }
        flush(&mut open, end);
        out
    }

    /// [`classify`] without its ASCII shortcut: the table for every character.
    fn raw_class_of(c: char) -> Class {
        crate::text::chars::info(c).class()
    }

    fn fast_tokens(text: &str, unit: TokenUnit, fold: bool) -> Vec<(u32, u32, String)> {
        let mut out = Vec::new();
        for_each_token(text, unit, fold, usize::MAX, |s, e, n| {
            out.push((s, e, n.to_string()))
        });
        out
    }

    #[test]
    fn ascii_fast_path_agrees_on_every_ascii_character() {
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(classify(c), raw_class_of(c), "{b:#x}");
            let text = format!("ab{c}Cd {c} x{c}\u{AD}y é{c}Z");
            for unit in [TokenUnit::Words, TokenUnit::Chars] {
                assert_eq!(
                    fast_tokens(&text, unit, false),
                    reference_tokens(&text, unit, false),
                    "{text:?}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn spans_and_hashes(t in arb_text(), chars in any::<bool>(), fold in any::<bool>()) {
            let unit = if chars { TokenUnit::Chars } else { TokenUnit::Words };
            let p = params(unit, fold);
            let mut out = Vec::new();
            tokenize(&t, &p, &mut out);
            let mut prev_end = 0;
            let mut norm = String::new();
            for tok in &out {
                let (s, e) = (tok.start as usize, tok.end as usize);
                prop_assert!(prev_end <= s && s < e && e <= t.len());
                prop_assert!(t.is_char_boundary(s) && t.is_char_boundary(e));
                normalize_token(&t[s..e], fold, &mut norm);
                prop_assert_eq!(tok.hash, hash_bytes(norm.as_bytes(), p.seed));
                prev_end = e;
            }
            let again = hashes(&t, &p);
            prop_assert_eq!(out.iter().map(|t| t.hash).collect::<Vec<_>>(), again);
        }

        #[test]
        fn fast_paths_match_the_reference(t in arb_text(), chars in any::<bool>(), fold in any::<bool>()) {
            let unit = if chars { TokenUnit::Chars } else { TokenUnit::Words };
            prop_assert_eq!(fast_tokens(&t, unit, fold), reference_tokens(&t, unit, fold));
        }

        #[test]
        fn fast_paths_match_the_reference_on_any_string(t in any::<String>(), chars in any::<bool>(), fold in any::<bool>()) {
            let unit = if chars { TokenUnit::Chars } else { TokenUnit::Words };
            prop_assert_eq!(fast_tokens(&t, unit, fold), reference_tokens(&t, unit, fold));
        }

        #[test]
        fn token_hashes_are_the_tokens_hashes(t in arb_text(), chars in any::<bool>(), fold in any::<bool>()) {
            let unit = if chars { TokenUnit::Chars } else { TokenUnit::Words };
            let p = params(unit, fold);
            let mut only = vec![7];
            token_hashes(&t, &p, &mut only);
            prop_assert_eq!(only, hashes(&t, &p));
        }

        #[test]
        fn retokenizing_normalized_text_gives_same_hashes(t in arb_text(), fold in any::<bool>()) {
            let p = params(TokenUnit::Words, fold);
            prop_assert_eq!(hashes(&normalize(&t, fold), &p), hashes(&t, &p));
        }

        #[test]
        fn retokenizing_arbitrary_strings(t in any::<String>(), fold in any::<bool>()) {
            let p = params(TokenUnit::Words, fold);
            prop_assert_eq!(hashes(&normalize(&t, fold), &p), hashes(&t, &p));
        }
    }
}
