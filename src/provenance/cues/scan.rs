//! The scanning toolkit the rules share: character classes (word, mark, CJK, dash, break),
//! bounded moves over a text by byte offset (every scan looks at most a few hundred bytes
//! around its anchor, so the rules stay linear in the text), case folding that never changes
//! byte lengths, phrase matching where a space matches any run of whitespace, and reading
//! names (raw and capitalized words, brackets and dashes around them).
//!
//! Every offset in and out is a byte offset on a char boundary of the text scanned.

use unicode_normalization::UnicodeNormalization;

pub(super) const SCAN: usize = 64;

pub(super) fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}
/// Han, Kana and Hangul: matched without word boundaries.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x11FF | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}
pub(super) fn is_word(c: char) -> bool {
    (c.is_alphanumeric() || is_mark(c)) && !is_cjk(c)
}
pub(super) fn is_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() && !is_break(c)
}
pub(super) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−')
}
pub(super) fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}
pub(super) fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..)?.chars().next()
}
pub(super) fn char_before(s: &str, i: usize) -> Option<char> {
    s.get(..i)?.chars().next_back()
}
pub(super) fn skip_space(s: &str, mut i: usize) -> usize {
    let lim = i + SCAN;
    while let Some(c) = char_at(s, i).filter(|&c| is_space(c) && i < lim) {
        i += c.len_utf8();
    }
    i
}
pub(super) fn skip_space_back(s: &str, mut i: usize) -> usize {
    let lim = i.saturating_sub(SCAN);
    while let Some(c) = char_before(s, i).filter(|&c| is_space(c) && i > lim) {
        i -= c.len_utf8();
    }
    i
}
/// Start of the text before `i` on its line, going back at most `cap` bytes.
pub(super) fn back_window(s: &str, i: usize, cap: usize) -> usize {
    let mut j = i;
    while let Some(c) = char_before(s, j).filter(|&c| !is_break(c) && i - j < cap) {
        j -= c.len_utf8();
    }
    j
}
/// The text from the last line break before `i` to `i`, if it is at most `cap` bytes.
pub(super) fn line_prefix(s: &str, i: usize, cap: usize) -> Option<&str> {
    let j = back_window(s, i, cap);
    char_before(s, j).is_none_or(is_break).then(|| &s[j..i])
}
pub(super) fn line_start(s: &str, i: usize) -> bool {
    line_prefix(s, i, SCAN).is_some_and(|p| p.trim().is_empty())
}
/// Only spaces and an optional period between `i` and the end of the line.
pub(super) fn at_line_end(s: &str, i: usize) -> bool {
    let mut p = skip_space(s, i);
    if char_at(s, p) == Some('.') {
        p = skip_space(s, p + 1);
    }
    char_at(s, p).is_none_or(is_break)
}
/// Lowercases char by char, keeping a char as is when its lowercase has another length, so
/// byte offsets (and char boundaries) of the result equal those of `s`.
pub(super) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) if x.len_utf8() == c.len_utf8() => out.push(x),
            _ => out.push(c),
        }
    }
    out
}
pub(super) fn normalize_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfc()
        .collect()
}

