//! Credit, photo-credit and sign-off rules anchored on a phrase: an agency alias (in brackets
//! before a dash, at a line end, with a reporting word, in a CJK dateline), a preamble ("theo",
//! "according to", ...) or label ("Source:") and the name after it, a photo label, a
//! "(Reporting by ...)" sign-off. See the module docs of [`super`] for the rules in short.

use super::lexicon::Hit;
use super::rules::Ctx;
use super::scan::*;
use super::CueKind;

impl Ctx<'_> {
    pub(super) fn agency(&mut self, h: &Hit, idx: usize) {
        if self.t.photo_only(idx) {
            return;
        }
        let s = self.s;
        if let Some(e) = match_any(self.f, skip_space(s, h.end), &self.l.postfix) {
            self.push(CueKind::Credit, h.start, e, self.name(idx), None);
        }
        let c = skip_space(s, h.end);
        if let (Some((open, oc)), Some(cc)) = (open_before(s, h.start), char_at(s, c)) {
            let close = c + cc.len_utf8();
            let paired = matches!((oc, cc), ('(' | '（', ')' | '）') | ('【', '】'));
            if paired {
                if let Some(d) = dash_after(s, close) {
                    self.push(CueKind::Credit, open, d, self.name(idx), None);
                } else if oc == '【' || line_start(s, open) || at_line_end(s, close) {
                    self.push(CueKind::Credit, open, close, self.name(idx), None);
                }
                return;
            }
        }
        // "(AP Photo/Jane Doe)", "(Jane Doe/Reuters)": a picture credit.
        if char_before(s, h.start) == Some('/') || char_at(s, h.end) == Some('/') {
            let j = back_window(s, h.start, 60);
            let open = s[j..h.start].rfind(['(', ')']).map(|k| j + k);
            let close = s[h.end..]
                .char_indices()
                .take_while(|&(k, c)| k < 60 && !is_break(c) && c != '(')
                .find(|&(_, c)| c == ')');
            if let (Some(o), Some((k, _))) = (open.filter(|&o| s[o..].starts_with('(')), close) {
                self.push(CueKind::PhotoCredit, o, h.end + k + 1, self.name(idx), None);
            }
        }
        // "新华社北京2月21日电": the agency opens a dateline that ends in 电.
        let mut rest = s[h.end..]
            .char_indices()
            .take_while(|&(k, c)| k < 40 && !is_break(c));
        if s[h.start..h.end].starts_with(is_cjk) && rest.any(|(_, c)| c == '电' || c == '電') {
            self.push(CueKind::Credit, h.start, h.end, self.name(idx), None);
        }
        if at_line_end(s, h.end) {
            let q = skip_space_back(s, h.start);
            let (mut d, mut n) = (q, 0);
            while let Some(c) = char_before(s, d).filter(|&c| is_dash(c) && n < 3) {
                d -= c.len_utf8();
                n += 1;
            }
            if n > 0 && char_before(s, d).is_none_or(char::is_whitespace) {
                self.push(CueKind::SignOff, d, h.end, self.name(idx), None);
            }
        }
    }

    pub(super) fn preamble(&mut self, h: &Hit, hard: bool) {
        let (s, f) = (self.s, self.f);
        let mut p = skip_space(s, h.end);
        if let Some((_, ye, 4)) = read_num(s, p, 4) {
            p = skip_space(s, ye); // "Copyright 2026 The Associated Press"
        }
        let p = self.skip_articles(p);
        let found = if let Some((e, i)) = self.agency_at(p) {
            // "据新华社报道": the credit runs over a reporting word that follows.
            let e = match_any(f, skip_space(s, e), &self.l.postfix).unwrap_or(e);
            (!self.t.photo_only(i)).then(|| (e, self.name(i)))
        } else if hard {
            let e = raw_name(s, p, 6);
            (e > p).then(|| {
                (
                    e,
                    self.agency_in(p, e, false)
                        .or_else(|| Some(s[p..e].to_string())),
                )
            })
        } else if let Some(me) = match_any(f, p, &self.l.media).filter(|&me| skip_space(s, me) > me)
        {
            let q = skip_space(s, me);
            match self.agency_at(q) {
                Some((e, i)) => Some((e, self.name(i))),
                None => self
                    .cap_words(q, 4, false)
                    .last()
                    .map(|w| (w.1, Some(s[p..w.1].to_string()))),
            }
        } else {
            let e = raw_name(s, p, 5);
            let o = skip_space_back(s, h.start);
            let closed = char_at(s, p).is_some_and(char::is_uppercase)
                && e > p
                && ((char_before(s, o) == Some('(') && char_at(s, skip_space(s, e)) == Some(')'))
                    || (line_start(s, h.start)
                        && at_line_end(s, e)
                        && short_or_capitalized(s, p, e)));
            if closed {
                Some((
                    e,
                    self.agency_in(p, e, false)
                        .or_else(|| Some(s[p..e].to_string())),
                ))
            } else {
                let words = self.cap_words(p, 5, false);
                let tail = words
                    .iter()
                    .rposition(|&(a, b)| match_any(f, a, &self.l.tails) == Some(b));
                tail.map(|t| (words[t].1, Some(s[p..words[t].1].to_string())))
            }
        };
        if let Some((e, src)) = found {
            self.push(CueKind::Credit, h.start, e, src, None);
        }
    }

    pub(super) fn photo(&mut self, h: &Hit) {
        let s = self.s;
        let p = skip_space(s, h.end);
        let e = raw_name(s, p, 6);
        if e == p {
            return;
        }
        let src = self
            .agency_in(p, e, true)
            .or_else(|| Some(s[p..e].to_string()));
        let o = skip_space_back(s, h.start);
        let c = skip_space(s, e);
        let (a, b) = match (char_before(s, o), char_at(s, c)) {
            (Some(oc @ ('(' | '（')), Some(cc @ (')' | '）'))) => {
                (o - oc.len_utf8(), c + cc.len_utf8())
            }
            _ => (h.start, e),
        };
        self.push(CueKind::PhotoCredit, a, b, src, None);
    }

    pub(super) fn sign_lead(&mut self, h: &Hit) {
        let s = self.s;
        let o = skip_space_back(s, h.start);
        let (a, b) = if char_before(s, o) == Some('(') {
            let mut q = h.end;
            while let Some(c) =
                char_at(s, q).filter(|&c| c != ')' && !is_break(c) && q - h.end < 400)
            {
                q += c.len_utf8();
            }
            if char_at(s, q) != Some(')') {
                return;
            }
            (o - 1, q + 1)
        } else if line_start(s, h.start) {
            let mut q = h.end;
            while let Some(c) = char_at(s, q).filter(|&c| !is_break(c) && q - h.end < 400) {
                q += c.len_utf8();
            }
            (h.start, h.start + s[h.start..q].trim_end().len())
        } else {
            return;
        };
        self.push(CueKind::SignOff, a, b, None, None);
    }
}
