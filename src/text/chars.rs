//! Per-character facts shared by the tokenizer and the normalizer, precomputed for the Basic
//! Multilingual Plane (a 128 KiB table built on first use) because the Unicode property
//! lookups behind them cost up to ~100 ns per character.

use super::normalize::{FOLDED, TONE_MARKS};
use super::tokenize::is_spaceless_script;
use std::sync::OnceLock;
use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized};

/// How a character takes part in tokenization (see the `tokenize` module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Separator,
    Ignorable,
    Mark,
    Word,
    Spaceless,
}

/// The class of `c` by itself, without looking at its decomposition.
pub(crate) fn raw_class(c: char) -> Class {
    if is_combining_mark(c) {
        Class::Mark
    } else if !c.is_alphanumeric() {
        Class::Separator
    } else if is_spaceless_script(c) {
        Class::Spaceless
    } else {
        Class::Word
    }
}

/// Soft hyphen, ZWNJ, ZWJ, word joiner, BOM: invisible inside words, dropped by normalization.
pub(crate) fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The class of `c`: that of the first non-separator character of its NFKD.
pub(crate) fn classify(c: char) -> Class {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => Class::Word,
        '\0'..='\x7F' => Class::Separator,
        _ => info(c).class(),
    }
}

/// Class, canonical combining class, and whether normalization leaves the character alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CharInfo(u16);

impl CharInfo {
    const CLASSES: [Class; 5] = [
        Class::Separator,
        Class::Ignorable,
        Class::Mark,
        Class::Word,
        Class::Spaceless,
    ];
    const STABLE: u16 = 1 << 11;
    const STABLE_FOLDED: u16 = 1 << 12;
    const LOWERCASE: u16 = 1 << 13;
    const TONED: u16 = 1 << 14;

    fn compute(c: char) -> CharInfo {
        let mut class = if is_ignorable(c) {
            Class::Ignorable
        } else {
            raw_class(c)
        };
        let class_bits =
            |k: Class| (Self::CLASSES.iter().position(|&x| x == k).unwrap_or(0) as u16) << 8;
        if matches!(class, Class::Separator | Class::Ignorable) {
            return CharInfo(class_bits(class)); // flags unset: the slow, general path is taken
        }
        let mut first = None;
        decompose_compatible(c, |d| {
            first = first.or(Some(raw_class(d)).filter(|&k| k != Class::Separator));
        });
        class = first.unwrap_or(class);
        let (mut tone, mut marks, mut folded) = (false, false, false);
        decompose_canonical(c, |d| {
            tone |= TONE_MARKS.contains(&d);
            marks |= is_combining_mark(d);
            folded |= FOLDED.iter().any(|&(from, _)| from == d);
        });
        let lowercase = c.to_lowercase().eq([c]) && c != 'ς';
        let nfkc = is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
        let stable = nfkc && lowercase && !tone;
        let mut bits = canonical_combining_class(c) as u16 | class_bits(class);
        bits |= if lowercase { Self::LOWERCASE } else { 0 };
        bits |= if stable { Self::STABLE } else { 0 };
        bits |= if nfkc && lowercase && tone {
            Self::TONED
        } else {
            0
        };
        bits |= if stable && !marks && !folded {
            Self::STABLE_FOLDED
        } else {
            0
        };
        CharInfo(bits)
    }

    pub(crate) fn class(self) -> Class {
        Self::CLASSES[usize::from(self.0 >> 8 & 7).min(4)]
    }

    /// Canonical combining class.
    pub(crate) fn ccc(self) -> u8 {
        self.0 as u8
    }

    /// Lowercasing (with `ς` → `σ`) leaves the character alone.
    pub(crate) fn lowercase(self) -> bool {
        self.0 & Self::LOWERCASE != 0
    }

    /// NFKC and lowercase, with a Vietnamese tone mark (`ò`, `ủ`, `ấ`): left alone by
    /// `normalize_token` without folding, unless the tone rule moves its mark (see
    /// `normalize::is_stable`).
    pub(crate) fn toned(self) -> bool {
        self.0 & Self::TONED != 0
    }

    /// `normalize_token` leaves the character alone (NFKC, lowercase, no Vietnamese tone mark,
    /// and with `fold` no mark and nothing of `FOLDED`), as long as the characters around it are
    /// stable too and combining classes do not decrease.
    pub(crate) fn stable(self, fold: bool) -> bool {
        let flag = if fold {
            Self::STABLE_FOLDED
        } else {
            Self::STABLE
        };
        self.0 & flag != 0
    }
}

/// The [`CharInfo`] of `c`: a table lookup in the BMP, computed elsewhere.
pub(crate) fn info(c: char) -> CharInfo {
    static BMP: OnceLock<Box<[CharInfo]>> = OnceLock::new();
    let table = BMP.get_or_init(|| {
        let infos = (0..=0xFFFF).map(|u| char::from_u32(u).map_or(CharInfo(0), CharInfo::compute));
        infos.collect()
    });
    table
        .get(c as usize)
        .copied()
        .unwrap_or_else(|| CharInfo::compute(c))
}
