//! Querying an index: for each query document, the indexed documents it relates to, with the
//! relation and exact figures `scan` would give the pair.
//!
//! Oracle: for a corpus split into X (indexed) and Y (queried), `query(index(X), Y)` reports
//! exactly the pairs (x, y) that `scan(X ∪ Y)` reports, with the same relation, figures,
//! MinHash estimate, SimHash distance and candidate sources. To get there, the statistics scan
//! computes over the whole corpus are computed over X ∪ Y here:
//!
//! - candidates: the same four generators. LSH: the query's band keys
//!   ([`crate::candidates::lsh::band_key`]) looked up in each segment's sorted band tables;
//!   SimHash: every live indexed document within the Hamming distance (a linear pass over
//!   8 bytes per document); postings: winnowed fingerprints whose document frequency over
//!   X ∪ Y (live postings of every segment + the query batch's own) is at most `max_df`, pairs
//!   sharing at least `min_shared_fingerprints` of them; rare bigrams: the partners chosen
//!   over X ∪ Y by `index::against` (from the segments' bigram postings).
//! - verification: token views from the stored text (or the stored shingle sequence and bigram
//!   set with `--no-text`); a bigram is dropped as common when its document frequency over
//!   X ∪ Y (segment bigram counts − deleted documents' bigrams + the query batch's) exceeds
//!   `bigram_max_df`, and only when X ∪ Y has more than `bigram_max_df` documents, as in scan.
//!   Figures are measured with the smaller id as `a`, as scan orders pairs.
//!
//! - oversized buckets: scan reduces an LSH bucket of more than `max_bucket` distinct texts, or
//!   a SimHash block run of more than `max_bucket` documents, to a star from its smallest
//!   member; the same rule is applied over X ∪ Y here (see `Buckets`), only when X ∪ Y has
//!   more than `max_bucket` documents.
//! - identical copies carry the figures scan gives them ([`PairFigures::identical`]).
//!
//! Not reported (by design): pairs among query
//! documents are not reported (only indexed x query). A query document may share an id with an
//! indexed one (scan would refuse the union); it is then still compared as a different document.

use rayon::prelude::*;

use crate::config::Config;
use crate::corpus::{Document, Meta};
use crate::error::Result;
use crate::pipeline::Sources;
use crate::profile::{Profile, Profiler, TokenView};
use crate::relate::{judge, measure, PairFigures, Relation};
use crate::sketch::simhash::hamming;
use crate::sketch::Signature;

use super::against::{self, Batch, Union};
use super::Index;

/// One indexed document related to a query document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Match {
    /// Segment number (in manifest order).
    pub segment: usize,
    /// Document number in the segment.
    pub doc: u32,
    /// The indexed document's id.
    pub id: String,
    /// The indexed document's metadata.
    pub meta: Meta,
    /// The indexed document's text, when the index stores texts.
    pub text: Option<String>,
    /// The relation.
    pub relation: Relation,
    /// True when the query document is `a` of the figures (its id sorts first).
    pub query_is_a: bool,
    /// Exact figures, `a` = the smaller id (as scan orders pairs).
    pub figures: PairFigures,
    /// MinHash estimate.
    pub estimated_jaccard: f64,
    /// SimHash Hamming distance.
    pub simhash_distance: u32,
    /// Candidate generators that proposed the pair.
    pub sources: Sources,
    /// Probability that the pair is reuse.
    pub confidence: f64,
    /// The rule that decided.
    pub rule: String,
}

/// The matches of one query document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct QueryResult {
    /// Position of the query document in the input.
    pub input_index: usize,
    /// Its id.
    pub id: String,
    /// Its token count.
    pub tokens: usize,
    /// Matches, sorted by indexed id.
    pub matches: Vec<Match>,
}

/// How many times each value of `sorted` occurs equal to `h`.
fn count_in(sorted: &[u64], h: u64) -> usize {
    sorted.partition_point(|&x| x <= h) - sorted.partition_point(|&x| x < h)
}

