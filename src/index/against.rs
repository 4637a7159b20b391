//! A batch of documents against an index: what a scan of index ∪ batch computes over the whole
//! corpus, computed here with lookups in the index, so that `query` (batch × index pairs) and
//! `scan --against` (also batch × batch pairs, through [`crate::pipeline::Outside`]) report
//! the pairs a scan of the union reports.
//!
//! - Document frequencies of the batch's winnowed fingerprints and word bigrams over the live
//!   indexed documents (postings and bigram counts of every segment, minus deleted documents).
//! - Rewrite candidates (scan's rare-bigram generator) over the union: bigrams in 2 to
//!   `min(bigram_candidates_max_df, bigram_max_df)` documents of the union link the documents
//!   holding them (the index's bigram postings say which indexed ones); a pair is a candidate
//!   when one of its documents counts the other among the `bigram_candidates_per_document`
//!   partners it shares most such bigrams with (at least `bigram_candidates_min_shared`; ties:
//!   the smaller id). For an indexed partner, its own best partners are counted over the union
//!   too (from its bigrams, read back from the index).
//! - Identical copies: scan lets only the first copy (in id order) of a text take part in
//!   candidate generation and pairs the others through it. Here a text's copies are the
//!   documents with its identity (content hash, token count, distinct shingles) among those
//!   sharing a rare bigram with it: copies share every bigram, so they always meet. Candidates
//!   are chosen between first copies, then given to every copy, as scan's
//!   [`crate::Analysis::all_pairs`] expands them.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::config::Config;
use crate::corpus::Document;
use crate::error::Result;
use crate::pipeline::{canonical_order, Outside};
use crate::profile::{Profile, Profiler};

use super::Index;

/// The batch, fingerprinted, in canonical (id) order.
#[derive(Debug)]
pub struct Batch<'a> {
    /// The documents, in input order.
    pub docs: &'a [Document],
    /// Canonical position -> input position.
    pub order: Vec<usize>,
    /// Profiles, by canonical position.
    pub profiles: Vec<Profile>,
    /// Distinct word bigrams, sorted, by canonical position.
    pub bigrams: Vec<Vec<u64>>,
}

impl<'a> Batch<'a> {
    /// Fingerprints `docs` (fails on an id given twice).
    pub fn new(docs: &'a [Document], profiler: &Profiler) -> Result<Batch<'a>> {
        let order = canonical_order(docs)?;
        let (profiles, bigrams) = order
            .par_iter()
            .map(|&i| profiler.profile_and_bigrams(&docs[i].text))
            .unzip();
        Ok(Batch {
            docs,
            order,
            profiles,
            bigrams,
        })
    }

    /// The id of the document at canonical position `pos`.
    pub fn id(&self, pos: usize) -> &str {
        &self.docs[self.order[pos]].id
    }
}

/// A document of index ∪ batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Member {
    /// An indexed document: (segment, document).
    Indexed(usize, u32),
    /// A batch document: canonical position.
    Batch(u32),
}

/// What two documents must share to be identical copies (as in `query`: content hash, token
/// count, distinct shingle count).
type Identity = (u64, usize, usize);

/// What the union gives the batch: the statistics for [`Outside`] and the rewrite candidates.
#[derive(Debug, Default)]
pub struct Union {
    /// Live indexed documents.
    pub documents: usize,
    /// `(fingerprint, live indexed documents holding it)` of the batch's fingerprints, sorted.
    pub fingerprints: Vec<(u64, u32)>,
    /// `(bigram, live indexed documents holding it)` of the batch's bigrams, sorted.
    pub bigrams: Vec<(u64, u32)>,
    /// Per batch document (canonical position): its indexed rewrite candidates, sorted.
    pub indexed: Vec<Vec<(usize, u32)>>,
    /// Rewrite candidates between batch documents (canonical positions, smaller first), sorted.
    pub batch: Vec<(u32, u32)>,
}

