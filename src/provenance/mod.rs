//! Provenance: aligned passages, cues in the text, direction evidence and the stemma of every
//! family. Builds on a finished [`Analysis`]; pure (documents in, [`Provenance`] out).
//!
//! Per related pair: the two texts are aligned (`crate::align`); passages are split at
//! photo-caption lines and the pieces lying on one are marked `caption`, passages made of k-grams found in more than
//! `boilerplate_max_df` documents are marked `boilerplate` (both weigh little); direction evidence is
//! weighed ([`mod@direction`]) on the substantive passages only: not marked, and at least
//! `min_evidence_passage_tokens` long (shorter shared runs are mostly names and set phrases of
//! the event). Per family: the stemma ([`stemma`]).

pub mod cues;
pub mod direction;
pub mod stemma;

pub use crate::align::{Alignment, Passage, Range32};

use rayon::prelude::*;

use crate::align::{align, AlignParams};
use crate::config::Config;
use crate::corpus::Document;
use crate::error::Result;
use crate::pipeline::{common_of, documents_of, pair_blocks, text_chunks, Analysis};
use crate::profile::{Profiler, TokenView};
use crate::scratch::{Scratch, Sorter, TextStore};
use crate::text::{CharIndex, Token};
use cues::{find_cues, AgencyTable, Cue, CueKind};
use direction::{direction, Credit, Direction, DocFacts, PairFacts};
use stemma::{Member, PairDirection, StemmaEdge};

/// How a passage is discounted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PassageMark {
    /// It lies on a photo-caption or credit line.
    Caption,
    /// Its text recurs across many documents of the corpus.
    Boilerplate,
}

impl PassageMark {
    /// `caption` or `boilerplate`.
    pub fn as_str(self) -> &'static str {
        match self {
            PassageMark::Caption => "caption",
            PassageMark::Boilerplate => "boilerplate",
        }
    }
}

/// The trace of one related pair (same index as in [`Analysis::pairs`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PairTrace {
    /// Aligned passages and coverage.
    pub alignment: Alignment,
    /// One mark (or none) per passage.
    pub marks: Vec<Option<PassageMark>>,
    /// Who derives from whom.
    pub direction: Direction,
}

/// Character offsets `(start, end)` in a text.
pub type CharSpan = (usize, usize);

/// What one pass over a text gives: its cues, their character offsets, its distinct k-grams.
type CueScan = (Vec<Cue>, Vec<CharSpan>, Vec<u64>);

/// Character offsets of a passage in A and in B.
pub type PassageChars = (CharSpan, CharSpan);

