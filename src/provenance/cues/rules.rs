//! The state the cue rules share while reading one text ([`Ctx`]: the text, its folded form,
//! the anchor hits, the agency table, the candidates found so far) and the lookups every rule
//! uses (the agency at or inside a span, a run of capitalized words). The rules themselves are
//! one file per cue kind: [`super::credit`], [`super::byline`], [`super::date`],
//! [`super::line`] (outlet tags and sign-off tokens).

use super::lexicon::{Hit, Lists, Tag};
use super::scan::*;
use super::{AgencyTable, Cue, CueKind};

pub(super) struct Ctx<'a> {
    pub(super) s: &'a str,
    pub(super) f: &'a str,
    pub(super) hits: &'a [Hit],
    pub(super) t: &'a AgencyTable,
    pub(super) l: &'a Lists,
    pub(super) out: Vec<Cue>,
}

impl Ctx<'_> {
    pub(super) fn push(
        &mut self,
        kind: CueKind,
        a: usize,
        b: usize,
        source: Option<String>,
        value: Option<String>,
    ) {
        if a < b && b <= self.s.len() && self.s.is_char_boundary(a) && self.s.is_char_boundary(b) {
            let text = self.s[a..b].to_string();
            self.out.push(Cue {
                kind,
                start: a,
                end: b,
                text,
                source,
                value,
            });
        }
    }
    pub(super) fn name(&self, idx: usize) -> Option<String> {
        Some(self.t.agencies[idx].name.clone())
    }
    /// Longest agency alias starting at `p`: (end, agency index).
    pub(super) fn agency_at(&self, p: usize) -> Option<(usize, usize)> {
        let from = self.hits.partition_point(|h| h.start < p);
        self.hits[from..]
            .iter()
            .take_while(|h| h.start == p)
            .filter_map(|h| {
                if let Tag::Agency(i) = h.tag {
                    Some((h.end, i))
                } else {
                    None
                }
            })
            .max()
    }
    /// Name of the first agency wholly inside `a..b`.
    pub(super) fn agency_in(&self, a: usize, b: usize, photo: bool) -> Option<String> {
        let from = self.hits.partition_point(|h| h.start < a);
        self.hits[from..]
            .iter()
            .take_while(|h| h.start < b)
            .find_map(|h| match h.tag {
                Tag::Agency(i) if h.end <= b && (photo || !self.t.photo_only(i)) => self.name(i),
                _ => None,
            })
    }
    pub(super) fn skip_articles(&self, mut p: usize) -> usize {
        for _ in 0..2 {
            let Some(e) = match_any(self.f, p, &self.l.articles) else {
                break;
            };
            if char_before(self.f, e).is_some_and(|c| !is_word(c)) {
                p = e;
            } else if skip_space(self.s, e) > e {
                p = skip_space(self.s, e);
            } else {
                break;
            }
        }
        p
    }
    /// Up to `max` capitalized words from `p` (join words allowed between names when `joins`).
    pub(super) fn cap_words(&self, mut p: usize, max: usize, joins: bool) -> Vec<(usize, usize)> {
        let mut words = Vec::new();
        while words.len() < max {
            let e = word_end(self.s, p);
            let cap = char_at(self.s, p).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            let next = if cap && e > p && e - p <= SCAN {
                words.push((p, e));
                e
            } else if joins && !words.is_empty() {
                match match_any(self.f, p, &self.l.joins) {
                    Some(j) => j,
                    None => break,
                }
            } else {
                break;
            };
            let q = skip_space(self.s, next);
            if q == next {
                break;
            }
            p = q;
        }
        words
    }
}