impl Union {
    /// The [`Outside`] of the batch for [`crate::pipeline::Ingest::finish_with`] (pairs in
    /// input positions).
    pub fn outside(&self, batch: &Batch, copies: &Copies) -> Outside {
        Outside {
            copied: copies.copied(batch),
            documents: self.documents,
            fingerprints: self.fingerprints.clone(),
            bigrams: self.bigrams.clone(),
            rewrite_pairs: self
                .batch
                .iter()
                .map(|&(a, b)| {
                    (
                        batch.order[a as usize] as u32,
                        batch.order[b as usize] as u32,
                    )
                })
                .collect(),
        }
    }
}

/// Scan's grouping of identical copies over index ∪ batch, for reporting the batch's pairs as a
/// scan of the union does: of a text's copies only the first (in id order) is paired with
/// other documents, and each other copy with it alone. `query` instead reports every copy
/// (each is compared), which [`crate::Analysis::all_pairs`] gives of a scan.
#[derive(Debug, Default)]
pub struct Copies {
    /// Each member with a copy among those met, and its text's first copy.
    first: HashMap<Member, Member>,
}

impl Copies {
    /// The copies among the batch and the indexed documents it matched (`results` of
    /// [`super::query::query_batch`], by canonical position): documents with tokens and the
    /// same identity (content hash, token count, distinct shingles). Every copy of a batch
    /// text in the index is among its matches (identical signatures share every band).
    pub fn new(
        index: &Index,
        batch: &Batch,
        results: &[super::query::QueryResult],
    ) -> Result<Copies> {
        let mut members: Vec<(Identity, String, Member)> = Vec::new();
        for (pos, p) in batch.profiles.iter().enumerate() {
            if p.tokens > 0 {
                members.push((
                    (p.content_hash, p.tokens, p.shingles.len()),
                    batch.id(pos).to_string(),
                    Member::Batch(pos as u32),
                ));
            }
        }
        let mut indexed: Vec<(usize, u32)> = results
            .iter()
            .flat_map(|r| r.matches.iter().map(|m| (m.segment, m.doc)))
            .collect();
        indexed.sort_unstable();
        indexed.dedup();
        for (s, d) in indexed {
            let seg = &index.segments[s];
            let e = seg.doc(d)?;
            if e.tokens > 0 {
                members.push((
                    (e.content_hash, e.tokens as usize, e.shingles as usize),
                    seg.id(d)?,
                    Member::Indexed(s, d),
                ));
            }
        }
        members.sort_unstable();
        let mut first = HashMap::new();
        for run in members.chunk_by(|x, y| x.0 == y.0) {
            if run.len() > 1 {
                for m in run {
                    first.insert(m.2, run[0].2);
                }
            }
        }
        Ok(Copies { first })
    }

    fn first_of(&self, m: Member) -> Member {
        self.first.get(&m).copied().unwrap_or(m)
    }

    /// Whether a scan of the union reports the pair `(u, v)` (given related): both are first
    /// copies of different texts, or one is the first copy of the other's text.
    pub fn reports(&self, u: Member, v: Member) -> bool {
        let (fu, fv) = (self.first_of(u), self.first_of(v));
        if fu == fv {
            fu == u || fu == v
        } else {
            fu == u && fv == v
        }
    }