/// Everything `trace` adds to an analysis.
///
/// ```
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{analyze, trace, Config, Document, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [Document::new("a", story), Document::new("b", &format!("{story} More."))];
/// let config = Config::default();
/// let analysis = analyze(&docs, &config, &Silent)?;
/// let provenance = trace(&docs, &analysis, &config, &AgencyTable::builtin());
/// for (pair, t) in analysis.pairs.iter().zip(&provenance.pairs) {
///     println!("{} ~ {}: {:?}", pair.a, pair.b, t.direction.verdict);
/// }
/// for edge in &provenance.stemmas[0] {
///     println!("{} <- {:?} ({})", edge.child, edge.parent, edge.kind.as_str());
/// }
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Provenance {
    /// Cues per document (same order as [`Analysis::documents`]).
    pub cues: Vec<Vec<Cue>>,
    /// Character offsets `(start, end)` of each cue (the cues' own offsets are bytes).
    pub cue_chars: Vec<Vec<CharSpan>>,
    /// Character offsets of each passage of each pair (same order as `pairs`).
    pub passage_chars: Vec<Vec<PassageChars>>,
    /// Facts per document used as evidence (outlet, date, credits).
    pub facts: Vec<DocFacts>,
    /// Per related pair.
    pub pairs: Vec<PairTrace>,
    /// Per family: one edge per member.
    pub stemmas: Vec<Vec<StemmaEdge>>,
}

/// Traces every related pair and family of `analysis` (computed on the same `docs`), in
/// memory.
///
/// ```
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{analyze, trace, Config, Document, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [
///     Document::new("agency", story),
///     Document::new("outlet", &format!("{story} (Reuters)")),
/// ];
/// let config = Config::default();
/// let analysis = analyze(&docs, &config, &Silent)?;
/// let provenance = trace(&docs, &analysis, &config, &AgencyTable::builtin());
/// // One trace per related pair, one stemma per family, cues per document.
/// assert_eq!(provenance.pairs.len(), analysis.pairs.len());
/// assert_eq!(provenance.stemmas.len(), analysis.families.len());
/// assert!(!provenance.pairs[0].alignment.passages.is_empty());
/// assert!(provenance.cues[1].iter().any(|c| c.text.contains("Reuters")));
/// # Ok::<(), stemma::Error>(())
/// ```
pub fn trace(
    docs: &[Document],
    analysis: &Analysis,
    config: &Config,
    agencies: &AgencyTable,
) -> Provenance {
    let mut texts = TextStore::new(&Scratch::in_memory());
    for d in docs {
        texts.push_borrowed(&d.text);
    }
    trace_stored(
        docs,
        &texts,
        analysis,
        config,
        agencies,
        &Scratch::in_memory(),
    )
    .expect("texts in memory are always readable")
}

/// Traces every related pair and family of `analysis`, reading the texts from `texts` (by input
/// position, as `crate::pipeline::Ingest::finish` returns them; the texts of `docs` are not
/// read). Pairs are aligned a block at a time, so memory stays bounded by `scratch`.
pub(crate) fn trace_stored(
    docs: &[Document],
    texts: &TextStore,
    analysis: &Analysis,
    config: &Config,
    agencies: &AgencyTable,
    scratch: &Scratch,
) -> Result<Provenance> {
    let text = |d: u32| texts.text(analysis.documents[d as usize].input_index);
    let n = analysis.documents.len();
    let profiler = Profiler::new(&config.fingerprint);
    let params = AlignParams {
        max_passages: config.max_passages_per_pair,
        ..AlignParams::default()
    };
    // One pass over the texts: cues (with character offsets) and the k-grams whose document
    // frequencies mark boilerplate passages.
    let mut cues: Vec<Vec<Cue>> = Vec::with_capacity(n);
    let mut cue_chars: Vec<Vec<CharSpan>> = Vec::with_capacity(n);
    let mut kgrams = Sorter::new(scratch);
    let text_len = |d: usize| texts.text_len(analysis.documents[d].input_index);
    for chunk in text_chunks(n, text_len) {
        let found: Vec<CueScan> = chunk
            .into_par_iter()
            .map(|d| {
                let t = text(d as u32)?;
                let found = find_cues(&t, agencies);
                let index = CharIndex::new(&t);
                let chars = found
                    .iter()
                    .map(|c| (index.char_at(c.start), index.char_at(c.end)))
                    .collect();
                Ok((found, chars, profiler.kgram_set(&t, params.seed_k)))
            })
            .collect::<Result<_>>()?;
        for (c, ch, k) in found {
            cues.push(c);
            cue_chars.push(ch);
            kgrams.extend(k)?;
        }
    }
    let common = common_of(kgrams, config.boilerplate_max_df)?;
    let facts: Vec<DocFacts> = analysis
        .documents
        .iter()
        .zip(&cues)
        .map(|(d, c)| doc_facts(&docs[d.input_index], d.tokens, c, agencies))
        .collect();

    let ctx = PairContext {
        profiler: &profiler,
        params: &params,
        common: &common,
        config,
    };
    let ends: Vec<(u32, u32)> = analysis.pairs.iter().map(|p| (p.a.0, p.b.0)).collect();
    let blocks = pair_blocks(
        &ends,
        |d| text_len(d as usize),
        scratch.memory / TRACE_BYTES_PER_TEXT_BYTE,
    );
    let mut pairs: Vec<PairTrace> = Vec::with_capacity(ends.len());
    let mut passage_chars: Vec<Vec<PassageChars>> = Vec::with_capacity(ends.len());
    for block in blocks {
        let involved = documents_of(&ends[block.clone()]);
        let loaded: Vec<(std::borrow::Cow<str>, TokenView)> = involved
            .par_iter()
            .map(|&d| {
                let t = text(d)?;
                let v = profiler.view(&t);
                Ok((t, v))
            })
            .collect::<Result<_>>()?;
        let index: Vec<CharIndex> = loaded.iter().map(|(t, _)| CharIndex::new(t)).collect();
        let at = |d: u32| involved.binary_search(&d).expect("involved");
        let side = |d: u32| {
            let (t, v) = &loaded[at(d)];
            Side {
                text: t,
                view: v,
                cues: &cues[d as usize],
                facts: &facts[d as usize],
            }
        };
        let traced: Vec<(PairTrace, Vec<PassageChars>)> = analysis.pairs[block]
            .par_iter()
            .map(|p| {
                let t = trace_pair(
                    &side(p.a.0),
                    &side(p.b.0),
                    p.figures.containment_a_in_b,
                    p.figures.containment_b_in_a,
                    &ctx,
                );
                let (ia, ib) = (&index[at(p.a.0)], &index[at(p.b.0)]);
                let chars = t
                    .alignment
                    .passages
                    .iter()
                    .map(|ps| {
                        let span = |ix: &CharIndex, r: crate::align::Range32| {
                            (ix.char_at(r.start as usize), ix.char_at(r.end as usize))
                        };
                        (span(ia, ps.a_bytes), span(ib, ps.b_bytes))
                    })
                    .collect();
                (t, chars)
            })
            .collect();
        for (t, ch) in traced {
            pairs.push(t);
            passage_chars.push(ch);
        }
    }

    let stemmas = analysis
        .families
        .iter()
        .map(|f| {
            let members: Vec<Member> = f
                .members
                .iter()
                .map(|&d| Member {
                    doc: d.0,
                    facts: facts[d].clone(),
                })
                .collect();
            let dirs: Vec<PairDirection> = f
                .pairs
                .iter()
                .map(|&i| PairDirection {
                    a: analysis.pairs[i].a.0,
                    b: analysis.pairs[i].b.0,
                    relation: analysis.pairs[i].relation,
                    direction: pairs[i].direction.clone(),
                    shared: substantive_ranges(&pairs[i], config.min_evidence_passage_tokens),
                })
                .collect();
            stemma::build(&members, &dirs)
        })
        .collect();
    Ok(Provenance {
        cues,
        cue_chars,
        facts,
        pairs,
        passage_chars,
        stemmas,
    })
}

/// Text bytes per block of traced pairs: a view and the alignment's tables take about 24 times
/// the text.
const TRACE_BYTES_PER_TEXT_BYTE: usize = 24;

/// Token ranges (A side, B side) of the substantive passages of a traced pair.
fn substantive_ranges(t: &PairTrace, min_tokens: usize) -> Vec<((u32, u32), (u32, u32))> {
    t.alignment
        .passages
        .iter()
        .zip(&t.marks)
        .filter(|(p, m)| {
            m.is_none()
                && (p.a_tokens.end - p.a_tokens.start).min(p.b_tokens.end - p.b_tokens.start)
                    as usize
                    >= min_tokens
        })
        .map(|(p, _)| {
            (
                (p.a_tokens.start, p.a_tokens.end),
                (p.b_tokens.start, p.b_tokens.end),
            )
        })
        .collect()
}

/// One side of a pair.
struct Side<'a> {
    text: &'a str,
    view: &'a TokenView,
    cues: &'a [Cue],
    facts: &'a DocFacts,
}

/// What every pair of one run shares.
struct PairContext<'a> {
    profiler: &'a Profiler,
    params: &'a AlignParams,
    common: &'a [u64],
    config: &'a Config,
}

fn trace_pair(
    a: &Side,
    b: &Side,
    containment_a_in_b: f64,
    containment_b_in_a: f64,
    ctx: &PairContext,
) -> PairTrace {
    let mut alignment = align(&a.view.tokens, &b.view.tokens, ctx.params);
    let caption = split_at_captions(&mut alignment, a, b, ctx.params);
    let marks: Vec<Option<PassageMark>> = alignment
        .passages
        .iter()
        .zip(caption)
        .map(|(ps, caption)| {
            let (start, end) = (ps.a_tokens.start as usize, ps.a_tokens.end as usize);
            if caption {
                Some(PassageMark::Caption)
            } else if is_boilerplate(
                a.view,
                start,
                end,
                ctx.params.seed_k,
                ctx.common,
                ctx.profiler,
            ) {
                Some(PassageMark::Boilerplate)
            } else {
                None
            }
        })
        .collect();
    let mut pf = pair_facts(
        containment_a_in_b,
        containment_b_in_a,
        &alignment,
        &marks,
        a.view.tokens.len(),
        b.view.tokens.len(),
        ctx.config.min_evidence_passage_tokens,
    );
    pf.copied_credits_a = copied_credits(a.cues, alignment.passages.iter().map(|p| p.a_bytes));
    pf.copied_credits_b = copied_credits(b.cues, alignment.passages.iter().map(|p| p.b_bytes));
    let direction = direction(a.facts, b.facts, &pf);
    PairTrace {
        alignment,
        marks,
        direction,
    }
}

/// Two documents compared directly, related or not.
///
/// ```
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{compare, Config, Document};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let a = Document::new("a", story);
/// let b = Document::new("b", "Rain is expected in the hills on Sunday, with snow above a thousand metres.");
/// let c = compare(&a, &b, &Config::default(), &AgencyTable::builtin());
/// assert_eq!(c.relation, None);
/// assert!(c.trace.alignment.passages.is_empty());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Comparison {
    /// Exact figures.
    pub figures: crate::relate::PairFigures,
    /// The relation, if any.
    pub relation: Option<crate::relate::Relation>,
    /// Passages, marks and direction.
    pub trace: PairTrace,
    /// Cues of A and of B.
    pub cues: [Vec<Cue>; 2],
    /// Facts of A and of B.
    pub facts: [DocFacts; 2],
}

