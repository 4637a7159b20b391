//! The end-to-end call shared by the CLI and library users: documents in, [`Analysis`] out.
//!
//! Stages: profile every document (parallel) -> candidates from three sources (LSH banding on
//! MinHash, SimHash Hamming search, shared winnowed fingerprints with a document-frequency cap)
//! -> exact verification of every candidate -> one relation per pair -> families.
//!
//! Deterministic: documents are put in id order first, every stage collects in order and sorts
//! before emitting, so the same documents give the same analysis for any input order and any
//! thread count. No IO here; progress goes through the [`Progress`] seam.

use rayon::prelude::*;

use crate::candidates::hamming::pairs_within;
use crate::candidates::lsh::lsh_pairs;
use crate::candidates::postings::shared_fingerprint_pairs;
use crate::cluster::{families, Edge};
use crate::config::Config;
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::profile::{Profile, Profiler, TokenView};
use crate::relate::{measure, relate, PairFigures, Relation};
use crate::similarity::intersection_size;
use crate::sketch::minhash::Signature;
use crate::sketch::simhash::hamming;

/// Reports progress of long stages. Every method has an empty default.
pub trait Progress: Sync {
    /// A stage starts, with the number of steps it will take.
    fn start(&self, _stage: &'static str, _total: u64) {}
    /// `n` more steps are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is done.
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;
impl Progress for Silent {}

/// Which candidate generators proposed a pair (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sources(u8);

impl Sources {
    /// LSH banding on MinHash signatures.
    pub const LSH: Sources = Sources(1);
    /// SimHash within the Hamming distance.
    pub const SIMHASH: Sources = Sources(2);
    /// Shared winnowed fingerprints.
    pub const POSTINGS: Sources = Sources(4);
    /// Identical normalized texts (grouped before candidate generation).
    pub const IDENTICAL: Sources = Sources(8);

    /// Both sets of generators.
    pub fn union(self, other: Sources) -> Sources {
        Sources(self.0 | other.0)
    }

    /// The names of the generators, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        [
            (Self::LSH, "lsh"),
            (Self::SIMHASH, "simhash"),
            (Self::POSTINGS, "postings"),
        ]
        .into_iter()
        .filter(|(s, _)| self.0 & s.0 != 0)
        .map(|(_, n)| n)
        .collect()
    }
}

/// A candidate pair (a < b, document indices) and the generators that proposed it.
pub type Candidate = (u32, u32, Sources);

/// One document as the analysis sees it.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    /// The document's id.
    pub id: String,
    /// Position in the input (0-based), for policies such as "keep the first".
    pub input_index: usize,
    /// Token count.
    pub tokens: usize,
    /// Distinct shingles.
    pub shingles: usize,
}

/// A verified pair with its relation (document indices into [`Analysis::documents`], a < b).
#[derive(Debug, Clone)]
pub struct Pair {
    /// First document (smaller index).
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// The relation.
    pub relation: Relation,
    /// Exact figures.
    pub figures: PairFigures,
    /// MinHash estimate of the Jaccard resemblance.
    pub estimated_jaccard: f64,
    /// Hamming distance of the two SimHashes.
    pub simhash_distance: u32,
    /// Which generators proposed the pair.
    pub sources: Sources,
}

/// A family of related documents.
#[derive(Debug, Clone)]
pub struct Family {
    /// Stable id (`F1`, `F2`, ... in order of the smallest member id).
    pub id: String,
    /// Member document indices, ascending.
    pub members: Vec<u32>,
    /// Indices into [`Analysis::pairs`] of the pairs inside the family.
    pub pairs: Vec<usize>,
    /// The family hit the size cap: likely boilerplate or a template, inspect it.
    pub capped: bool,
}

/// Counters of the candidate stage.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Pairs proposed by LSH.
    pub lsh_candidates: usize,
    /// Pairs proposed by SimHash.
    pub simhash_candidates: usize,
    /// Pairs proposed by shared fingerprints.
    pub postings_candidates: usize,
    /// Distinct pairs verified exactly.
    pub verified: usize,
    /// Buckets linked as stars because they were too large.
    pub oversized_buckets: u64,
    /// Fingerprints dropped as boilerplate (document frequency above the cap).
    pub boilerplate_fingerprints: u64,
    /// The LSH banding used.
    pub banding: (usize, usize),
}

