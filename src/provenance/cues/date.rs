//! Date rules: ISO and day-first numeric dates (a bare day/month only after a trigger word or
//! with a time), month names in several languages, Vietnamese "tháng", CJK and Korean dates;
//! impossible dates rejected, years 1800..=2200, day-first unless impossible.

use super::lexicon::Hit;
use super::rules::Ctx;
use super::scan::*;
use super::CueKind;

impl Ctx<'_> {
    pub(super) fn month_date(&mut self, h: &Hit, m: u32) {
        let (s, f) = (self.s, self.f);
        let me = if char_at(s, h.end) == Some('.') {
            h.end + 1
        } else {
            h.end
        };
        // "February 21[, 2026]"
        let p = skip_space(s, me);
        if let Some((d, de, _)) = read_num(s, p, 2).filter(|_| p > me) {
            let de = ordinal_after(f, de);
            if right_ok(s, de) {
                let (y, ye) = year_after(s, f, de);
                self.date(h.start, ye.unwrap_or(de), y, m, d);
            }
        }
        // "21 February[ 2026]", "21. Februar", "21 de febrero de 2026"
        let mut q = skip_space_back(s, h.start);
        if q == h.start {
            return;
        }
        if f[..q].ends_with("de") && skip_space_back(s, q - 2) < q - 2 {
            q = skip_space_back(s, q - 2);
        }
        if char_before(s, q) == Some('.') {
            q -= 1;
        }
        let q = ordinal_before(f, q);
        if let Some((d, ds)) = num_before(s, q) {
            let (y, ye) = year_after(s, f, me);
            self.date(ds, ye.unwrap_or(h.end), y, m, d);
        }
    }

    /// Vietnamese "21 tháng 2[ năm 2026]".
    pub(super) fn thang_date(&mut self, h: &Hit) {
        let s = self.s;
        let q = skip_space_back(s, h.start);
        let Some((d, ds)) = num_before(s, q).filter(|_| q < h.start) else {
            return;
        };
        let p = skip_space(s, h.end);
        let Some((m, me, _)) = read_num(s, p, 2).filter(|r| p > h.end && right_ok(s, r.1)) else {
            return;
        };
        let mut y = None;
        let mut end = me;
        if let Some(n) = match_at(self.f, skip_space(s, me), "năm") {
            let yp = skip_space(s, n);
            if let Some((v, ye, 4)) = read_num(s, yp, 4).filter(|r| right_ok(s, r.1)) {
                (y, end) = (Some(v), ye);
            }
        }
        self.date(ds, end, y, m, d);
    }

    /// Pushes a date if valid, with a time just before or after attached.
    pub(super) fn date(&mut self, a: usize, b: usize, y: Option<u32>, m: u32, d: u32) {
        if !valid(y, m, d) {
            return;
        }
        let (mut a, mut b, mut t) = (a, b, None);
        if let Some((h, mi, e)) = time_after(self.s, b) {
            (b, t) = (e, Some((h, mi)));
        } else if let Some((ts, h, mi)) = time_before(self.s, a) {
            (a, t) = (ts, Some((h, mi)));
        }
        let mut v = match y {
            Some(y) => format!("{y:04}-{m:02}-{d:02}"),
            None => format!("{m:02}-{d:02}"),
        };
        if let Some((h, mi)) = t {
            v += &format!("T{h:02}:{mi:02}");
        }
        self.push(CueKind::Date, a, b, None, Some(v));
    }

    pub(super) fn numeric_dates(&mut self) {
        let s = self.s;
        let (mut p1, mut p2): (Option<char>, Option<char>) = (None, None);
        for (i, c) in s.char_indices() {
            let (b1, b2) = (p1, p2);
            (p2, p1) = (p1, Some(c));
            if digit(c).is_none() || b1.is_some_and(|b| digit(b).is_some() || is_word(b)) {
                continue;
            }
            if b1.is_some_and(|b| matches!(b, '/' | '.' | ':' | ','))
                && b2.and_then(digit).is_some()
            {
                continue;
            }
            self.numeric_date_at(i);
        }
    }

    pub(super) fn numeric_date_at(&mut self, i: usize) {
        let s = self.s;
        let Some((v1, e1, n1)) = read_num(s, i, 4) else {
            return;
        };
        if let Some((end, y, m, d)) = cjk_date(s, v1, e1, n1) {
            self.date(i, end, y, m, d);
            return;
        }
        let Some(sep) = char_at(s, e1).filter(|c| matches!(c, '/' | '-' | '.')) else {
            return;
        };
        let Some((v2, e2, _)) = read_num(s, e1 + 1, 2) else {
            return;
        };
        let same_sep_then_digit =
            char_at(s, e2) == Some(sep) && char_at(s, e2 + 1).and_then(digit).is_some();
        if n1 == 4 {
            if let Some((v3, e3, _)) =
                read_num(s, e2 + 1, 2).filter(|r| same_sep_then_digit && date_end_ok(s, r.1))
            {
                self.date(i, e3, Some(v1), v2, v3);
            }
        } else if n1 <= 2 && same_sep_then_digit {
            if let Some((y, e3, 4)) = read_num(s, e2 + 1, 4).filter(|r| date_end_ok(s, r.1)) {
                if valid(Some(y), v2, v1) {
                    self.date(i, e3, Some(y), v2, v1);
                } else {
                    self.date(i, e3, Some(y), v1, v2);
                }
            }
        } else if n1 <= 2 && date_end_ok(s, e2) && valid(None, v2, v1) {
            let timed = time_after(s, e2).is_some() || time_before(s, i).is_some();
            if timed || self.has_trigger(i) {
                self.date(i, e2, None, v2, v1);
            }
        }
    }

    /// A date trigger word before `i`, directly or across a range ("ngày 18 - 20/2").
    pub(super) fn has_trigger(&self, i: usize) -> bool {
        let (s, f) = (self.s, self.f);
        let is_trigger = |end: usize| {
            let q = skip_space_back(s, end);
            q < end
                && word_before(f, q)
                    .is_some_and(|w| self.l.triggers.iter().any(|t| match_at(f, w, t) == Some(q)))
        };
        if is_trigger(i) {
            return true;
        }
        let q = skip_space_back(s, i);
        let conn = match char_before(s, q) {
            Some(c) if is_dash(c) || c == '~' => Some(q - c.len_utf8()),
            _ => word_before(f, q)
                .filter(|&w| q < i && self.l.ranges.iter().any(|r| match_at(f, w, r) == Some(q))),
        };
        let Some(conn) = conn else { return false };
        let q = skip_space_back(s, conn);
        num_before(s, q).is_some_and(|(_, ns)| is_trigger(ns))
    }
}