/// Relates each of `docs` to the indexed documents. Results are in id order of the queries.
pub fn query(index: &Index, docs: &[Document], config: &Config) -> Result<Vec<QueryResult>> {
    config.validate()?;
    index.check_config(config)?;
    let profiler = Profiler::new(&config.fingerprint);
    let batch = Batch::new(docs, &profiler)?;
    let union = against::union(index, &batch, config)?;
    query_batch(index, &batch, &union, config)
}

/// [`query`] for a batch already fingerprinted, with its `Union` (what `scan --against`
/// computes once for both its batch pairs and the index matches).
pub fn query_batch(
    index: &Index,
    batch: &Batch,
    union: &Union,
    config: &Config,
) -> Result<Vec<QueryResult>> {
    config.validate()?;
    index.check_config(config)?;
    let docs = batch.docs;
    let order = &batch.order;
    let profiler = Profiler::new(&config.fingerprint);
    let profiles = &batch.profiles;
    let live = |s: usize, d: u32| !index.deleted[s][d as usize];

    // Document frequencies of winnowed fingerprints over X ∪ Y.
    let mut y_fps: Vec<u64> = profiles
        .iter()
        .flat_map(|p| p.winnowed.iter().copied())
        .collect();
    y_fps.sort_unstable();
    let fp_df = |h: u64| -> Result<usize> {
        let mut x = count_in(&y_fps, h);
        for (s, seg) in index.segments.iter().enumerate() {
            x += seg
                .postings()
                .range(h)?
                .iter()
                .filter(|r| live(s, r.1))
                .count();
        }
        Ok(x)
    };

    // Common bigrams over X ∪ Y (only bigrams of views we verify are looked up).
    let total = index.live() as usize + docs.len();
    let bigram_df = if total > config.bigram_max_df {
        let mut y_bigrams: Vec<u64> = batch.bigrams.iter().flatten().copied().collect();
        y_bigrams.sort_unstable();
        let mut gone: Vec<u64> = Vec::new();
        for (s, seg) in index.segments.iter().enumerate() {
            for d in index.deleted[s].iter_ones() {
                gone.extend(seg.view(d as u32, &profiler)?.0.bigram_set);
            }
        }
        gone.sort_unstable();
        Some((y_bigrams, gone))
    } else {
        None
    };
    let drop_common = |v: &mut TokenView| -> Result<()> {
        if let Some((yb, gone)) = &bigram_df {
            let mut keep = Vec::with_capacity(v.bigram_set.len());
            let mut weights = Vec::with_capacity(v.bigram_set.len());
            for &h in &v.bigram_set {
                let mut x = count_in(yb, h);
                for seg in &index.segments {
                    x += seg
                        .bigram_counts()
                        .range(h)?
                        .first()
                        .map_or(0, |r| r.1 as usize);
                }
                let df = x.saturating_sub(count_in(gone, h));
                if df <= config.bigram_max_df {
                    keep.push(h);
                    weights.push(df);
                }
            }
            v.bigram_set = keep;
            // idf weights over X ∪ Y, as scan computes them.
            let mut dfs = weights.into_iter();
            v.weigh_bigrams(total, |_| dfs.next().unwrap_or(1));
        }
        Ok(())
    };

    let crate::config::Banding { bands, rows } = index.manifest.banding;
    let k = config.fingerprint.shingle.k;
    // Scan reduces buckets of more than `max_bucket` documents to stars; reproduce that only
    // when X ∪ Y is big enough to hold such a bucket.
    let active = index.live() as usize + docs.len() > config.max_bucket;
    let buckets = Buckets {
        index,
        docs,
        order,
        profiles,
        max_bucket: config.max_bucket,
        active,
        batch_keys: if active {
            batch_band_keys(profiles, bands, rows)
        } else {
            Vec::new()
        },
        blocks: crate::candidates::hamming::blocks(config.simhash_max_distance),
    };
    order
        .par_iter()
        .zip(profiles)
        .enumerate()
        .map(|(pos, (&i, p))| {
            let doc = &docs[i];
            // Candidates: (segment, doc) -> sources, plus shared fingerprint counts.
            let mut cands: Vec<(usize, u32, Sources)> = Vec::new();
            if p.tokens > 0 {
                let mut scratch = Vec::new();
                for band in 0..bands {
                    let key = crate::candidates::lsh::band_key(
                        &p.signature.0[band * rows..(band + 1) * rows],
                        band,
                        &mut scratch,
                    );
                    let mut members: Vec<(usize, u32)> = Vec::new();
                    for (s, seg) in index.segments.iter().enumerate() {
                        for r in seg.band(band).range(key)? {
                            if live(s, r.1) {
                                members.push((s, r.1));
                            }
                        }
                    }
                    for (s, d) in buckets.lsh_bucket(pos, band, key, members)? {
                        cands.push((s, d, Sources::LSH));
                    }
                }
                let mut close: Vec<(usize, u32)> = Vec::new();
                for (s, seg) in index.segments.iter().enumerate() {
                    for (d, &h) in seg.simhashes().iter().enumerate() {
                        if hamming(h, p.simhash) <= config.simhash_max_distance
                            && !seg.has_no_tokens(d as u32)
                            && live(s, d as u32)
                        {
                            close.push((s, d as u32));
                        }
                    }
                }
                for (s, d) in buckets.simhash_runs(pos, close)? {
                    cands.push((s, d, Sources::SIMHASH));
                }
            }
            // Rewrite candidates, chosen over X ∪ Y.
            for &(s, d) in &union.indexed[pos] {
                cands.push((s, d, Sources::BIGRAMS));
            }
            let mut shared: Vec<(usize, u32)> = Vec::new();
            for &h in &p.winnowed {
                if fp_df(h)? > config.max_df {
                    continue;
                }
                for (s, seg) in index.segments.iter().enumerate() {
                    for r in seg.postings().range(h)? {
                        if live(s, r.1) {
                            shared.push((s, r.1));
                        }
                    }
                }
            }
            shared.sort_unstable();
            let min_shared = config.min_shared_fingerprints.max(1) as usize;
            for run in shared.chunk_by(|a, b| a == b) {
                if run.len() >= min_shared {
                    cands.push((run[0].0, run[0].1, Sources::POSTINGS));
                }
            }
            cands.sort_unstable_by_key(|c| (c.0, c.1));
            let mut merged: Vec<(usize, u32, Sources)> = Vec::new();
            for c in cands {
                match merged.last_mut() {
                    Some(last) if (last.0, last.1) == (c.0, c.1) => last.2 = last.2.union(c.2),
                    _ => merged.push(c),
                }
            }

            let mut matches = Vec::new();
            if !merged.is_empty() {
                let mut vy = profiler.view(&doc.text);
                drop_common(&mut vy)?;
                // Whether each of the query's shingles is boilerplate (a winnowed fingerprint
                // above `boilerplate_max_df` over X ∪ Y, as scan marks them), looked up once
                // and only for shingles a candidate shares: only shared shingles can break a
                // run.
                let mut is_boilerplate: std::collections::HashMap<u64, bool> = Default::default();
                for (s, d, sources) in merged {
                    let seg = &index.segments[s];
                    let (mut vx, blob) = seg.view(d, &profiler)?;
                    drop_common(&mut vx)?;
                    let mut boilerplate = Vec::new();
                    for &h in &vy.shingle_set {
                        if vx.shingle_set.binary_search(&h).is_err() {
                            continue;
                        }
                        let common = match is_boilerplate.get(&h) {
                            Some(&c) => c,
                            None => {
                                let c = fp_df(h)? > config.boilerplate_max_df;
                                is_boilerplate.insert(h, c);
                                c
                            }
                        };
                        if common {
                            boilerplate.push(h);
                        }
                    }
                    vx.boilerplate = boilerplate.clone();
                    vy.boilerplate = boilerplate;
                    let xid = seg.id(d)?;
                    let query_is_a = doc.id < xid;
                    let figures = if query_is_a {
                        measure(&vy, &vx, k, &config.relations)
                    } else {
                        measure(&vx, &vy, k, &config.relations)
                    };
                    // Identical copies: the figures scan gives them (it groups, not measures).
                    let figures = if figures.identical {
                        PairFigures::identical(figures.tokens_a, figures.shared_shingles)
                    } else {
                        figures
                    };
                    let judgment = if figures.identical {
                        crate::relate::Judgment {
                            relation: Some(Relation::Duplicate),
                            rule: crate::pipeline::IDENTICAL_RULE.to_string(),
                            confidence: 1.0,
                        }
                    } else {
                        judge(&figures, &config.relations, bigram_df.is_some())
                    };
                    let Some(relation) = judgment.relation else {
                        continue;
                    };
                    // Scan pairs identical copies by grouping them, with no generator named.
                    let sources = if figures.identical {
                        Sources::IDENTICAL
                    } else {
                        sources
                    };
                    let sig = Signature(seg.signature(d)?);
                    matches.push(Match {
                        segment: s,
                        doc: d,
                        id: xid,
                        meta: blob.meta,
                        text: blob.text,
                        relation,
                        query_is_a,
                        figures,
                        estimated_jaccard: p.signature.estimate_jaccard(&sig),
                        simhash_distance: hamming(p.simhash, seg.simhashes()[d as usize]),
                        sources,
                        confidence: judgment.confidence,
                        rule: judgment.rule,
                    });
                }
            }
            matches.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(QueryResult {
                input_index: i,
                id: doc.id.clone(),
                tokens: p.tokens,
                matches,
            })
        })
        .collect()
}