    /// Input positions of the batch documents whose text's first copy is indexed.
    pub fn copied(&self, batch: &Batch) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .first
            .iter()
            .filter_map(|(&m, &f)| match (m, f) {
                (Member::Batch(j), Member::Indexed(..)) => Some(batch.order[j as usize] as u32),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// `results` with only the matches a scan of the union reports.
    pub fn filter(
        &self,
        mut results: Vec<super::query::QueryResult>,
    ) -> Vec<super::query::QueryResult> {
        for (pos, r) in results.iter_mut().enumerate() {
            let y = Member::Batch(pos as u32);
            r.matches
                .retain(|m| self.reports(y, Member::Indexed(m.segment, m.doc)));
        }
        results
    }
}

/// `(key, count)` for each of `keys` (distinct) whose `count` (live indexed documents holding
/// it) is not 0, one lookup per key.
fn live_counts(
    keys: &[u64],
    count: impl Fn(u64) -> Result<usize> + Sync,
) -> Result<Vec<(u64, u32)>> {
    let counted: Vec<(u64, u32)> = keys
        .par_iter()
        .map(|&h| Ok((h, count(h)? as u32)))
        .collect::<Result<_>>()?;
    Ok(counted.into_iter().filter(|r| r.1 > 0).collect())
}

/// Sorted distinct values of `lists`.
fn distinct(lists: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut all: Vec<u64> = lists.collect();
    all.par_sort_unstable();
    all.dedup();
    all
}

/// Computes the union's statistics and rewrite candidates for `batch` against `index`.
pub fn union(index: &Index, batch: &Batch, config: &Config) -> Result<Union> {
    index.check_bigram_postings(config)?;
    let live = |s: usize, d: u32| !index.deleted[s][d as usize];
    let fps = distinct(
        batch
            .profiles
            .iter()
            .flat_map(|p| p.winnowed.iter().copied()),
    );
    let fingerprints = live_counts(&fps, |h| {
        let mut n = 0;
        for (s, seg) in index.segments.iter().enumerate() {
            n += seg
                .postings()
                .range(h)?
                .iter()
                .filter(|r| live(s, r.1))
                .count();
        }
        Ok(n)
    })?;
    drop(fps);
    // Bigram document frequencies: counts minus deleted documents' bigrams (so an index
    // without bigram postings still has them).
    let mut gone: Vec<u64> = Vec::new();
    let profiler = Profiler::new(&index.manifest.params);
    for (s, seg) in index.segments.iter().enumerate() {
        for d in index.deleted[s].iter_ones() {
            gone.extend(seg.view(d as u32, &profiler)?.0.bigram_set);
        }
    }
    gone.sort_unstable();
    let all_bigrams = distinct(batch.bigrams.iter().flat_map(|b| b.iter().copied()));
    let bigrams = live_counts(&all_bigrams, |h| {
        let mut n = 0;
        for seg in &index.segments {
            n += seg
                .bigram_counts()
                .range(h)?
                .first()
                .map_or(0, |r| r.1 as usize);
        }
        let deleted = gone.partition_point(|&x| x <= h) - gone.partition_point(|&x| x < h);
        Ok(n.saturating_sub(deleted))
    })?;
    drop(all_bigrams);
    let mut u = Union {
        documents: index.live() as usize,
        fingerprints,
        bigrams,
        indexed: vec![Vec::new(); batch.profiles.len()],
        batch: Vec::new(),
    };
    if config.bigram_candidates_per_document > 0 {
        let outside = std::mem::take(&mut u.bigrams);
        Rewrites::new(index, batch, config, &profiler, &outside).choose(&mut u)?;
        u.bigrams = outside;
    }
    Ok(u)
}

/// An indexed partner read ahead: its bigrams, and the linking members of those not yet
/// looked up.
type Fetched = (Member, Vec<u64>, Vec<(u64, Vec<Member>)>);

/// The union's rare-bigram links, built lazily from the batch outwards.
struct Rewrites<'a> {
    index: &'a Index,
    batch: &'a Batch<'a>,
    config: &'a Config,
    profiler: &'a Profiler,
    /// The batch's `(bigram, position)`, sorted.
    postings: Vec<(u64, u32)>,
    /// Live indexed documents holding each of the batch's bigrams ([`Union::bigrams`]).
    outside: &'a [(u64, u32)],
    /// Identity and id of every member met.
    seen: HashMap<Member, (Identity, String)>,
    /// Members met, by identity, in (id, member) order: the first is the copy that takes part.
    copies: HashMap<Identity, BTreeSet<(String, Member)>>,
    /// The linking members of each bigram looked up (empty: the bigram does not link).
    groups: HashMap<u64, Vec<Member>>,
    /// Indexed partners' bigrams, read ahead.
    bigram_sets: HashMap<Member, Vec<u64>>,
}

impl<'a> Rewrites<'a> {
    fn new(
        index: &'a Index,
        batch: &'a Batch<'a>,
        config: &'a Config,
        profiler: &'a Profiler,
        outside: &'a [(u64, u32)],
    ) -> Rewrites<'a> {
        let mut postings: Vec<(u64, u32)> = batch
            .bigrams
            .iter()
            .enumerate()
            .flat_map(|(j, b)| b.iter().map(move |&h| (h, j as u32)))
            .collect();
        postings.par_sort_unstable();
        Rewrites {
            index,
            batch,
            config,
            profiler,
            postings,
            outside,
            seen: HashMap::new(),
            copies: HashMap::new(),
            groups: HashMap::new(),
            bigram_sets: HashMap::new(),
        }
    }

