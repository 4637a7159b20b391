//! The phrase index: every anchor phrase of the [`super::tables`] and every agency alias,
//! folded, in NFC and NFD, keyed by its first word (or first CJK character or symbol), so a
//! text is scanned once with one hash lookup per word; and the [`AgencyTable`] built on it.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::scan::{fold, is_cjk, is_word, line_start, match_at, normalize_name, variants};
use super::tables::*;
use super::{Agency, AgencyTable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    Agency(usize),
    Soft,
    Hard,
    Photo,
    SignLead,
    ByLead,
    Month(u32),
    MonthWord,
}
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub(super) pat: String,
    pub(super) cs: bool,
    pub(super) tag: Tag,
}
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) tag: Tag,
}
/// Word lists checked at given positions (folded, NFC and NFD).
#[derive(Debug, Clone)]
pub(super) struct Lists {
    pub(super) postfix: Vec<String>,
    pub(super) media: Vec<String>,
    pub(super) tails: Vec<String>,
    pub(super) articles: Vec<String>,
    pub(super) triggers: Vec<String>,
    pub(super) ranges: Vec<String>,
    pub(super) joins: Vec<String>,
}
/// Anchor phrases keyed by their first word (or first CJK character), folded.
#[derive(Debug, Clone)]
pub(super) struct Lexicon {
    pub(super) by_key: HashMap<String, Vec<Entry>>,
    /// Whether some phrase starts with a symbol ("©"): then symbols are looked up too.
    pub(super) symbols: bool,
    pub(super) lists: Lists,
}

pub(super) fn key_of(folded: &str) -> Option<&str> {
    let c = folded.chars().next()?;
    if is_cjk(c) || !(is_word(c) || c.is_whitespace()) {
        return Some(&folded[..c.len_utf8()]);
    }
    let end = folded
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(folded.len(), |(i, _)| i);
    (end > 0).then(|| &folded[..end])
}

impl Lexicon {
    pub(super) fn add(&mut self, pat: &str, tag: Tag, cs: bool) {
        for v in [pat.nfc().collect::<String>(), pat.nfd().collect::<String>()] {
            let f = fold(&v);
            let Some(key) = key_of(&f) else { continue };
            self.symbols |= !key.starts_with(|c: char| is_word(c) || is_cjk(c));
            let entry = Entry {
                pat: if cs { v.clone() } else { f.clone() },
                cs,
                tag,
            };
            let list = self.by_key.entry(key.to_string()).or_default();
            if !list.contains(&entry) {
                list.push(entry);
            }
        }
    }

    /// All anchor phrases in the text, sorted by start. One hash lookup per word.
    pub(super) fn scan(&self, text: &str, folded: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut look = |key: &str, at: usize| {
            for e in self.by_key.get(key).into_iter().flatten() {
                let hay = if e.cs { text } else { folded };
                if let Some(end) = match_at(hay, at, &e.pat) {
                    if e.tag != Tag::ByLead || line_start(text, at) {
                        hits.push(Hit {
                            start: at,
                            end,
                            tag: e.tag,
                        });
                    }
                }
            }
        };
        let mut run: Option<usize> = None;
        for (i, c) in folded
            .char_indices()
            .chain(std::iter::once((folded.len(), ' ')))
        {
            if is_word(c) {
                run.get_or_insert(i);
                continue;
            }
            if let Some(st) = run.take() {
                look(&folded[st..i], st);
            }
            if is_cjk(c) || (self.symbols && !c.is_whitespace() && i < folded.len()) {
                look(&folded[i..i + c.len_utf8()], i);
            }
        }
        hits
    }
}

impl AgencyTable {
    /// The built-in table (~50 agencies, including VNA = TTXVN = Vietnam News Agency =
    /// Thông tấn xã Việt Nam, Reuters, AP, AFP, Xinhua = 新华社, dpa, Kyodo = 共同通信, Yonhap
    /// = 연합뉴스, EFE, ANTARA, Bernama, and the photo agencies EPA and Getty Images).
    pub fn builtin() -> Self {
        let agencies = BUILTIN
            .iter()
            .map(|row| {
                let mut names = row.split('|').map(str::to_string);
                let name = names.next().unwrap_or_default();
                Agency {
                    name,
                    aliases: names.collect(),
                }
            })
            .collect();
        Self::from_agencies(agencies)
    }

    /// The table with `extra` added. An extra agency whose name equals an existing one
    /// (case-insensitively) adds its aliases to it. When two agencies claim one alias, the later
    /// one in the table wins (extra agencies come after the built-ins).
    pub fn with_extra(self, extra: Vec<Agency>) -> Self {
        let mut agencies = self.agencies;
        for e in extra.into_iter().filter(|e| !e.name.trim().is_empty()) {
            match agencies.iter_mut().find(|a| fold(&a.name) == fold(&e.name)) {
                Some(a) => a.aliases.extend(e.aliases),
                None => agencies.push(e),
            }
        }
        Self::from_agencies(agencies)
    }

    /// The canonical name of the agency `name` is an alias of.
    pub fn resolve(&self, name: &str) -> Option<&str> {
        let n = normalize_name(name);
        let (idx, orig, cs) = self.by_alias.get(&fold(&n))?;
        (!cs || *orig == n).then(|| self.agencies[*idx].name.as_str())
    }

    /// The agencies, in table order.
    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }

    fn from_agencies(agencies: Vec<Agency>) -> Self {
        let mut by_alias = HashMap::new();
        for (i, a) in agencies.iter().enumerate() {
            for alias in std::iter::once(&a.name).chain(&a.aliases) {
                let n = normalize_name(alias);
                let cs = n.chars().count() <= 3 && !n.chars().any(char::is_lowercase);
                if !n.is_empty() {
                    by_alias.insert(fold(&n), (i, n, cs));
                }
            }
        }
        let lists = Lists {
            postfix: variants(POSTFIX),
            media: variants(MEDIA_NOUNS),
            tails: variants(MEDIA_TAILS),
            articles: variants(ARTICLES),
            triggers: variants(DATE_TRIGGERS),
            ranges: variants(RANGE_WORDS),
            joins: variants(BY_JOINS),
        };
        let mut lex = Lexicon {
            by_key: HashMap::new(),
            symbols: false,
            lists,
        };
        let mut aliases: Vec<_> = by_alias.values().collect();
        aliases.sort();
        for (idx, orig, cs) in aliases {
            lex.add(orig, Tag::Agency(*idx), *cs);
        }
        let tables = [
            (SOFT, Tag::Soft),
            (HARD, Tag::Hard),
            (PHOTO, Tag::Photo),
            (SIGN_LEADS, Tag::SignLead),
            (BY_LEADS, Tag::ByLead),
        ];
        for (list, tag) in tables {
            for p in list.split('|') {
                lex.add(p, tag, false);
            }
        }
        for (m, names) in MONTHS.iter().enumerate() {
            for n in names.split(' ') {
                lex.add(n, Tag::Month(m as u32 + 1), false);
            }
        }
        lex.add("tháng", Tag::MonthWord, false);
        AgencyTable {
            agencies,
            by_alias,
            lex,
        }
    }

    pub(super) fn photo_only(&self, idx: usize) -> bool {
        PHOTO_ONLY.split('|').any(|n| n == self.agencies[idx].name)
    }
}

impl Default for AgencyTable {
    fn default() -> Self {
        Self::builtin()
    }
}
