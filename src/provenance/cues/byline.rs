//! The byline rule: "By", "Von", "Par", "Bài:", "Author:", ... at a line start followed by
//! capitalized names that end the line, or at least two names followed by a separator.

use super::lexicon::Hit;
use super::rules::Ctx;
use super::scan::*;
use super::CueKind;

impl Ctx<'_> {
    pub(super) fn byline(&mut self, h: &Hit) {
        let s = self.s;
        let colon = s[h.start..h.end].ends_with([':', '：']);
        let p = skip_space(s, h.end);
        let words = self.cap_words(p, 6, true);
        let Some(&(_, end)) = words.last() else {
            return;
        };
        if p == h.end && !colon {
            return;
        }
        let next = char_at(s, skip_space(s, end));
        let eol = next.is_none_or(is_break);
        let sep = next.is_some_and(|c| matches!(c, ',' | '|' | '/' | '(') || is_dash(c));
        if eol || (sep && (words.len() >= 2 || colon)) {
            self.push(
                CueKind::Byline,
                h.start,
                end,
                Some(s[p..end].to_string()),
                None,
            );
        }
    }
}