    /// The members holding bigram `h` when it is rare enough to link (in 2 to the cap of
    /// documents of the union), else none.
    fn group(&self, h: u64) -> Result<Vec<Member>> {
        let cap = self
            .config
            .bigram_candidates_max_df
            .min(self.config.bigram_max_df);
        let lo = self.postings.partition_point(|r| r.0 < h);
        let hi = lo + self.postings[lo..].partition_point(|r| r.0 == h);
        let mut members: Vec<Member> = self.postings[lo..hi]
            .iter()
            .map(|r| Member::Batch(r.1))
            .collect();
        // Skip the lookups when the counts already decide: a batch bigram's live indexed
        // holders are counted (`outside`); another bigram (of an indexed partner) is read from
        // the counts first, most being in one document only.
        if members.is_empty() {
            let mut held = 0;
            for seg in &self.index.segments {
                held += seg.bigram_counts().range(h)?.first().map_or(0, |r| r.1);
            }
            if held < 2 {
                return Ok(Vec::new());
            }
        } else {
            let outside = self
                .outside
                .binary_search_by_key(&h, |r| r.0)
                .map_or(0, |i| self.outside[i].1 as usize);
            let df = members.len() + outside;
            if !(2..=cap).contains(&df) {
                return Ok(Vec::new());
            }
            if outside == 0 {
                return Ok(members);
            }
        }
        for (s, seg) in self.index.segments.iter().enumerate() {
            let table = seg
                .bigram_postings()
                .expect("checked by check_bigram_postings");
            let held = table.range(h)?;
            // Left out of the postings: in more documents of the segment than they keep,
            // so too common to link in the union.
            if held.is_empty() && !seg.bigram_counts().range(h)?.is_empty() {
                return Ok(Vec::new());
            }
            for r in held {
                if !self.index.deleted[s][r.1 as usize] {
                    members.push(Member::Indexed(s, r.1));
                }
                if members.len() > cap {
                    return Ok(Vec::new());
                }
            }
        }
        Ok(if members.len() >= 2 && members.len() <= cap {
            members
        } else {
            Vec::new()
        })
    }

    /// Records the identity and id of `m`.
    fn meet(&mut self, m: Member) -> Result<()> {
        if self.seen.contains_key(&m) {
            return Ok(());
        }
        let (identity, id) = match m {
            Member::Batch(j) => {
                let p = &self.batch.profiles[j as usize];
                (
                    (p.content_hash, p.tokens, p.shingles.len()),
                    self.batch.id(j as usize).to_string(),
                )
            }
            Member::Indexed(s, d) => {
                let seg = &self.index.segments[s];
                let e = seg.doc(d)?;
                (
                    (e.content_hash, e.tokens as usize, e.shingles as usize),
                    seg.id(d)?,
                )
            }
        };
        self.copies
            .entry(identity)
            .or_default()
            .insert((id.clone(), m));
        self.seen.insert(m, (identity, id));
        Ok(())
    }