/// Compares two documents: figures, relation, passages, cues and direction evidence.
///
/// ```
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{compare, Config, Document, Relation};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let a = Document::new("agency", story);
/// let b = Document::new("outlet", &format!("(Outlet) - {story}"));
/// let c = compare(&a, &b, &Config::default(), &AgencyTable::builtin());
/// assert_eq!(c.relation, Some(Relation::NearDuplicate));
/// assert!(c.trace.alignment.coverage_a > 0.9);
/// ```
pub fn compare(a: &Document, b: &Document, config: &Config, agencies: &AgencyTable) -> Comparison {
    let profiler = Profiler::new(&config.fingerprint);
    let params = AlignParams {
        max_passages: config.max_passages_per_pair,
        ..AlignParams::default()
    };
    let (va, vb) = (profiler.view(&a.text), profiler.view(&b.text));
    let figures = crate::relate::measure(&va, &vb, config.fingerprint.shingle.k, &config.relations);
    let relation = crate::relate::relate(&figures, &config.relations);
    let cues = [find_cues(&a.text, agencies), find_cues(&b.text, agencies)];
    let facts = [
        doc_facts(a, va.tokens.len(), &cues[0], agencies),
        doc_facts(b, vb.tokens.len(), &cues[1], agencies),
    ];
    let ctx = PairContext {
        profiler: &profiler,
        params: &params,
        common: &[],
        config,
    };
    let trace = trace_pair(
        &Side {
            text: &a.text,
            view: &va,
            cues: &cues[0],
            facts: &facts[0],
        },
        &Side {
            text: &b.text,
            view: &vb,
            cues: &cues[1],
            facts: &facts[1],
        },
        figures.containment_a_in_b,
        figures.containment_b_in_a,
        &ctx,
    );
    Comparison {
        figures,
        relation,
        trace,
        cues,
        facts,
    }
}