/// The result of [`analyze`].
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Documents in id order; pairs and families refer to them by index.
    pub documents: Vec<DocumentInfo>,
    /// Related pairs, sorted by (a, b).
    pub pairs: Vec<Pair>,
    /// Families, sorted by their first member.
    pub families: Vec<Family>,
    /// Candidate counters.
    pub stats: Stats,
    /// For each document, the first document (in id order) with the identical normalized text:
    /// only that one is paired with the rest of the corpus.
    pub identical_to: Vec<u32>,
}

impl Analysis {
    /// Every related pair, including those implied by identical copies: when A ~ B and A' is an
    /// identical copy of A, then A' ~ B with the same relation and figures. Returns
    /// `(a, b, index into pairs)` with a < b, sorted by (a, b). Can be quadratic in the size of
    /// identical groups: use it where every pair matters (audits), not for reports. The last
    /// field is true when the figures of `pairs[index]` must be read mirrored (its `a` side is
    /// the returned `b`): see [`PairFigures::mirrored`].
    pub fn all_pairs(&self) -> Vec<(u32, u32, usize, bool)> {
        let mut group: Vec<Vec<u32>> = vec![Vec::new(); self.documents.len()];
        for (d, &r) in self.identical_to.iter().enumerate() {
            group[r as usize].push(d as u32);
        }
        // (x, y) stands for the pair's (a, b); it is mirrored when x > y.
        let mut out = Vec::new();
        let mut push = |x: u32, y: u32, i: usize| out.push((x.min(y), x.max(y), i, x > y));
        for (i, p) in self.pairs.iter().enumerate() {
            if p.sources == Sources::IDENTICAL {
                for &x in &group[p.a as usize] {
                    if x != p.b {
                        push(x, p.b, i);
                    }
                }
            } else {
                for &x in &group[p.a as usize] {
                    for &y in &group[p.b as usize] {
                        push(x, y, i);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup_by_key(|t| (t.0, t.1));
        out
    }
}

/// Documents sorted by id, with their input positions: the canonical order every stage uses.
/// Fails on a duplicate id.
pub fn canonical_order(docs: &[Document]) -> Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|&x, &y| docs[x].id.cmp(&docs[y].id).then(x.cmp(&y)));
    for w in order.windows(2) {
        if docs[w[0]].id == docs[w[1]].id {
            return Err(Error::DuplicateId {
                id: docs[w[0]].id.clone(),
                first: docs[w[0]].origin.to_string(),
                second: docs[w[1]].origin.to_string(),
            });
        }
    }
    Ok(order)
}

/// Runs the whole analysis on `docs`.
pub fn analyze(docs: &[Document], config: &Config, progress: &dyn Progress) -> Result<Analysis> {
    config.validate()?;
    let order = canonical_order(docs)?;
    let texts: Vec<&str> = order.iter().map(|&i| docs[i].text.as_str()).collect();
    let profiler = Profiler::try_new(&config.fingerprint)?;

    progress.start("fingerprint", texts.len() as u64);
    let profiles: Vec<Profile> = texts
        .par_iter()
        .map(|t| {
            let p = profiler.profile(t);
            progress.advance(1);
            p
        })
        .collect();
    progress.finish();

    let (candidates, mut stats) = find_candidates(&profiles, config)?;
    let mut pairs = verify(&texts, &profiles, &profiler, &candidates, config, progress);
    stats.verified = candidates.len();
    pairs.extend(identical_pairs(&profiles));
    pairs.sort_by_key(|p| (p.a, p.b));

    let edges: Vec<Edge> = pairs
        .iter()
        .map(|p| Edge {
            a: p.a,
            b: p.b,
            strength: strength(p),
        })
        .collect();
    let min_shared = config.family_min_shared_shingles;
    let groups = families(
        &edges,
        config.family_policy,
        config.max_family_size,
        |x, y| {
            intersection_size(
                &profiles[x as usize].shingles,
                &profiles[y as usize].shingles,
            ) >= min_shared
        },
    );
    let families = groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let inside = |d: u32| g.members.binary_search(&d).is_ok();
            Family {
                id: format!("F{}", i + 1),
                pairs: (0..pairs.len())
                    .filter(|&j| inside(pairs[j].a) && inside(pairs[j].b))
                    .collect(),
                members: g.members,
                capped: g.capped,
            }
        })
        .collect();