/// Matches `pat` in `hay` at `i`; a space in `pat` matches any run of whitespace, ':' allows
/// spaces before it and matches '：', '\'' matches '’'. Whole words: a match may not end inside
/// a (non-CJK) word.
pub(super) fn match_at(hay: &str, i: usize, pat: &str) -> Option<usize> {
    let mut p = i;
    for pc in pat.chars() {
        match pc {
            ' ' => {
                let c = char_at(hay, p).filter(|c| c.is_whitespace())?;
                p += c.len_utf8();
                while let Some(c) = char_at(hay, p).filter(|c| c.is_whitespace() && p - i < 256) {
                    p += c.len_utf8();
                }
            }
            ':' => {
                p = skip_space(hay, p);
                let c = char_at(hay, p).filter(|&c| c == ':' || c == '：')?;
                p += c.len_utf8();
            }
            '\'' => {
                let c = char_at(hay, p).filter(|&c| matches!(c, '\'' | '’' | 'ʼ'))?;
                p += c.len_utf8();
            }
            _ => {
                let c = char_at(hay, p).filter(|&c| c == pc)?;
                p += c.len_utf8();
            }
        }
    }
    let ends_word = pat.chars().next_back().is_some_and(is_word);
    if ends_word && char_at(hay, p).is_some_and(is_word) {
        return None;
    }
    Some(p)
}
/// Longest match of any phrase of `list` at `i`.
pub(super) fn match_any(hay: &str, i: usize, list: &[String]) -> Option<usize> {
    list.iter().filter_map(|w| match_at(hay, i, w)).max()
}
/// NFC and NFD forms of each phrase, folded.
pub(super) fn variants(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in list.split('|') {
        for v in [
            fold(&w.nfc().collect::<String>()),
            fold(&w.nfd().collect::<String>()),
        ] {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// A name on a line of its own: at most two words, or every word capitalized ("Dân trí",
/// "Global News Network", not "Walcott scored twice").
pub(super) fn short_or_capitalized(s: &str, a: usize, b: usize) -> bool {
    let words = || s[a..b].split_whitespace();
    words().count() <= 2
        || words().all(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()))
}
/// End of the word at `i`: word chars, with '-', '.', '\'', '’', '&' inside.
pub(super) fn word_end(s: &str, mut i: usize) -> usize {
    let start = i;
    while let Some(c) = char_at(s, i) {
        let inner = matches!(c, '-' | '.' | '\'' | '’' | '&')
            && char_at(s, i + c.len_utf8()).is_some_and(is_word);
        if !(is_word(c) || inner) || i - start > SCAN {
            break;
        }
        i += c.len_utf8();
    }
    i
}
/// End of a raw name of up to `max_words` words from `i`, stopping at punctuation, a line
/// break, a lone dash or a sentence period; `i` when empty or longer than 100 bytes.
pub(super) fn raw_name(s: &str, i: usize, max_words: usize) -> usize {
    const STOPS: &[char] = &[
        ',', ';', ':', '|', '(', ')', '[', ']', '"', '“', '”', '«', '»', '（', '）', '，', '。',
    ];
    let (mut p, mut end) = (i, i);
    for _ in 0..max_words {
        let st = p;
        while let Some(c) = char_at(s, p) {
            if c.is_whitespace()
                || c.is_control()
                || STOPS.contains(&c)
                || (c == '.' && !char_at(s, p + 1).is_some_and(is_word))
            {
                break;
            }
            p += c.len_utf8();
            if p - i > 100 {
                return i;
            }
        }
        if p == st || s[st..p].chars().all(is_dash) {
            break;
        }
        end = p;
        let q = skip_space(s, p);
        if q == p {
            break;
        }
        p = q;
    }
    end
}
/// The opening bracket of a group the agency at `i` ends: "(" / "（" / "【" right before it,
/// or after a place name with "=" ("(서울=연합뉴스)") or glued to it ("【ワシントン共同】").
pub(super) fn open_before(s: &str, i: usize) -> Option<(usize, char)> {
    let o = skip_space_back(s, i);
    match char_before(s, o)? {
        c @ ('(' | '（' | '【') => return Some((o - c.len_utf8(), c)),
        '=' => {}
        c if is_cjk(c) => {}
        _ => return None,
    }
    let j = back_window(s, o, 40);
    let k = j + s[j..o].rfind(['(', '（', '【', ')', '）', '】'])?;
    let c = char_at(s, k)?;
    let inner = &s[k + c.len_utf8()..o];
    let ok = matches!(c, '(' | '（' | '【') && (c == '【' || inner.ends_with('='));
    ok.then_some((k, c))
}
/// A dash (optionally after spaces and a '.') after `i`: end of the dashes.
pub(super) fn dash_after(s: &str, i: usize) -> Option<usize> {
    let mut p = skip_space(s, i);
    if char_at(s, p) == Some('.') {
        p += 1;
    }
    let start = p;
    while let Some(c) = char_at(s, p).filter(|&c| is_dash(c) && p - start < 9) {
        p += c.len_utf8();
    }
    (p > start).then_some(p)
}
/// A prefix a paren tag may follow on its line: empty, or short capitalized words ("HÀ NỘI",
/// "NEW YORK, Feb 21", "WASHINGTON").
pub(super) fn dateline_ok(prefix: &str) -> bool {
    let t = prefix.trim();
    t.len() <= 64
        && t.split_whitespace().all(|w| {
            let w = w.trim_end_matches(',');
            w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                && !w.contains(['(', ')', '"', '“', '”'])
                && (!w.ends_with('.') || w.chars().count() <= 5)
        })
}
/// Start of the word ending at `q` (at most 32 bytes long).
pub(super) fn word_before(s: &str, q: usize) -> Option<usize> {
    let mut j = q;
    while let Some(c) = char_before(s, j).filter(|&c| is_word(c)) {
        if q - j > 32 {
            return None;
        }
        j -= c.len_utf8();
    }
    (j < q).then_some(j)
}
/// A whole run of at most `max` digits at `i`: (value, end, digit count).
pub(super) fn read_num(s: &str, i: usize, max: usize) -> Option<(u32, usize, usize)> {
    let (mut v, mut n, mut j) = (0u32, 0usize, i);
    while let Some((d, c)) = char_at(s, j).and_then(|c| digit(c).map(|d| (d, c))) {
        n += 1;
        if n > max {
            return None;
        }
        v = v * 10 + d;
        j += c.len_utf8();
    }
    (n > 0).then_some((v, j, n))
}