    /// [`Rewrites::first_copy`], or `m` itself when it was never met (it links to nothing).
    fn first_copy_or_self(&self, m: Member) -> Member {
        if self.seen.contains_key(&m) {
            self.first_copy(m)
        } else {
            m
        }
    }

    fn id(&self, m: Member) -> &str {
        &self.seen[&m].1
    }

    /// The first copy of `m`'s text (in id order) among the members met.
    fn first_copy(&self, m: Member) -> Member {
        let (identity, _) = &self.seen[&m];
        let (_, first) = self.copies[identity]
            .iter()
            .next()
            .expect("m is among its copies");
        *first
    }

    /// The copies of `m`'s text met (itself included).
    fn copies_of(&self, m: Member) -> Vec<Member> {
        self.copies[&self.seen[&m].0]
            .iter()
            .map(|(_, c)| *c)
            .collect()
    }

    /// Each partner of `m` (a first copy) with the rare bigrams of `bigrams` (m's) it shares,
    /// first copies only.
    fn links(&mut self, m: Member, bigrams: &[u64]) -> Result<Vec<(Member, u32)>> {
        let mut groups = Vec::new();
        for &h in bigrams {
            if !self.groups.contains_key(&h) {
                let g = self.group(h)?;
                self.groups.insert(h, g);
            }
            let g = &self.groups[&h];
            if !g.is_empty() {
                groups.push(g.clone());
            }
        }
        // Every member first, so each group's copies are all known before choosing.
        for g in &groups {
            for &x in g {
                self.meet(x)?;
            }
        }
        let mut counts: HashMap<Member, u32> = HashMap::new();
        for g in &groups {
            for &x in g {
                if x != m && self.first_copy(x) == x {
                    *counts.entry(x).or_default() += 1;
                }
            }
        }
        Ok(counts.into_iter().collect())
    }

    /// The partners `m` proposes, from its `links`: those it shares at least
    /// `bigram_candidates_min_shared` rare bigrams with, most first (ties: the smaller id), at
    /// most `bigram_candidates_per_document`; none when `m` is not the first copy of its text.
    fn best(&self, m: Member, links: &[(Member, u32)]) -> Vec<Member> {
        if self.first_copy_or_self(m) != m {
            return Vec::new();
        }
        let min = self.config.bigram_candidates_min_shared.max(1) as u32;
        let mut ranked: Vec<(std::cmp::Reverse<u32>, &str, Member)> = links
            .iter()
            .filter(|&&(_, n)| n >= min)
            .map(|&(x, n)| (std::cmp::Reverse(n), self.id(x), x))
            .collect();
        ranked.sort_unstable();
        ranked
            .into_iter()
            .take(self.config.bigram_candidates_per_document)
            .map(|r| r.2)
            .collect()
    }

    /// The distinct bigrams of an indexed document, read back from the index.
    fn indexed_bigrams(&self, s: usize, d: u32) -> Result<Vec<u64>> {
        let blob = self.index.segments[s].blob(d)?;
        Ok(match blob.text {
            Some(t) => self.profiler.bigram_set(&t),
            None => blob.bigrams,
        })
    }

    /// The bigrams of any member.
    fn bigrams_of(&self, m: Member) -> Result<Vec<u64>> {
        if let Some(b) = self.bigram_sets.get(&m) {
            return Ok(b.clone());
        }
        match m {
            Member::Batch(j) => Ok(self.batch.bigrams[j as usize].clone()),
            Member::Indexed(s, d) => self.indexed_bigrams(s, d),
        }
    }

