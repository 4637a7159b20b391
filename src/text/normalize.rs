//! Normalizing one token: the bytes that get hashed.
//!
//! Steps, per character: drop ignorables (soft hyphen, ZWJ, ...); lowercase (`char::to_lowercase`,
//! plus final sigma `ς` → `σ` so that `ΟΔΟΣ` and `οδος` agree); compatibility decomposition
//! (NFKD) — unless that would change how the token splits (see below), then canonical (NFD)
//! only; lowercase again (`ᴬ` → `A` → `a`). Then, per token: with folding, drop every combining
//! mark and map the letters in [`FOLDED`]; put a Vietnamese tone mark in its canonical place;
//! compose (NFC). Without the exception this is NFKC + lowercase.
//!
//! **The exception.** A few compatibility decompositions turn one token into text that would
//! tokenize differently: `½` → `1⁄2` and `⑴` → `(1)` contain punctuation, `ゟ` → `より` is two
//! kana, Thai `ำ` → `ํา` is a mark followed by a letter. Such a character is kept (canonically
//! decomposed), because otherwise normalizing a text and tokenizing it again would not give
//! the same tokens. A decomposition is applied when it has the same shape as the character:
//! a mark becomes marks, a word character a word character followed by word characters or marks,
//! a spaceless character one spaceless character followed by marks.
//!
//! **Vietnamese tone marks.** Two spelling conventions place the tone mark of the nuclei `oa`,
//! `oe`, `uy` differently: `hòa`/`hoà`, `khỏe`/`khoẻ`, `thủy`/`thuỷ`. When a token is written in
//! Vietnamese letters only (a–z, `đ`, after decomposition and lowercasing), has exactly one tone
//! mark (grave, acute, tilde, hook above, dot below), exactly two vowels, and these are `oa`, `oe`
//! or `uy` without a vowel-quality mark (circumflex, breve, horn), the tone mark goes on the
//! second vowel: `hoà`, `khoẻ`, `thuỷ`. That is also where both conventions put it when a final
//! consonant follows (`hoàng`), so only the contested spellings change. The rule is narrow on
//! purpose: moving an acute in any Latin token would merge Spanish `río`/`rió`, and Greek is
//! excluded because its tonos is the same U+0301 and its place tells words apart (`πότε` "when",
//! `ποτέ` "never").
//!
//! The result is idempotent: normalizing a normalized token gives it back.
//!
//! Fast paths, checked against the full pipeline by a property test: ASCII tokens are only
//! lowercased; tokens whose characters are all known to be left alone (a precomputed table
//! for the BMP) are copied.