/// What two documents must share to be identical copies (scan groups them before candidate
/// generation): content hash, token count and distinct shingle count. (Scan compares the
/// shingle sets; the index keeps their size, and equal 64-bit content hashes with equal
/// counts are taken as equal texts.)
type Identity = (u64, usize, usize);

/// Per band, the query batch's `(band key, position)` sorted, documents with tokens only.
fn batch_band_keys(profiles: &[Profile], bands: usize, rows: usize) -> Vec<Vec<(u64, u32)>> {
    let mut scratch = Vec::new();
    (0..bands)
        .map(|band| {
            let mut keys: Vec<(u64, u32)> = profiles
                .iter()
                .enumerate()
                .filter(|(_, p)| p.tokens > 0)
                .map(|(j, p)| {
                    let vals = &p.signature.0[band * rows..(band + 1) * rows];
                    (
                        crate::candidates::lsh::band_key(vals, band, &mut scratch),
                        j as u32,
                    )
                })
                .collect();
            keys.sort_unstable();
            keys
        })
        .collect()
}

/// Scan's bucket-size rules over X ∪ Y (see [`crate::candidates::lsh::lsh_pairs`] and
/// [`crate::candidates::hamming::pairs_within`]): a bucket of more than `max_bucket` members
/// proposes only the pairs of its smallest member (the one with the smallest id).
struct Buckets<'a> {
    index: &'a Index,
    docs: &'a [Document],
    order: &'a [usize],
    profiles: &'a [Profile],
    max_bucket: usize,
    /// False when X ∪ Y has at most `max_bucket` documents (no bucket can be too large).
    active: bool,
    batch_keys: Vec<Vec<(u64, u32)>>,
    blocks: Vec<(u32, u64)>,
}