/// Outlet, date and credits of a document: metadata wins over cues in the text.
fn doc_facts(doc: &Document, tokens: usize, cues: &[Cue], agencies: &AgencyTable) -> DocFacts {
    let resolve = |s: &str| {
        agencies
            .resolve(s)
            .map(str::to_string)
            .unwrap_or_else(|| s.trim().to_string())
    };
    let outlet = doc.meta.outlet.as_deref().map(resolve).or_else(|| {
        cues.iter()
            .find(|c| c.kind == CueKind::OutletTag)
            .and_then(|c| c.source.as_deref().map(resolve))
    });
    let published = doc
        .meta
        .published_at
        .as_deref()
        .filter(|d| is_iso_date(d))
        .map(|d| d.get(..16).unwrap_or(d).replace(' ', "T"))
        .or_else(|| {
            // The most precise full date found in the text.
            cues.iter()
                .filter(|c| c.kind == CueKind::Date)
                .filter_map(|c| c.value.clone())
                .filter(|v| is_iso_date(v))
                .max_by_key(|v| v.len())
        });
    let mut credits: Vec<Credit> = Vec::new();
    for c in cues {
        let photo_only = match c.kind {
            CueKind::Credit | CueKind::SignOff => false,
            CueKind::PhotoCredit => true,
            _ => continue,
        };
        let Some(source) = &c.source else { continue };
        match credits
            .iter_mut()
            .find(|x| x.source.eq_ignore_ascii_case(source))
        {
            Some(x) if x.photo_only && !photo_only => {
                *x = Credit {
                    source: source.clone(),
                    text: c.text.clone(),
                    photo_only,
                };
            }
            Some(_) => {}
            None => credits.push(Credit {
                source: source.clone(),
                text: c.text.clone(),
                photo_only,
            }),
        }
    }
    DocFacts {
        id: doc.id.clone(),
        outlet,
        published,
        credits,
        tokens,
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Byte ranges `(start, end)` of the lines of `text` that carry a photo credit: sorted,
/// overlapping ranges merged (a credit spanning a line break takes both lines).
fn caption_lines(text: &str, cues: &[Cue]) -> Vec<(usize, usize)> {
    let mut lines: Vec<(usize, usize)> = cues
        .iter()
        .filter(|c| c.kind == CueKind::PhotoCredit)
        .map(|c| {
            let start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
            let end = text[c.end..].find('\n').map_or(text.len(), |i| c.end + i);
            (start, end)
        })
        .collect();
    lines.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
    for (s, e) in lines {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// True when byte range `r` overlaps one of `lines`.
fn touches(lines: &[(usize, usize)], r: Range32) -> bool {
    let i = lines.partition_point(|l| l.0 < r.end as usize);
    i > 0 && lines[i - 1].1 > r.start as usize
}

/// True when `t` lies on one of `lines`.
fn on_line(lines: &[(usize, usize)], t: &Token) -> bool {
    let i = lines.partition_point(|l| l.0 <= t.start as usize);
    i > 0 && t.end as usize <= lines[i - 1].1
}

/// The tokens of a passage matched exactly, as `(position in A, position in B)` in order on
/// both sides: exact runs followed from the passage's start, each edit skipped to the nearest
/// match of `k` tokens within `gap` tokens on each side (how [`align`] joins runs into a
/// passage).
fn passage_matches(
    ha: &[u64],
    hb: &[u64],
    ps: &crate::align::Passage,
    k: usize,
    gap: usize,
) -> Vec<(usize, usize)> {
    let (end_a, end_b) = (ps.a_tokens.end as usize, ps.b_tokens.end as usize);
    let (mut i, mut j) = (ps.a_tokens.start as usize, ps.b_tokens.start as usize);
    let mut out = Vec::with_capacity(end_a - i);
    loop {
        while i < end_a && j < end_b && ha[i] == hb[j] {
            out.push((i, j));
            (i, j) = (i + 1, j + 1);
        }
        if i >= end_a || j >= end_b {
            return out;
        }
        // Nearest resumption: fewest skipped tokens, a substitution before an insertion.
        let mut next = None;
        'search: for skipped in 1..=2 * gap {
            let mut steps: Vec<(usize, usize)> = (skipped.saturating_sub(gap)..=skipped.min(gap))
                .map(|di| (di, skipped - di))
                .collect();
            steps.sort_by_key(|&(di, dj)| (di.abs_diff(dj), di));
            for (di, dj) in steps {
                let (x, y) = (i + di, j + dj);
                if x + k <= end_a && y + k <= end_b && ha[x..x + k] == hb[y..y + k] {
                    next = Some((x, y));
                    break 'search;
                }
            }
        }
        match next {
            Some((x, y)) => (i, j) = (x, y),
            None => return out,
        }
    }
}

/// Splits every passage that runs across a photo-caption line (a line carrying a photo credit,
/// in A or in B) into pieces at the line's boundaries: the pieces on the caption lines are
/// captions, the others stay evidence. Each piece starts and ends on exactly matched tokens
/// (the first piece starts and the last ends where the passage did); passages stay sorted and
/// disjoint, and the coverage is recomputed. Returns, per passage, whether it is a caption.
fn split_at_captions(al: &mut Alignment, a: &Side, b: &Side, params: &AlignParams) -> Vec<bool> {
    let (lines_a, lines_b) = (caption_lines(a.text, a.cues), caption_lines(b.text, b.cues));
    if lines_a.is_empty() && lines_b.is_empty() {
        return vec![false; al.passages.len()];
    }
    let (ta, tb) = (&a.view.tokens, &b.view.tokens);
    let hashes = |t: &[Token]| t.iter().map(|t| t.hash).collect::<Vec<u64>>();
    let (ha, hb) = (hashes(ta), hashes(tb));
    let k = params.seed_k.max(1);
    let mut passages = Vec::with_capacity(al.passages.len());
    let mut caption = Vec::with_capacity(al.passages.len());
    let mut split = false;
    for ps in std::mem::take(&mut al.passages) {
        if !touches(&lines_a, ps.a_bytes) && !touches(&lines_b, ps.b_bytes) {
            passages.push(ps);
            caption.push(false);
            continue;
        }
        let m = passage_matches(&ha, &hb, &ps, k, params.max_gap_tokens);
        let on = |&(i, j): &(usize, usize)| on_line(&lines_a, &ta[i]) || on_line(&lines_b, &tb[j]);
        let mut pieces: Vec<(usize, usize, bool)> = Vec::new(); // matched index range, caption
        for (x, pair) in m.iter().enumerate() {
            let c = on(pair);
            match pieces.last_mut() {
                Some(last) if last.2 == c => last.1 = x + 1,
                _ => pieces.push((x, x + 1, c)),
            }
        }
        if pieces.len() < 2 {
            // All on a caption line, or none of its matched tokens is (a caption line inserted
            // in one text only, inside an edit, is not copied text).
            caption.push(pieces.first().is_some_and(|p| p.2));
            passages.push(ps);
            continue;
        }
        split = true;
        let last = pieces.len() - 1;
        for (n, &(s, e, c)) in pieces.iter().enumerate() {
            let (a0, b0) = if n == 0 {
                (ps.a_tokens.start, ps.b_tokens.start)
            } else {
                (m[s].0 as u32, m[s].1 as u32)
            };
            let (a1, b1) = if n == last {
                (ps.a_tokens.end, ps.b_tokens.end)
            } else {
                (m[e - 1].0 as u32 + 1, m[e - 1].1 as u32 + 1)
            };
            let bytes = |t: &[Token], s: u32, e: u32| Range32 {
                start: t[s as usize].start,
                end: t[e as usize - 1].end,
            };
            let matched_tokens = (e - s) as u32;
            passages.push(crate::align::Passage {
                a_tokens: Range32 { start: a0, end: a1 },
                b_tokens: Range32 { start: b0, end: b1 },
                a_bytes: bytes(ta, a0, a1),
                b_bytes: bytes(tb, b0, b1),
                matched_tokens,
                exactness: f64::from(matched_tokens) / f64::from((a1 - a0).max(b1 - b0)),
            });
            caption.push(c);
        }
    }
    if split {
        let coverage = |n: usize, side: fn(&crate::align::Passage) -> Range32| {
            let covered: u64 = passages
                .iter()
                .map(|p| u64::from(side(p).end - side(p).start))
                .sum();
            covered as f64 / n.clamp(1, crate::align::MAX_TOKENS) as f64
        };
        al.coverage_a = coverage(ta.len(), |p| p.a_tokens);
        al.coverage_b = coverage(tb.len(), |p| p.b_tokens);
    }
    al.passages = passages;
    caption
}

/// Sources a text credits only by photo credits inside the given passages (byte ranges),
/// sorted: the caption may have been copied along with the text. (A text credit says where the
/// text comes from, copied or not; a picture credit copied with its caption says nothing.)
fn copied_credits(cues: &[Cue], passages: impl Iterator<Item = Range32>) -> Vec<String> {
    let ranges: Vec<Range32> = passages.collect();
    let inside = |c: &Cue| {
        c.kind == CueKind::PhotoCredit
            && ranges
                .iter()
                .any(|r| r.start as usize <= c.start && c.end <= r.end as usize)
    };
    let credits = || {
        cues.iter().filter(|c| {
            matches!(
                c.kind,
                CueKind::Credit | CueKind::SignOff | CueKind::PhotoCredit
            )
        })
    };
    let mut out: Vec<String> = credits()
        .filter_map(|c| c.source.as_ref())
        .filter(|s| {
            credits()
                .filter(|c| c.source.as_ref().is_some_and(|x| x.eq_ignore_ascii_case(s)))
                .all(inside)
        })
        .cloned()
        .collect();
    out.sort();
    out.dedup_by(|x, y| x.eq_ignore_ascii_case(y));
    out
}

/// True when most k-grams of tokens `start..end` of `view` are common across the corpus.
fn is_boilerplate(
    view: &TokenView,
    start: usize,
    end: usize,
    k: usize,
    common: &[u64],
    profiler: &Profiler,
) -> bool {
    if common.is_empty() || end < start + k {
        return false;
    }
    let hashes: Vec<u64> = view.tokens[start..end].iter().map(|t| t.hash).collect();
    let mut kgrams = Vec::new();
    crate::shingle::shingle_hashes(&hashes, k, profiler.params().seed, &mut kgrams);
    let n_common = kgrams
        .iter()
        .filter(|h| common.binary_search(h).is_ok())
        .count();
    n_common * 2 > kgrams.len()
}

fn pair_facts(
    containment_a_in_b: f64,
    containment_b_in_a: f64,
    alignment: &Alignment,
    marks: &[Option<PassageMark>],
    tokens_a: usize,
    tokens_b: usize,
    min_tokens: usize,
) -> PairFacts {
    let substantive: Vec<_> = alignment
        .passages
        .iter()
        .zip(marks)
        .filter(|(ps, m)| {
            m.is_none()
                && (ps.a_tokens.end - ps.a_tokens.start).min(ps.b_tokens.end - ps.b_tokens.start)
                    as usize
                    >= min_tokens
        })
        .map(|(ps, _)| ps)
        .collect();
    let covered = |f: &dyn Fn(&crate::align::Passage) -> u32| {
        substantive.iter().map(|ps| f(ps) as usize).sum::<usize>()
    };
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let mut by_a = substantive.clone();
    by_a.sort_by_key(|ps| ps.a_tokens.start);
    PairFacts {
        containment_a_in_b,
        containment_b_in_a,
        coverage_a: ratio(covered(&|ps| ps.a_tokens.end - ps.a_tokens.start), tokens_a),
        coverage_b: ratio(covered(&|ps| ps.b_tokens.end - ps.b_tokens.start), tokens_b),
        passages: alignment.passages.len(),
        substantive_passages: substantive.len(),
        weak_passages: marks.iter().filter(|m| m.is_some()).count(),
        in_order: by_a
            .windows(2)
            .all(|w| w[0].b_tokens.start < w[1].b_tokens.start),
        ..PairFacts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Paragraphs of made-up words, with photo-caption lines among them.
    fn text(paras: &[(Vec<u8>, bool)]) -> String {
        paras
            .iter()
            .map(|(words, caption)| {
                let body: Vec<String> = words.iter().map(|w| format!("w{w}")).collect();
                let body = body.join(" ");
                if *caption {
                    format!("{body}. Photo: Reuters")
                } else {
                    format!("{body}.")
                }
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    proptest! {
        /// Split passages keep the alignment's invariants: sorted by A, disjoint on both sides,
        /// byte ranges from their tokens, coverage from their lengths, starting and ending on
        /// equal tokens; caption pieces have every matched token on a caption line, the others
        /// none.
        #[test]
        fn caption_splits_keep_passage_invariants(
            paras in proptest::collection::vec((proptest::collection::vec(0u8..200, 3..40), proptest::bool::weighted(0.3)), 1..10),
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<proptest::sample::Index>(), 0u8..200), 0..4),
            drop_caption in any::<bool>(),
        ) {
            let a = text(&paras);
            let mut edited = paras.clone();
            for (p, w, t) in &edits {
                let p = p.index(edited.len());
                let w = w.index(edited[p].0.len());
                edited[p].0[w] = *t;
            }
            if drop_caption {
                if let Some(p) = edited.iter_mut().find(|p| p.1) {
                    p.1 = false;
                }
            }
            let b = text(&edited);
            let config = Config::default();
            let c = compare(&Document::new("a", a.clone()), &Document::new("b", b.clone()), &config, &AgencyTable::builtin());
            let al = &c.trace.alignment;
            prop_assert_eq!(al.passages.len(), c.trace.marks.len());
            let profiler = Profiler::new(&config.fingerprint);
            let (va, vb) = (profiler.view(&a), profiler.view(&b));
            let lines = [caption_lines(&a, &c.cues[0]), caption_lines(&b, &c.cues[1])];
            prop_assert!(al.passages.windows(2).all(|w| w[0].a_tokens.start < w[1].a_tokens.start));
            for (side, toks) in [(0, &va.tokens), (1, &vb.tokens)] {
                let r = |p: &crate::align::Passage| if side == 0 { (p.a_tokens, p.a_bytes) } else { (p.b_tokens, p.b_bytes) };
                let mut spans: Vec<Range32> = al.passages.iter().map(|p| r(p).0).collect();
                spans.sort_by_key(|s| s.start);
                prop_assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "overlap");
                for p in &al.passages {
                    let (t, bytes) = r(p);
                    prop_assert!(t.start < t.end && t.end as usize <= toks.len());
                    prop_assert_eq!(bytes, Range32 { start: toks[t.start as usize].start, end: toks[t.end as usize - 1].end });
                }
                let covered: u64 = al.passages.iter().map(|p| u64::from(r(p).0.end - r(p).0.start)).sum();
                let coverage = if side == 0 { al.coverage_a } else { al.coverage_b };
                prop_assert_eq!(coverage, covered as f64 / toks.len().max(1) as f64);
            }
            let hash = |t: &[Token], i: u32| t[i as usize].hash;
            for (p, mark) in al.passages.iter().zip(&c.trace.marks) {
                prop_assert_eq!(hash(&va.tokens, p.a_tokens.start), hash(&vb.tokens, p.b_tokens.start));
                prop_assert_eq!(hash(&va.tokens, p.a_tokens.end - 1), hash(&vb.tokens, p.b_tokens.end - 1));
                prop_assert!(p.matched_tokens <= (p.a_tokens.end - p.a_tokens.start).min(p.b_tokens.end - p.b_tokens.start));
                let m = passage_matches(&va.tokens.iter().map(|t| t.hash).collect::<Vec<_>>(), &vb.tokens.iter().map(|t| t.hash).collect::<Vec<_>>(), p, 5, 6);
                let on = |&(i, j): &(usize, usize)| on_line(&lines[0], &va.tokens[i]) || on_line(&lines[1], &vb.tokens[j]);
                if *mark == Some(PassageMark::Caption) {
                    prop_assert!(m.iter().all(on), "caption piece off its line");
                } else {
                    prop_assert!(!m.iter().any(on), "evidence piece on a caption line: {:?}", p);
                }
            }
        }
    }
}