/// A 1-2 digit ASCII number ending at `q`, not glued to a word: (value, start).
fn num_before(s: &str, q: usize) -> Option<(u32, usize)> {
    let b = s.as_bytes();
    let mut j = q;
    while j > 0 && b[j - 1].is_ascii_digit() && q - j < 3 {
        j -= 1;
    }
    if j == q || q - j > 2 || char_before(s, j).is_some_and(is_word) {
        return None;
    }
    s[j..q].parse().ok().map(|v| (v, j))
}
fn right_ok(s: &str, e: usize) -> bool {
    char_at(s, e).is_none_or(|c| digit(c).is_none() && !is_word(c))
}
/// Like [`right_ok`], and "T" + digit (ISO time) may follow; a separator + digit may not.
fn date_end_ok(s: &str, e: usize) -> bool {
    let next_digit = char_at(s, e + 1).is_some_and(|c| c.is_ascii_digit());
    match char_at(s, e) {
        Some('T') => next_digit,
        Some('/' | '.' | '-') if next_digit => false,
        _ => right_ok(s, e),
    }
}
fn ordinal_after(f: &str, e: usize) -> usize {
    ["st", "nd", "rd", "th", "er"]
        .iter()
        .find_map(|o| match_at(f, e, o))
        .unwrap_or(e)
}
fn ordinal_before(f: &str, q: usize) -> usize {
    let ord = ["st", "nd", "rd", "th", "er"]
        .iter()
        .any(|o| f[..q].ends_with(o));
    if ord && q >= 2 && char_before(f, q - 2).is_some_and(|c| c.is_ascii_digit()) {
        q - 2
    } else {
        q
    }
}
/// ", 2026" / " 2026" / " de 2026" after `e`: (year, end).
fn year_after(s: &str, f: &str, e: usize) -> (Option<u32>, Option<usize>) {
    let p0 = if char_at(s, e) == Some(',') { e + 1 } else { e };
    let mut p = skip_space(s, p0);
    if p == e {
        return (None, None);
    }
    if let Some(q) = match_at(f, p, "de ") {
        p = q;
    }
    match read_num(s, p, 4) {
        Some((y, ye, 4)) if right_ok(s, ye) && (1800..=2200).contains(&y) => (Some(y), Some(ye)),
        _ => (None, None),
    }
}
/// "[YYYY年]M月D日" (also 년/월/일) with digits ending at `e1`: (end, year, month, day).
fn cjk_date(s: &str, v1: u32, e1: usize, n1: usize) -> Option<(usize, Option<u32>, u32, u32)> {
    let unit = |p: usize, units: [char; 2]| {
        let q = skip_space(s, p);
        char_at(s, q)
            .filter(|c| units.contains(c))
            .map(|c| q + c.len_utf8())
    };
    let (y, m, me) = match unit(e1, ['年', '년']) {
        Some(ye) if n1 == 4 => {
            let (m, me, _) = read_num(s, skip_space(s, ye), 2)?;
            (Some(v1), m, unit(me, ['月', '월'])?)
        }
        Some(_) => return None,
        None if n1 <= 2 => (None, v1, unit(e1, ['月', '월'])?),
        None => return None,
    };
    let (d, de, _) = read_num(s, skip_space(s, me), 2)?;
    Some((unit(de, ['日', '일'])?, y, m, d))
}
fn valid(y: Option<u32>, m: u32, d: u32) -> bool {
    let leap = y.is_none_or(|y| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1..=days).contains(&d) && y.is_none_or(|y| (1800..=2200).contains(&y))
}
/// "HH:MM[:SS]" or "HHhMM" at `i`: (hour, minute, end).
fn read_time(s: &str, i: usize) -> Option<(u32, u32, usize)> {
    let (h, e, _) = read_num(s, i, 2)?;
    let sep = char_at(s, e).filter(|c| matches!(c, ':' | 'h' | 'H'))?;
    let (mi, mut end, n) = read_num(s, e + 1, 2)?;
    if n != 2 || h > 23 || mi > 59 {
        return None;
    }
    if sep == ':' && char_at(s, end) == Some(':') {
        if let Some((sec, e3, 2)) = read_num(s, end + 1, 2) {
            if sec < 60 {
                end = e3;
            }
        }
    }
    let zone = char_at(s, end) == Some('Z');
    (zone || right_ok(s, end)).then_some((h, mi, end))
}
fn time_after(s: &str, e: usize) -> Option<(u32, u32, usize)> {
    if char_at(s, e) == Some('T') {
        return read_time(s, e + 1);
    }
    let p = if char_at(s, e) == Some(',') { e + 1 } else { e };
    let mut q = skip_space(s, p);
    if let Some(c) = char_at(s, q).filter(|&c| is_dash(c) && q > p) {
        q = skip_space(s, q + c.len_utf8());
    }
    (q > p).then(|| read_time(s, q)).flatten()
}
fn time_before(s: &str, a: usize) -> Option<(usize, u32, u32)> {
    let mut p = skip_space_back(s, a);
    if let Some(c) = char_before(s, p).filter(|&c| c == ',' || is_dash(c)) {
        p = skip_space_back(s, p - c.len_utf8());
    }
    if p == a {
        return None;
    }
    (4..=8)
        .filter(|&k| k <= p && s.is_char_boundary(p - k))
        .find_map(|k| {
            let t0 = p - k;
            let (h, mi, e) = read_time(s, t0)?;
            (e == p && !char_before(s, t0).is_some_and(|c| digit(c).is_some() || is_word(c)))
                .then_some((t0, h, mi))
        })
}