    /// [`Rewrites::best`] of any member, computed once.
    fn best_of(&mut self, m: Member, memo: &mut HashMap<Member, Vec<Member>>) -> Result<()> {
        if let std::collections::hash_map::Entry::Vacant(slot) = memo.entry(m) {
            let bigrams = self.bigrams_of(m)?;
            let links = self.links(m, &bigrams)?;
            slot.insert(self.best(m, &links));
        }
        Ok(())
    }

    /// Chooses the candidates (between first copies, then given to every copy) into `u`: the
    /// pairs of every first copy of a batch text (which may be indexed: the union pairs its
    /// batch copies through it, with indexed documents too).
    fn choose(mut self, u: &mut Union) -> Result<()> {
        let n = self.batch.profiles.len();
        // Pairs between first copies, each once, smaller member first.
        let mut pairs: HashSet<(Member, Member)> = HashSet::new();
        let min = self.config.bigram_candidates_min_shared.max(1) as u32;
        let mut memo: HashMap<Member, Vec<Member>> = HashMap::new();
        let mut done: HashSet<Member> = HashSet::new();
        let mut pending: Vec<(Member, Member)> = Vec::new();
        for j in 0..n as u32 {
            let batch = self.batch;
            // Meets the text's copies (they share every rare bigram).
            self.links(Member::Batch(j), &batch.bigrams[j as usize])?;
            let f = self.first_copy_or_self(Member::Batch(j));
            if !done.insert(f) {
                continue;
            }
            let bigrams = self.bigrams_of(f)?;
            let links = self.links(f, &bigrams)?;
            for x in self.best(f, &links) {
                pairs.insert((f.min(x), f.max(x)));
            }
            // A partner with enough shared bigrams may choose f in turn.
            pending.extend(
                links
                    .into_iter()
                    .filter(|&(x, c)| c >= min && !pairs.contains(&(f.min(x), f.max(x))))
                    .map(|(x, _)| (f, x)),
            );
        }
        // The partners' bigrams and the documents holding them, read in parallel.
        let mut partners: Vec<Member> = pending.iter().map(|p| p.1).collect();
        partners.sort_unstable();
        partners.dedup();
        let this = &self;
        let fetched: Vec<Fetched> = partners
            .par_iter()
            .map(|&x| {
                let bigrams = this.bigrams_of(x)?;
                let groups = bigrams
                    .iter()
                    .filter(|h| !this.groups.contains_key(h))
                    .map(|&h| Ok((h, this.group(h)?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok((x, bigrams, groups))
            })
            .collect::<Result<_>>()?;
        for (x, bigrams, groups) in fetched {
            self.groups.extend(groups);
            self.bigram_sets.insert(x, bigrams);
        }
        for (f, x) in pending {
            if pairs.contains(&(f.min(x), f.max(x))) {
                continue;
            }
            self.best_of(x, &mut memo)?;
            if memo[&x].contains(&f) {
                pairs.insert((f.min(x), f.max(x)));
            }
        }
        // Every copy of each end.
        let mut indexed: Vec<Vec<(usize, u32)>> = vec![Vec::new(); n];
        let mut batch_pairs: Vec<(u32, u32)> = Vec::new();
        for (a, b) in pairs {
            let (ca, cb) = (self.copies_of(a), self.copies_of(b));
            for &x in &ca {
                for &y in &cb {
                    match (x, y) {
                        (Member::Batch(i), Member::Batch(j)) if i != j => {
                            batch_pairs.push((i.min(j), i.max(j)))
                        }
                        (Member::Batch(i), Member::Indexed(s, d))
                        | (Member::Indexed(s, d), Member::Batch(i)) => {
                            indexed[i as usize].push((s, d))
                        }
                        _ => {}
                    }
                }
            }
        }
        for v in &mut indexed {
            v.sort_unstable();
            v.dedup();
        }
        batch_pairs.sort_unstable();
        batch_pairs.dedup();
        u.indexed = indexed;
        u.batch = batch_pairs;
        Ok(())
    }
}
