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
    info(c).class()
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

    fn compute(c: char) -> CharInfo {
        let raw = if is_ignorable(c) {
            Class::Ignorable
        } else {
            raw_class(c)
        };
        let mut class = None;
        if !matches!(raw, Class::Separator | Class::Ignorable) {
            decompose_compatible(c, |d| {
                if class.is_none() {
                    class = Some(raw_class(d)).filter(|&k| k != Class::Separator);
                }
            });
        }
        let class = class.unwrap_or(raw);
        // Stable: NFKC, lowercase, not ς, not ignorable, no Vietnamese tone mark inside.
        let (mut tone, mut marks, mut folded) = (false, false, false);
        decompose_canonical(c, |d| {
            tone |= TONE_MARKS.contains(&d);
            marks |= is_combining_mark(d);
            folded |= FOLDED.iter().any(|&(from, _)| from == d);
        });
        let stable = raw != Class::Ignorable
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
            && c.to_lowercase().eq([c])
            && c != 'ς'
            && !tone;
        let mut bits = canonical_combining_class(c) as u16;
        bits |= (Self::CLASSES.iter().position(|&k| k == class).unwrap_or(0) as u16) << 8;
        if stable {
            bits |= Self::STABLE;
            if !marks && !folded {
                bits |= Self::STABLE_FOLDED;
            }
        }
        CharInfo(bits)
    }

    pub(crate) fn class(self) -> Class {
        Self::CLASSES[usize::from(self.0 >> 8 & 7).min(4)]
    }

    /// Canonical combining class.
    pub(crate) fn ccc(self) -> u8 {
        self.0 as u8
    }

    /// Whether `normalize_token` maps this character to itself in any context where the
    /// characters before it are stable too and combining classes do not decrease.
    pub(crate) fn stable(self, fold: bool) -> bool {
        self.0
            & if fold {
                Self::STABLE_FOLDED
            } else {
                Self::STABLE
            }
            != 0
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
