//! Querying an index: for each query document, the indexed documents it relates to, with the
//! relation and exact figures `scan` would give the pair.
//!
//! Oracle: for a corpus split into X (indexed) and Y (queried), `query(index(X), Y)` reports
//! exactly the pairs (x, y) that `scan(X ∪ Y)` reports, with the same relation, figures,
//! MinHash estimate, SimHash distance and candidate sources. To get there, the statistics scan
//! computes over the whole corpus are computed over X ∪ Y here:
//!
//! - candidates: the same three generators. LSH: the query's band keys
//!   ([`crate::candidates::lsh::band_key`]) looked up in each segment's sorted band tables;
//!   SimHash: every live indexed document within the Hamming distance (a linear pass over
//!   8 bytes per document); postings: winnowed fingerprints whose document frequency over
//!   X ∪ Y (live postings of every segment + the query batch's own) is at most `max_df`, pairs
//!   sharing at least `min_shared_fingerprints` of them.
//! - verification: token views from the stored text (or the stored shingle sequence and bigram
//!   set with `--no-text`); a bigram is dropped as common when its document frequency over
//!   X ∪ Y (segment bigram counts − deleted documents' bigrams + the query batch's) exceeds
//!   `bigram_max_df`, and only when X ∪ Y has more than `bigram_max_df` documents, as in scan.
//!   Figures are measured with the smaller id as `a`, as scan orders pairs.
//!
//! Remaining difference (documented, not hidden): scan reduces an LSH or SimHash bucket of more
//! than `max_bucket` (2000) documents to a star; the index does not, so with thousands of
//! near-identical documents the index may report pairs scan leaves out. Pairs among query
//! documents are not reported (only indexed x query). A query document may share an id with an
//! indexed one (scan would refuse the union); it is then still compared as a different document.

use rayon::prelude::*;

use crate::config::Config;
use crate::corpus::{Document, Meta};
use crate::error::Result;
use crate::pipeline::{canonical_order, Sources};
use crate::profile::{Profile, Profiler, TokenView};
use crate::relate::{measure, relate, PairFigures, Relation};
use crate::sketch::simhash::hamming;
use crate::sketch::Signature;

use super::Index;

/// One indexed document related to a query document.
#[derive(Debug, Clone)]
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
}

/// The matches of one query document.
#[derive(Debug, Clone)]
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
    let order = canonical_order(docs)?;
    let profiler = Profiler::new(&config.fingerprint);
    let profiles: Vec<Profile> = order
        .par_iter()
        .map(|&i| profiler.profile(&docs[i].text))
        .collect();
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
        let mut y_bigrams: Vec<u64> = order
            .par_iter()
            .flat_map_iter(|&i| profiler.kgram_set(&docs[i].text, 2))
            .collect();
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
            for &h in &v.bigram_set {
                let mut x = count_in(yb, h);
                for seg in &index.segments {
                    x += seg
                        .bigram_counts()
                        .range(h)?
                        .first()
                        .map_or(0, |r| r.1 as usize);
                }
                if x.saturating_sub(count_in(gone, h)) <= config.bigram_max_df {
                    keep.push(h);
                }
            }
            v.bigram_set = keep;
        }
        Ok(())
    };

    let (bands, rows) = index.manifest.banding;
    let k = config.fingerprint.shingle.k;
    order
        .par_iter()
        .zip(&profiles)
        .map(|(&i, p)| {
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
                    for (s, seg) in index.segments.iter().enumerate() {
                        for r in seg.band(band).range(key)? {
                            if live(s, r.1) {
                                cands.push((s, r.1, Sources::LSH));
                            }
                        }
                    }
                }
                for (s, seg) in index.segments.iter().enumerate() {
                    for (d, &h) in seg.simhashes().iter().enumerate() {
                        if hamming(h, p.simhash) <= config.simhash_max_distance
                            && !seg.has_no_tokens(d as u32)
                            && live(s, d as u32)
                        {
                            cands.push((s, d as u32, Sources::SIMHASH));
                        }
                    }
                }
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
                for (s, d, sources) in merged {
                    let seg = &index.segments[s];
                    let (mut vx, blob) = seg.view(d, &profiler)?;
                    drop_common(&mut vx)?;
                    let xid = seg.id(d)?;
                    let query_is_a = doc.id < xid;
                    let figures = if query_is_a {
                        measure(&vy, &vx, k, &config.relations)
                    } else {
                        measure(&vx, &vy, k, &config.relations)
                    };
                    let Some(relation) = relate(&figures, &config.relations) else {
                        continue;
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
