//! The numbers of a text (amounts, prices, dates, scores, counts).
//!
//! A copied passage carries its numbers with it; a template filled again (a daily market
//! report, a results table, a dividend notice) or another event written in the same words
//! does not. [`numbers`] gives the distinct numbers of a text as hashes, so the relation rules
//! can ask how many of one text's numbers the other has.
//!
//! A number is a maximal run of decimal digits of any script, where a single `.` or `,` between
//! two digits continues the run (`1,234.5`). It is compared by its digit values alone: the
//! separators are dropped (thousands and decimal marks differ by locale) and each digit is
//! mapped to its value, so `٢٠١٧` (Arabic-Indic) and `2017` are one number. Tokens do not
//! matter: `2017ء` and `30سے` (digits joined to letters) hold the numbers `2017` and `30`.

use crate::hash::hash_bytes;

/// The code points of the zero digit of each decimal-digit block (Unicode 14 category `Nd`;
/// each block holds the ten digits in order).
const ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The value of `c` when it is a decimal digit of some script.
pub fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    let cp = c as u32;
    if cp < 0x660 {
        return None;
    }
    // The last block whose zero is at or below `cp`.
    let i = ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    let offset = cp - ZEROS[i];
    (offset < 10).then_some(offset as u8)
}

/// The distinct numbers of `text` as seeded hashes of their ASCII digits, sorted.
///
/// Linear in the text's length; a figure's digits are hashed as they are read, so one
/// enormous number costs no more than its length.
pub fn numbers(text: &str, seed: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut digits: Vec<u8> = Vec::new();
    // A separator seen right after a digit, waiting for the next digit to continue the run.
    let mut pending_separator = false;
    let mut flush = |digits: &mut Vec<u8>| {
        if !digits.is_empty() {
            out.push(hash_bytes(digits, seed));
            digits.clear();
        }
    };
    for c in text.chars() {
        if let Some(v) = digit_value(c) {
            pending_separator = false;
            // Longer digit runs are identifiers or tables; their first 32 digits stand for
            // them.
            if digits.len() < 32 {
                digits.push(b'0' + v);
            }
        } else if (c == '.' || c == ',') && !digits.is_empty() && !pending_separator {
            pending_separator = true;
        } else {
            pending_separator = false;
            flush(&mut digits);
        }
    }
    flush(&mut digits);
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn as_set(texts: &[&str]) -> Vec<u64> {
        let mut v: Vec<u64> = texts.iter().map(|t| hash_bytes(t.as_bytes(), 7)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn numbers_with_separators_are_one_number() {
        assert_eq!(
            numbers("Net 1,234.5 mln dlrs vs 987 mln, up 12.5 pct.", 7),
            as_set(&["12345", "987", "125"])
        );
        // A separator not followed by a digit ends the number; two in a row end it too.
        assert_eq!(
            numbers("In 2017, sales 3..4", 7),
            as_set(&["2017", "3", "4"])
        );
        assert_eq!(numbers("no figures here", 7), Vec::<u64>::new());
    }

    #[test]
    fn digits_of_other_scripts_and_digits_joined_to_letters() {
        assert_eq!(numbers("سال ٢٠١٧ میں 30سے", 7), as_set(&["2017", "30"]));
        assert_eq!(numbers("२०१७ and ２０１７", 7), as_set(&["2017"]));
        assert_eq!(digit_value('٩'), Some(9));
        assert_eq!(digit_value('a'), None);
        assert_eq!(digit_value('½'), None);
        assert_eq!(digit_value('\u{66A}'), None);
    }

    #[test]
    fn an_enormous_number_is_bounded() {
        let text = "9".repeat(1_000_000);
        assert_eq!(numbers(&text, 7), as_set(&[&"9".repeat(32)]));
    }

    /// Every code point the standard library calls a decimal digit and this table knows maps
    /// to a value below 10, and no other character of the ASCII or Latin-1 range has a value.
    #[test]
    fn table_agrees_with_char_to_digit_on_ascii_and_latin1() {
        for c in (0u32..0x100).filter_map(char::from_u32) {
            assert_eq!(digit_value(c), c.to_digit(10).map(|d| d as u8), "{c:?}");
        }
        for z in ZEROS {
            for i in 0..10 {
                let c = char::from_u32(z + i).unwrap();
                assert!(c.is_numeric(), "{c:?} in the digit table is not numeric");
                assert_eq!(digit_value(c), Some(i as u8));
            }
        }
    }

    proptest! {
        /// The numbers of a text do not depend on the script its digits are written in.
        #[test]
        fn numbers_do_not_depend_on_the_digit_script(
            words in proptest::collection::vec(("[a-z]{0,6}", proptest::option::of(0u64..1_000_000)), 0..20),
            block in 0usize..ZEROS.len(),
        ) {
            let render = |zero: u32| -> String {
                words
                    .iter()
                    .map(|(w, n)| match n {
                        Some(n) => n
                            .to_string()
                            .chars()
                            .map(|d| char::from_u32(zero + d.to_digit(10).unwrap()).unwrap())
                            .collect::<String>(),
                        None => w.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            prop_assert_eq!(numbers(&render(0x30), 3), numbers(&render(ZEROS[block]), 3));
        }
    }
}