    let documents = order
        .iter()
        .zip(&profiles)
        .map(|(&i, p)| DocumentInfo {
            id: docs[i].id.clone(),
            input_index: i,
            tokens: p.tokens,
            shingles: p.shingles.len(),
        })
        .collect();
    let identical_to = identical_groups(&profiles);
    Ok(Analysis {
        documents,
        pairs,
        families,
        stats,
        identical_to,
    })
}

/// For each document, the first document (in the given order) whose normalized text is
/// identical to it (same content hash, token count and shingle set), or itself.
pub fn identical_groups(profiles: &[Profile]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..profiles.len() as u32)
        .filter(|&d| profiles[d as usize].tokens > 0)
        .collect();
    order.sort_by_key(|&d| {
        (
            profiles[d as usize].content_hash,
            profiles[d as usize].tokens,
            d,
        )
    });
    let mut rep: Vec<u32> = (0..profiles.len() as u32).collect();
    let mut start = 0;
    for i in 1..=order.len() {
        let same = i < order.len() && {
            let (x, y) = (
                &profiles[order[start] as usize],
                &profiles[order[i] as usize],
            );
            (x.content_hash, x.tokens) == (y.content_hash, y.tokens) && x.shingles == y.shingles
        };
        if !same {
            for &d in &order[start..i] {
                rep[d as usize] = order[start];
            }
            start = i;
        }
    }
    rep
}

/// The `duplicate` pairs between each identical copy and its group's first document.
fn identical_pairs(profiles: &[Profile]) -> Vec<Pair> {
    let rep = identical_groups(profiles);
    (0..profiles.len())
        .filter(|&d| rep[d] as usize != d)
        .map(|d| {
            let p = &profiles[d];
            Pair {
                a: rep[d],
                b: d as u32,
                relation: Relation::Duplicate,
                figures: PairFigures::identical(p.tokens, p.shingles.len()),
                estimated_jaccard: 1.0,
                simhash_distance: 0,
                sources: Sources::IDENTICAL,
            }
        })
        .collect()
}

