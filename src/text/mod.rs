//! Text normalization and tokenization: the layer every fingerprint is built on.
//!
//! [`tokenize()`] splits a text into [`Token`]s — words, or single characters of scripts written
//! without spaces (Chinese, Japanese, Thai, ...) — each with its byte span in the original text
//! and the seeded xxh3 hash of its normalized form. [`normalize_token`] gives that form:
//! lowercase, NFKC, Vietnamese tone marks in one canonical place, and optionally no diacritics.
//!
//! Invariants (checked by unit tests, an exhaustive test over all of Unicode, and proptest):
//! - spans are in bounds, on char boundaries, strictly increasing and non-overlapping, so
//!   `&text[start..end]` is always the token as written;
//! - a token's hash is `hash_bytes(normalize_token(&text[span]), seed)`;
//! - normalization is idempotent, and tokenizing [`normalize()`]`(text)` gives the same hashes as
//!   tokenizing `text`, so normalized and original copies of a text fingerprint alike;
//! - linear time, no allocation per token, no panics on any input; the same input and
//!   parameters give the same tokens on every platform (for a fixed Unicode version of the
//!   standard library and `unicode-normalization`).
//!
//! Deliberately not done: word segmentation of spaceless scripts (characters are tokens, so
//! shingles there are character k-grams), stemming, stop words, transliteration, full case
//! folding (`ß` stays `ß`), and keeping apostrophes inside words (`don't` is `don` `t`, which
//! makes `'`, `’` and a missing apostrophe agree as far as possible). Texts longer than
//! [`MAX_TEXT_BYTES`] (4 GiB) are tokenized up to that length only, because spans are `u32`.

mod chars;
mod normalize;
mod numbers;
mod tokenize;

pub use normalize::{normalize, normalize_token};
pub use numbers::numbers;
pub use tokenize::{token_hashes, tokenize, Token};

/// Character offsets for byte offsets of one text, without rescanning it for every lookup:
/// checkpoints every 4 KiB, then a count within the block.
pub struct CharIndex<'a> {
    text: &'a str,
    checkpoints: Vec<(usize, usize)>,
}

impl<'a> CharIndex<'a> {
    const STEP: usize = 4096;

    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut checkpoints = vec![(0, 0)];
        let mut next = Self::STEP;
        for (chars, (i, _)) in text.char_indices().enumerate() {
            if i >= next {
                checkpoints.push((i, chars));
                next = i + Self::STEP;
            }
        }
        CharIndex { text, checkpoints }
    }

    /// The character offset of byte offset `byte` (a char boundary).
    pub fn char_at(&self, byte: usize) -> usize {
        let k = self.checkpoints.partition_point(|&(b, _)| b <= byte) - 1;
        let (b0, c0) = self.checkpoints[k];
        c0 + self.text[b0..byte].chars().count()
    }
}

/// Proptest strategies shared by the tests of both submodules.
#[cfg(test)]
pub(crate) mod testgen {
    use proptest::prelude::*;

    /// Characters that stress tokenization and normalization, mixed with arbitrary ones.
    pub(crate) fn arb_char() -> impl Strategy<Value = char> {
        let tricky: Vec<char> = "'’.-\0\u{202E}\u{AD}\u{200B}\u{200C}\u{200D}\u{FEFF}ςΣİıᴬ½⑴ﷺゟำﾞｶ㊀㈠ﬁＡⅫǅđĐøͺ\u{F73}\u{344}ŉ"
            .chars()
            .chain("HhOoAaEeUuYyĂăÂâÊêÔôƠơƯưàáảãạòóỏõọùúủũụỳýỷỹỵ".chars())
            .chain(['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}', '\u{302}', '\u{306}', '\u{31B}'])
            .collect();
        let ranges = [
            ('\u{300}', '\u{3FF}'),   // combining diacritics, Greek
            ('\u{900}', '\u{97F}'),   // Devanagari
            ('\u{E00}', '\u{EFF}'),   // Thai, Lao
            ('\u{1100}', '\u{11FF}'), // Hangul jamo
            ('\u{3000}', '\u{33FF}'), // CJK symbols, kana, enclosed CJK
            ('\u{4E00}', '\u{4E40}'), // Han
            ('\u{AC00}', '\u{AC40}'), // Hangul syllables
        ];
        let ranged = proptest::sample::select(ranges.to_vec())
            .prop_flat_map(|(lo, hi)| proptest::char::range(lo, hi));
        prop_oneof![
            3 => proptest::sample::select(interesting_chars()),
            3 => any::<char>(),
            4 => proptest::char::range('a', 'z'),
            2 => Just(' '),
            4 => proptest::sample::select(tricky),
            5 => ranged,
        ]
    }

    /// Every character with a decomposition or a lowercase mapping, and every combining mark.
    fn interesting_chars() -> Vec<char> {
        (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| {
                let mut decomposes = false;
                unicode_normalization::char::decompose_compatible(c, |d| decomposes |= d != c);
                decomposes
                    || c.to_lowercase().ne([c])
                    || unicode_normalization::char::is_combining_mark(c)
            })
            .collect()
    }

    /// Short texts of [`arb_char`]s and Vietnamese-like syllables (precomposed or not).
    pub(crate) fn arb_text() -> impl Strategy<Value = String> {
        let syllable = " [hHkKtT]{0,2}(o|O|u|U|ò|ọ|Ò|ú|ủ|Ủ)[\u{300}\u{301}\u{309}\u{323}\u{302}]?\
                        (a|e|y|A|à|ả|ẻ|é|ý|ỷ|Ỷ)[\u{300}\u{303}\u{309}\u{323}\u{306}]?(ng|n)? ";
        let piece = prop_oneof![
            8 => arb_char().prop_map(String::from),
            1 => proptest::string::string_regex(syllable).expect("valid regex"),
        ];
        proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
    }
}