use super::chars::{classify, info, is_ignorable, Class};
use unicode_normalization::char::{decompose_canonical, decompose_compatible, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Letters without a decomposition that folding maps to a base letter (after lowercasing).
pub const FOLDED: [(char, char); 11] = [
    ('đ', 'd'),
    ('ø', 'o'),
    ('ł', 'l'),
    ('ħ', 'h'),
    ('ŧ', 't'),
    ('ƀ', 'b'),
    ('ɨ', 'i'),
    ('ƶ', 'z'),
    ('ǥ', 'g'),
    ('ı', 'i'),
    ('ȷ', 'j'),
];

pub(crate) const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
const QUALITY_MARKS: [char; 3] = ['\u{302}', '\u{306}', '\u{31B}'];

/// Scratch buffers reused across tokens, so the hot path does not allocate.
#[derive(Debug, Default)]
pub(crate) struct Normalizer {
    chars: Vec<char>,
    decomposition: Vec<char>,
}

impl Normalizer {
    /// [`normalize_token`] with reused buffers.
    pub(crate) fn normalize_into(&mut self, token: &str, fold: bool, out: &mut String) {
        out.clear();
        if token.is_ascii() {
            out.extend(token.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else if is_stable(token, fold) {
            out.push_str(token);
        } else {
            self.normalize_slow(token, fold, out);
        }
    }

    /// The full pipeline (module docs), without the fast paths.
    fn normalize_slow(&mut self, token: &str, fold: bool, out: &mut String) {
        out.clear();
        self.chars.clear();
        for c in token.chars() {
            if c.is_ascii() {
                self.chars.push(c.to_ascii_lowercase());
            } else if is_ignorable(c) {
                continue;
            } else if info(c).lowercase() {
                self.push_decomposed(c);
            } else {
                c.to_lowercase().for_each(|l| self.push_decomposed(l));
            }
        }
        if fold {
            self.chars.retain(|&c| !is_combining_mark(c));
            for c in &mut self.chars {
                if let Some(&(_, to)) = FOLDED.iter().find(|(from, _)| from == c) {
                    *c = to;
                }
            }
        }
        canonical_tone(&mut self.chars);
        out.extend(self.chars.iter().copied().nfc());
    }

    /// Appends the NFKD of `c` if it has the shape of `c` (module docs), else its NFD; each
    /// character lowercased.
    fn push_decomposed(&mut self, c: char) {
        let d = &mut self.decomposition;
        d.clear();
        decompose_compatible(c, |x| d.push(x));
        if d[..] != [c] && !same_shape(classify(c), d) {
            d.clear();
            decompose_canonical(c, |x| d.push(x));
        }
        for &x in d.iter() {
            if info(x).lowercase() {
                self.chars.push(x);
            } else {
                self.chars
                    .extend(x.to_lowercase().map(|l| if l == 'ς' { 'σ' } else { l }));
            }
        }
    }
}

/// Whether normalization leaves `token` as it is: every character is stable and combining
/// classes never decrease (so the token is in NFKC, lowercase, and has nothing to fold or move).
///
/// Without folding, precomposed toned letters (`hòa`, `thủy`, `người`) count as stable too,
/// except where the Vietnamese tone rule could move the mark: the rule only moves a tone from
/// `o` or `u` to an `a`, `e` or `y` that directly follows, so a toned letter followed by `a`,
/// `e` or `y` sends the token to the full pipeline (which decides). Most Vietnamese tokens so
/// skip decomposition and recomposition.
fn is_stable(token: &str, fold: bool) -> bool {
    let mut last = 0;
    let mut after_toned = false;
    token.chars().all(|c| {
        let i = info(c);
        let in_order = i.ccc() == 0 || i.ccc() >= last;
        last = i.ccc();
        let may_move = after_toned && matches!(c, 'a' | 'e' | 'y');
        after_toned = !fold && i.toned();
        in_order && !may_move && (i.stable(fold) || after_toned)
    })
}

/// Whether the decomposition `d` tokenizes like a character of class `class`.
fn same_shape(class: Class, d: &[char]) -> bool {
    // `d` is fully decomposed, so `classify` (a table lookup) equals `raw_class` on it, except
    // that ignorables are not separators; neither fits any shape.
    let mut classes = d.iter().map(|&x| classify(x));
    let Some(first) = classes.next() else {
        return true;
    };
    match class {
        Class::Mark => first == Class::Mark && classes.all(|k| k == Class::Mark),
        Class::Word => {
            first == Class::Word && classes.all(|k| matches!(k, Class::Word | Class::Mark))
        }
        Class::Spaceless => first == Class::Spaceless && classes.all(|k| k == Class::Mark),
        Class::Separator | Class::Ignorable => true,
    }
}

/// Moves a Vietnamese tone mark on `oa`/`oe`/`uy` to the second vowel (module docs). `chars` is
/// decomposed and lowercase.
fn canonical_tone(chars: &mut [char]) {
    let mut tone = None;
    let mut vowels = [0usize; 3];
    let mut n = 0;
    for (i, &c) in chars.iter().enumerate() {
        if TONE_MARKS.contains(&c) {
            if tone.replace(i).is_some() {
                return;
            }
        } else if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
            vowels[n.min(2)] = i;
            n += 1;
        } else if !(c.is_ascii_lowercase() || c == 'đ' || QUALITY_MARKS.contains(&c)) {
            return;
        }
    }
    let (Some(t), 2) = (tone, n) else { return };
    let (v1, v2) = (vowels[0], vowels[1]);
    if !matches!((chars[v1], chars[v2]), ('o', 'a') | ('o', 'e') | ('u', 'y')) {
        return;
    }
    let quality_after = |i: usize| chars.get(i).is_some_and(|c| QUALITY_MARKS.contains(c));
    if t == v1 + 1 && v2 == v1 + 2 && !quality_after(v2 + 1) {
        chars.swap(t, v2); // tone on the first vowel: move it after the second
    }
}

/// Normalizes one token (a word or a single character) into `out`, which is cleared first:
/// lowercase, NFKC (except decompositions that would split the token, see the module docs),
/// the Vietnamese tone mark in its canonical place, and, when `fold_diacritics`, every
/// combining mark removed and the letters of `FOLDED` mapped (`đ` → `d`, `ø` → `o`, ...).
///
/// ASCII tokens take a fast path (lowercasing only). Idempotent.
pub fn normalize_token(token: &str, fold_diacritics: bool, out: &mut String) {
    Normalizer::default().normalize_into(token, fold_diacritics, out);
}

/// The tokens of `text` ([`crate::config::TokenUnit::Words`]), each normalized, joined by
/// single spaces: for display and debugging. Idempotent, and tokenizing the result gives the
/// same token hashes as tokenizing `text`.
pub fn normalize(text: &str, fold_diacritics: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let unit = crate::config::TokenUnit::Words;
    super::tokenize::for_each_token(text, unit, fold_diacritics, usize::MAX, |_, _, norm| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(norm);
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::testgen::arb_text;
    use proptest::prelude::*;

    fn n(token: &str, fold: bool) -> String {
        let mut out = String::new();
        normalize_token(token, fold, &mut out);
        out
    }

    #[test]
    fn vietnamese_tone_placement_is_canonical() {
        let groups: [&[&str]; 3] = [
            &[
                "Hòa",
                "hoà",
                "HOÀ",
                "ho\u{300}a",
                "hoa\u{300}",
                "HO\u{300}A",
            ],
            &["thuỷ", "thủy", "thu\u{309}y", "thuy\u{309}", "THỦY"],
            &["khoẻ", "khỏe", "kho\u{309}e", "khoe\u{309}"],
        ];
        for group in groups {
            for fold in [false, true] {
                let first = n(group[0], fold);
                for t in group {
                    assert_eq!(n(t, fold), first, "{t:?} fold={fold}");
                }
            }
        }
        assert_eq!(n("hòa", false), "hoà");
        // Uncontested and non-Vietnamese spellings are left alone.
        assert_eq!(n("Hoàng", false), "hoàng");
        assert_eq!(n("thuở", false), "thuở");
        assert_ne!(n("πότε", false), n("ποτέ", false));
        assert_ne!(n("río", false), n("rió", false));
        assert_ne!(n("público", false), n("publicó", false));
    }

    #[test]
    fn case_compatibility_and_exceptions() {
        let cases = [
            ("ﬁnal", "final"),
            ("ＡＢＣ", "abc"),
            ("①", "1"),
            ("Ⅻ", "xii"),
            ("ᴬ", "a"),
            ("ΟΔΟΣ", "οδοσ"),
            ("οδος", "οδοσ"),
            ("İ", "i\u{307}"),
            ("Straße", "straße"),
            ("ｶﾞ", "ガ"),
            ("co\u{AD}op\u{200D}", "coop"),
            // Compatibility decompositions that would split the token are not applied.
            ("½", "½"),
            ("⑴", "⑴"),
            ("ゟ", "ゟ"),
            ("กำ", "กำ"),
        ];
        for (token, want) in cases {
            assert_eq!(n(token, false), want, "{token:?}");
        }
    }

    #[test]
    fn folding() {
        assert_ne!(n("Hòa", false), n("hoa", false));
        assert_eq!(n("Hòa", true), n("hoa", true));
        assert_eq!(normalize("Đà Nẵng", true), "da nang");
        assert_eq!(normalize("Đà Nẵng", false), "đà nẵng");
        assert_eq!(normalize("Łódź Ørsted ǿ", true), "lodz orsted o");
        assert_eq!(normalize("Ελληνικά", true), "ελληνικα");
        assert_eq!(n("\u{301}", true), "");
    }

    #[test]
    fn normalize_joins_tokens() {
        assert_eq!(
            normalize("  Hello,   WORLD! 我们 ", false),
            "hello world 我 们"
        );
        assert_eq!(normalize("don't", false), "don t");
        assert_eq!(normalize("", false), "");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn token_normalization_is_idempotent(t in arb_text(), fold in any::<bool>()) {
            let once = n(&t, fold);
            prop_assert_eq!(n(&once, fold), once.clone());
        }

        #[test]
        fn text_normalization_is_idempotent(t in arb_text(), fold in any::<bool>()) {
            let once = normalize(&t, fold);
            prop_assert_eq!(normalize(&once, fold), once);
        }

        #[test]
        fn arbitrary_strings_too(t in any::<String>(), fold in any::<bool>()) {
            let once = n(&t, fold);
            prop_assert_eq!(n(&once, fold), once);
            let once = normalize(&t, fold);
            prop_assert_eq!(normalize(&once, fold), once);
        }

        #[test]
        fn fast_paths_match_the_full_pipeline(t in arb_text(), ascii in "[ -~]{0,20}", fold in any::<bool>()) {
            let mut slow = String::new();
            for t in t.split(' ').chain([&t[..], &ascii[..]]) {
                Normalizer::default().normalize_slow(t, fold, &mut slow);
                prop_assert_eq!(n(t, fold), slow.clone());
            }
        }
    }
}