/// Candidate pairs from the three generators, merged and sorted, with their sources.
pub fn find_candidates(profiles: &[Profile], config: &Config) -> Result<(Vec<Candidate>, Stats)> {
    let mut stats = Stats::default();
    let num_perm = config.fingerprint.num_perm;
    let params = crate::candidates::lsh::banding_for(config);
    stats.banding = (params.bands, params.rows);
    // Identical copies are paired with their group's first document by `analyze`; only that
    // first document takes part in candidate generation, so a text copied a thousand times
    // costs a thousand pairs, not half a million.
    let rep = identical_groups(profiles);
    let active = |d: usize| rep[d] as usize == d && profiles[d].tokens > 0;
    let empty = Signature(vec![u32::MAX; num_perm]);
    let sigs: Vec<Signature> = profiles
        .iter()
        .enumerate()
        .map(|(d, p)| {
            if active(d) {
                p.signature.clone()
            } else {
                empty.clone()
            }
        })
        .collect();
    let lsh = lsh_pairs(&sigs, params, config.max_bucket);
    drop(sigs);
    stats.oversized_buckets += lsh.oversized_buckets;
    stats.lsh_candidates = lsh.pairs.len();

    let simhashes: Vec<u64> = profiles
        .iter()
        .map(|p| if p.tokens == 0 { 0 } else { p.simhash })
        .collect();
    let (sim_pairs, sim_oversized) =
        pairs_within(&simhashes, config.simhash_max_distance, config.max_bucket)?;
    // Empty documents all have SimHash 0; they relate to nothing.
    let sim_pairs: Vec<(u32, u32)> = sim_pairs
        .into_iter()
        .filter(|&(a, b)| active(a as usize) && active(b as usize))
        .collect();
    stats.oversized_buckets += sim_oversized;
    stats.simhash_candidates = sim_pairs.len();

    // Document frequencies count every document, identical copies included (a fingerprint in
    // a thousand copies is as common as one in a thousand different texts); pairs are then
    // proposed among the active documents only.
    let mut all_fps: Vec<u64> = profiles
        .iter()
        .flat_map(|p| p.winnowed.iter().copied())
        .collect();
    all_fps.par_sort_unstable();
    let mut common: Vec<u64> = Vec::new();
    for run in all_fps.chunk_by(|x, y| x == y) {
        if run.len() > config.max_df {
            common.push(run[0]);
        }
    }
    drop(all_fps);
    let fps: Vec<Vec<u64>> = profiles
        .iter()
        .enumerate()
        .map(|(d, p)| {
            if active(d) {
                p.winnowed
                    .iter()
                    .copied()
                    .filter(|h| common.binary_search(h).is_err())
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let shared = shared_fingerprint_pairs(&fps, usize::MAX, config.min_shared_fingerprints);
    drop(fps);
    stats.boilerplate_fingerprints = common.len() as u64;
    stats.postings_candidates = shared.pairs.len();

    let mut all: Vec<(u32, u32, Sources)> =
        Vec::with_capacity(lsh.pairs.len() + sim_pairs.len() + shared.pairs.len());
    all.extend(lsh.pairs.into_iter().map(|(a, b)| (a, b, Sources::LSH)));
    all.extend(sim_pairs.into_iter().map(|(a, b)| (a, b, Sources::SIMHASH)));
    all.extend(
        shared
            .pairs
            .into_iter()
            .map(|(a, b, _)| (a, b, Sources::POSTINGS)),
    );
    all.par_sort_unstable_by_key(|&(a, b, s)| (a, b, s.0));
    let mut merged: Vec<(u32, u32, Sources)> = Vec::with_capacity(all.len());
    for (a, b, s) in all {
        match merged.last_mut() {
            Some(last) if (last.0, last.1) == (a, b) => last.2 .0 |= s.0,
            _ => merged.push((a, b, s)),
        }
    }
    Ok((merged, stats))
}

/// Verifies candidates exactly and keeps the related ones, sorted by (a, b).
fn verify(
    texts: &[&str],
    profiles: &[Profile],
    profiler: &Profiler,
    candidates: &[Candidate],
    config: &Config,
    progress: &dyn Progress,
) -> Vec<Pair> {
    // Views are computed once per document that takes part in a candidate.
    let mut involved: Vec<u32> = candidates.iter().flat_map(|&(a, b, _)| [a, b]).collect();
    involved.sort_unstable();
    involved.dedup();
    let common = common_bigrams(texts, profiler, config.bigram_max_df);
    let views: Vec<TokenView> = involved
        .par_iter()
        .map(|&d| {
            let mut v = profiler.view(texts[d as usize]);
            v.drop_common_bigrams(&common);
            v
        })
        .collect();
    let view = |d: u32| &views[involved.binary_search(&d).expect("involved document")];
    let k = config.fingerprint.shingle.k;
    progress.start("verify", candidates.len() as u64);
    let pairs: Vec<Pair> = candidates
        .par_iter()
        .filter_map(|&(a, b, sources)| {
            let figures = measure(view(a), view(b), k, &config.relations);
            progress.advance(1);
            let relation = relate(&figures, &config.relations)?;
            let (pa, pb) = (&profiles[a as usize], &profiles[b as usize]);
            Some(Pair {
                a,
                b,
                relation,
                estimated_jaccard: pa.signature.estimate_jaccard(&pb.signature),
                simhash_distance: hamming(pa.simhash, pb.simhash),
                figures,
                sources,
            })
        })
        .collect();
    progress.finish();
    pairs
}

/// The token bigrams found in more than `max_df` documents, sorted: boilerplate for the
/// rewrite signal (function-word pairs, template phrases). Bigrams are counted once per document.
pub fn common_bigrams(texts: &[&str], profiler: &Profiler, max_df: usize) -> Vec<u64> {
    common_kgrams(texts, profiler, 2, max_df)
}

/// The token k-grams found in more than `max_df` documents of `texts`, sorted (each counted
/// once per document). Empty when there are no more than `max_df` documents.
pub fn common_kgrams(texts: &[&str], profiler: &Profiler, k: usize, max_df: usize) -> Vec<u64> {
    if texts.len() <= max_df {
        return Vec::new();
    }
    let mut all: Vec<u64> = texts
        .par_iter()
        .flat_map_iter(|t| profiler.kgram_set(t, k))
        .collect();
    all.par_sort_unstable();
    let mut common = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let mut j = i + 1;
        while j < all.len() && all[j] == all[i] {
            j += 1;
        }
        if j - i > max_df {
            common.push(all[i]);
        }
        i = j;
    }
    common
}

/// How strongly a pair binds a family: relation rank first, then the larger containment.
fn strength(p: &Pair) -> f64 {
    let rank = Relation::ALL.len()
        - Relation::ALL
            .iter()
            .position(|r| *r == p.relation)
            .unwrap_or(0);
    rank as f64
        + p.figures
            .containment_a_in_b
            .max(p.figures.containment_b_in_a)
            .min(0.999)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::{build, write_report, InputSummary};
    use proptest::prelude::*;

    /// A small corpus with planted reuse: sources, copies, excerpts and mixtures.
    fn corpus(seed: u64, n_sources: usize, ops: &[(u8, usize, usize)]) -> Vec<Document> {
        let mut g = crate::hash::SplitMix64::new(seed);
        let vocab: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let sources: Vec<Vec<String>> = (0..n_sources)
            .map(|_| {
                (0..120)
                    .map(|_| vocab[(g.next() % 300) as usize].clone())
                    .collect()
            })
            .collect();
        let mut docs: Vec<Document> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| Document::new(format!("src{i}"), s.join(" ")))
            .collect();
        for (j, &(op, x, y)) in ops.iter().enumerate() {
            let (a, b) = (&sources[x % n_sources], &sources[y % n_sources]);
            let text = match op % 3 {
                0 => a.join(" "),
                1 => a[..60].join(" "),
                _ => format!("{} {}", a[..60].join(" "), b[60..].join(" ")),
            };
            docs.push(Document::new(format!("doc{j}"), text));
        }
        docs
    }

    fn report_bytes(docs: &[Document], threads: usize) -> Vec<u8> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let config = Config::default();
        let analysis = pool.install(|| analyze(docs, &config, &Silent)).unwrap();
        let report = build("scan", &analysis, docs, &config, InputSummary::default());
        let mut out = Vec::new();
        write_report(&report, &mut out).unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn same_output_for_any_thread_count_and_input_order(
            seed in any::<u64>(),
            n_sources in 1usize..5,
            ops in proptest::collection::vec((any::<u8>(), 0usize..5, 0usize..5), 0..8),
            rotate in 0usize..16,
        ) {
            let docs = corpus(seed, n_sources, &ops);
            let one = report_bytes(&docs, 1);
            let mut shuffled = docs.clone();
            let r = rotate % shuffled.len();
            shuffled.rotate_left(r);
            shuffled.reverse();
            prop_assert_eq!(&one, &report_bytes(&shuffled, 3));
            prop_assert_eq!(&one, &report_bytes(&docs, 2));
        }

        #[test]
        fn json_report_round_trips(
            seed in any::<u64>(),
            ops in proptest::collection::vec((any::<u8>(), 0usize..3, 0usize..3), 0..6),
        ) {
            let docs = corpus(seed, 3, &ops);
            let config = Config::default();
            let analysis = analyze(&docs, &config, &Silent).unwrap();
            let report = build("scan", &analysis, &docs, &config, InputSummary::default());
            let mut out = Vec::new();
            write_report(&report, &mut out).unwrap();
            let back: crate::report::json::Report = serde_json::from_slice(&out).unwrap();
            prop_assert_eq!(back, report);
        }
    }

    #[test]
    fn planted_reuse_is_found_with_the_right_relations() {
        let docs = corpus(7, 2, &[(0, 0, 0), (1, 0, 0), (2, 0, 1)]);
        let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
        let rel = |a: &str, b: &str| {
            let ia = analysis.documents.iter().position(|d| d.id == a).unwrap() as u32;
            let ib = analysis.documents.iter().position(|d| d.id == b).unwrap() as u32;
            analysis
                .pairs
                .iter()
                .find(|p| (p.a, p.b) == (ia.min(ib), ia.max(ib)))
                .map(|p| p.relation)
        };
        assert_eq!(rel("src0", "doc0"), Some(Relation::Duplicate));
        // doc0 is an identical copy of src0 and comes first in id order: it stands for the
        // pair of them in every other relation.
        assert_eq!(rel("doc0", "doc1"), Some(Relation::Excerpt));
        assert_eq!(rel("src0", "doc1"), None);
        assert_eq!(rel("doc0", "doc2"), Some(Relation::PartialReuse));
        assert_eq!(rel("src1", "doc2"), Some(Relation::PartialReuse));
        assert_eq!(rel("src0", "src1"), None);
    }

    #[test]
    fn duplicate_ids_are_an_error_naming_both() {
        let docs = vec![Document::new("x", "a b c"), Document::new("x", "d e f")];
        let err = analyze(&docs, &Config::default(), &Silent)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"x\""), "{err}");
    }
}