/// A member of a bucket: an indexed document or a query (batch position).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    Indexed(usize, u32),
    Query(usize),
}

impl Buckets<'_> {
    fn identity(&self, m: Member) -> Result<Identity> {
        Ok(match m {
            Member::Indexed(s, d) => {
                let e = self.index.segments[s].doc(d)?;
                (e.content_hash, e.tokens as usize, e.shingles as usize)
            }
            Member::Query(j) => {
                let p = &self.profiles[j];
                (p.content_hash, p.tokens, p.shingles.len())
            }
        })
    }

    fn id(&self, m: Member) -> Result<String> {
        match m {
            Member::Indexed(s, d) => self.index.segments[s].id(d),
            Member::Query(j) => Ok(self.docs[self.order[j]].id.clone()),
        }
    }

    /// The member with the smallest id (ties: the first listed).
    fn smallest(&self, members: &[Member]) -> Result<Member> {
        let mut best: Option<(String, Member)> = None;
        for &m in members {
            let id = self.id(m)?;
            if best.as_ref().is_none_or(|(b, _)| id < *b) {
                best = Some((id, m));
            }
        }
        Ok(best.expect("a bucket has members").1)
    }

    /// Whether the pair (query `pos`, `x`) stays a candidate in an oversized bucket whose
    /// smallest member is `center`: one of the two is an identical copy of it, or they are
    /// identical copies of each other (which scan pairs by grouping, not by candidates).
    fn in_star(&self, center: Member, pos: usize, x: (usize, u32)) -> Result<bool> {
        let (c, y, x) = (
            self.identity(center)?,
            self.identity(Member::Query(pos))?,
            self.identity(Member::Indexed(x.0, x.1))?,
        );
        Ok(y == c || x == c || x == y)
    }

    /// The indexed `members` of the LSH bucket `(band, key)` that stay candidates of query
    /// `pos`. Scan's LSH buckets hold one document per group of identical copies, so the size
    /// that counts is the number of distinct texts.
    fn lsh_bucket(
        &self,
        pos: usize,
        band: usize,
        key: u64,
        members: Vec<(usize, u32)>,
    ) -> Result<Vec<(usize, u32)>> {
        if !self.active || members.is_empty() {
            return Ok(members);
        }
        let table = &self.batch_keys[band];
        let lo = table.partition_point(|r| r.0 < key);
        let hi = lo + table[lo..].partition_point(|r| r.0 == key);
        if members.len() + (hi - lo) <= self.max_bucket {
            return Ok(members);
        }
        let all: Vec<Member> = members
            .iter()
            .map(|&(s, d)| Member::Indexed(s, d))
            .chain(table[lo..hi].iter().map(|r| Member::Query(r.1 as usize)))
            .collect();
        let mut texts: Vec<Identity> = all
            .iter()
            .map(|&m| self.identity(m))
            .collect::<Result<_>>()?;
        texts.sort_unstable();
        texts.dedup();
        if texts.len() <= self.max_bucket {
            return Ok(members);
        }
        let center = self.smallest(&all)?;
        let mut out = Vec::new();
        for x in members {
            if self.in_star(center, pos, x)? {
                out.push(x);
            }
        }
        Ok(out)
    }

    /// The indexed documents within the SimHash distance of query `pos` (`close`) that scan's
    /// block search proposes: some block on which the two agree has a run of at most
    /// `max_bucket` documents (every live document counts, empty ones with SimHash 0), or the
    /// pair is in the star of an oversized run.
    fn simhash_runs(&self, pos: usize, close: Vec<(usize, u32)>) -> Result<Vec<(usize, u32)>> {
        if !self.active || close.is_empty() {
            return Ok(close);
        }
        let hash_of = |s: usize, d: u32| {
            let seg = &self.index.segments[s];
            if seg.has_no_tokens(d) {
                0
            } else {
                seg.simhashes()[d as usize]
            }
        };
        let batch_hash = |j: usize| {
            let p = &self.profiles[j];
            if p.tokens == 0 {
                0
            } else {
                p.simhash
            }
        };
        let y = batch_hash(pos);
        // Per block: the smallest member when the run is oversized, computed when first needed.
        let mut runs: Vec<Option<Option<Member>>> = vec![None; self.blocks.len()];
        let mut out = Vec::new();
        for x in close {
            let hx = hash_of(x.0, x.1);
            let mut proposed = false;
            for (b, &(shift, mask)) in self.blocks.iter().enumerate() {
                let value = (y >> shift) & mask;
                if (hx >> shift) & mask != value {
                    continue;
                }
                if runs[b].is_none() {
                    let mut members: Vec<Member> = Vec::new();
                    for (s, seg) in self.index.segments.iter().enumerate() {
                        for d in 0..seg.len() as u32 {
                            if !self.index.deleted[s][d as usize]
                                && (hash_of(s, d) >> shift) & mask == value
                            {
                                members.push(Member::Indexed(s, d));
                            }
                        }
                    }
                    for j in 0..self.profiles.len() {
                        if (batch_hash(j) >> shift) & mask == value {
                            members.push(Member::Query(j));
                        }
                    }
                    runs[b] = Some(if members.len() > self.max_bucket {
                        Some(self.smallest(&members)?)
                    } else {
                        None
                    });
                }
                proposed = match runs[b].expect("computed") {
                    None => true,
                    Some(center) => self.in_star(center, pos, x)?,
                };
                if proposed {
                    break;
                }
            }
            if proposed {
                out.push(x);
            }
        }
        Ok(out)
    }
}
