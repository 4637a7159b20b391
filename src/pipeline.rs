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
use crate::candidates::{pack, unpack};
use crate::cluster::{families, Edge};
use crate::config::Config;
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::keys::KeyTable;
use crate::profile::{Profile, Profiler, TokenView};
use crate::relate::{judge, measure, PairFigures, Relation};
use crate::scratch::{Scratch, Sorter, TextStore};
use crate::similarity::intersection_size;
use crate::sketch::minhash::Signature;
use crate::sketch::simhash::hamming;
use crate::types::DocIndex;

/// Reports progress of long stages. Every method has an empty default.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use stemma::{analyze, Config, Document, Progress};
///
/// /// Counts the steps of every stage.
/// #[derive(Default)]
/// struct Steps(AtomicU64);
///
/// impl Progress for Steps {
///     fn advance(&self, n: u64) {
///         self.0.fetch_add(n, Ordering::Relaxed);
///     }
/// }
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [Document::new("a", story), Document::new("b", story)];
/// let steps = Steps::default();
/// analyze(&docs, &Config::default(), &steps)?;
/// assert!(steps.0.load(Ordering::Relaxed) > 0);
/// # Ok::<(), stemma::Error>(())
/// ```
pub trait Progress: Sync {
    /// A stage starts, with the number of steps it will take.
    fn start(&self, _stage: &'static str, _total: u64) {}
    /// `n` more steps are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is done.
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
///
/// ```
/// use stemma::{analyze, Config, Document, Silent};
///
/// let analysis = analyze(&[Document::new("a", "one short text")], &Config::default(), &Silent)?;
/// assert!(analysis.pairs.is_empty());
/// # Ok::<(), stemma::Error>(())
/// ```
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
    /// Shared rare word bigrams: rewrites that share few or no verbatim runs.
    pub const BIGRAMS: Sources = Sources(16);

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
            (Self::BIGRAMS, "bigrams"),
        ]
        .into_iter()
        .filter(|(s, _)| self.0 & s.0 != 0)
        .map(|(_, n)| n)
        .collect()
    }
}

/// A candidate pair (a < b, document indices) and the generators that proposed it.
pub(crate) type Candidate = (u32, u32, Sources);

/// One document as the analysis sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
///
/// ```
/// use stemma::{analyze, Config, Document, Relation, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [Document::new("a", story), Document::new("b", &story[..story.len() / 2])];
/// let analysis = analyze(&docs, &Config::default(), &Silent)?;
/// let pair = &analysis.pairs[0];
/// assert_eq!(pair.relation, Relation::Excerpt);
/// // B lies inside A: nearly all of B is contained in A, about half of A in B.
/// assert!(pair.figures.containment_b_in_a > 0.9);
/// assert!(pair.figures.containment_a_in_b < 0.7);
/// assert!(pair.confidence > 0.5);
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Pair {
    /// First document (smaller canonical position).
    pub a: DocIndex,
    /// Second document.
    pub b: DocIndex,
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
    /// Probability in [0, 1] that the pair is reuse (`crate::relate::Judgment`).
    pub confidence: f64,
    /// The rule that decided, with the figures it read.
    pub rule: String,
}

/// A family of related documents.
///
/// ```
/// use stemma::{analyze, Config, Document, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [
///     Document::new("a", story),
///     Document::new("b", &format!("(Outlet) - {story}")),
///     Document::new("c", &format!("{story} More on page two.")),
/// ];
/// let analysis = analyze(&docs, &Config::default(), &Silent)?;
/// let family = &analysis.families[0];
/// assert_eq!(family.id, "F1");
/// assert_eq!(family.members.len(), 3);
/// // Every pair inside the family is listed by index into `analysis.pairs`.
/// assert!(family.pairs.iter().all(|&i| family.members.contains(&analysis.pairs[i].a)));
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Family {
    /// Stable id (`F1`, `F2`, ... in order of the smallest member id).
    pub id: String,
    /// Member documents, ascending.
    pub members: Vec<DocIndex>,
    /// Indices into [`Analysis::pairs`] of the pairs inside the family.
    pub pairs: Vec<usize>,
    /// The family hit the size cap: likely boilerplate or a template, inspect it.
    pub capped: bool,
}

/// Counters of the candidate stage.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
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
    /// Pairs proposed by shared rare bigrams.
    pub bigram_candidates: usize,
    /// Fingerprints dropped as boilerplate (document frequency above the cap).
    pub boilerplate_fingerprints: u64,
    /// The LSH banding used.
    pub banding: crate::config::Banding,
}

/// The result of [`analyze`].
///
/// ```
/// use stemma::{analyze, Config, Document, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [Document::new("b", story), Document::new("a", &format!("(Outlet) - {story}"))];
/// let analysis = analyze(&docs, &Config::default(), &Silent)?;
/// // Documents in canonical (id) order, each with its input position.
/// let ids: Vec<_> = analysis.documents.iter().map(|d| (d.id.as_str(), d.input_index)).collect();
/// assert_eq!(ids, [("a", 1), ("b", 0)]);
/// for pair in &analysis.pairs {
///     let (a, b) = (&analysis.documents[pair.a].id, &analysis.documents[pair.b].id);
///     println!("{a} ~ {b}: {} ({})", pair.relation, pair.rule);
/// }
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    pub identical_to: Vec<DocIndex>,
}

/// One related pair of [`Analysis::all_pairs`]: two documents and the verified pair whose
/// relation and figures they share.
///
/// ```
/// use stemma::{analyze, Config, Document, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [Document::new("a", story), Document::new("b", story)];
/// let analysis = analyze(&docs, &Config::default(), &Silent)?;
/// let all = analysis.all_pairs();
/// let implied = &all[0];
/// assert_eq!(analysis.documents[implied.a].id, "a");
/// assert_eq!(analysis.pairs[implied.pair].relation.as_str(), "duplicate");
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct ImpliedPair {
    /// First document (smaller canonical position).
    pub a: DocIndex,
    /// Second document.
    pub b: DocIndex,
    /// Index into [`Analysis::pairs`] of the verified pair that stands for this one (itself
    /// when `a` and `b` were verified together).
    pub pair: usize,
    /// True when the figures of `pairs[pair]` must be read mirrored: its `a` side is this
    /// pair's `b` (see [`PairFigures::mirrored`]).
    pub mirrored: bool,
}

impl Analysis {
    /// Every related pair, including those implied by identical copies: when A ~ B and A' is an
    /// identical copy of A, then A' ~ B with the same relation and figures. Sorted by (a, b),
    /// a < b. Can be quadratic in the size of identical groups: use it where every pair
    /// matters (audits), not for reports.
    ///
    /// ```
    /// use stemma::{analyze, Config, DocIndex, Document, Silent};
    ///
    /// let story = "The minister said on Friday that the new bridge over the river will open \
    ///              in March after two years of work, and that tolls will be lower than planned.";
    /// let docs = vec![
    ///     Document::new("a", story),
    ///     Document::new("b", story),
    ///     Document::new("c", &format!("{story} More on page two.")),
    /// ];
    /// let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
    /// // "b" is an identical copy of "a": only a ~ b and a ~ c are verified, b ~ c is implied.
    /// let all: Vec<_> = analysis.all_pairs().iter().map(|p| (p.a.0, p.b.0)).collect();
    /// assert_eq!(all, [(0, 1), (0, 2), (1, 2)]);
    /// assert!(analysis.pairs.len() < all.len());
    /// ```
    pub fn all_pairs(&self) -> Vec<ImpliedPair> {
        let mut group: Vec<Vec<DocIndex>> = vec![Vec::new(); self.documents.len()];
        for (d, &r) in self.identical_to.iter().enumerate() {
            group[r].push(DocIndex(d as u32));
        }
        // (x, y) stands for the pair's (a, b); it is mirrored when x > y.
        let mut out = Vec::new();
        let mut push = |x: DocIndex, y: DocIndex, pair: usize| {
            out.push(ImpliedPair {
                a: x.min(y),
                b: x.max(y),
                pair,
                mirrored: x > y,
            })
        };
        for (i, p) in self.pairs.iter().enumerate() {
            if p.sources == Sources::IDENTICAL {
                for &x in &group[p.a] {
                    if x != p.b {
                        push(x, p.b, i);
                    }
                }
            } else {
                for &x in &group[p.a] {
                    for &y in &group[p.b] {
                        push(x, y, i);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup_by_key(|t| (t.a, t.b));
        out
    }
}

/// Documents sorted by id, with their input positions: the canonical order every stage uses.
/// Fails on a duplicate id.
pub(crate) fn canonical_order(docs: &[Document]) -> Result<Vec<usize>> {
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

/// Runs the whole analysis on `docs`, in memory.
///
/// ```
/// use stemma::{analyze, Config, Document, Relation, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let docs = [
///     Document::new("agency", story),
///     Document::new("outlet", &format!("{story} More on page two.")),
///     Document::new("other", "A completely different text about the weather in the hills."),
/// ];
/// let analysis = analyze(&docs, &Config::default(), &Silent)?;
/// assert_eq!(analysis.pairs.len(), 1);
/// // Ordered strongest first: a duplicate, near-duplicate or excerpt.
/// assert!(analysis.pairs[0].relation <= Relation::Excerpt);
/// assert_eq!(analysis.families[0].members.len(), 2);
/// # Ok::<(), stemma::Error>(())
/// ```
pub fn analyze(docs: &[Document], config: &Config, progress: &dyn Progress) -> Result<Analysis> {
    let mut ingest = Ingest::new(config, &Scratch::in_memory())?;
    progress.start("fingerprint", docs.len() as u64);
    for chunk in docs.chunks(4096) {
        let texts: Vec<&str> = chunk.iter().map(|d| d.text.as_str()).collect();
        ingest.add_borrowed(&texts)?;
        progress.advance(chunk.len() as u64);
    }
    progress.finish();
    Ok(ingest.finish(docs, progress)?.0)
}

/// What the analysis keeps of each document between reading and the end: a fixed size,
/// whatever the length of the text.
#[derive(Debug, Clone)]
struct Summary {
    tokens: usize,
    content_hash: u64,
    shingles: usize,
    signature: Signature,
    simhash: u64,
}

/// The analysis of a corpus read in batches (the streaming form of [`analyze`]).
///
/// Each batch is fingerprinted in parallel as it is added; what grows with the text (the texts,
/// each document's winnowed fingerprints and bigrams) goes to a [`TextStore`] and [`Sorter`]s,
/// which move it to temporary files beyond [`Scratch::memory`]. [`Ingest::finish`] then finds,
/// verifies and groups the pairs, reading texts back a block of pairs at a time. The result is
/// the same as [`analyze`] on the same documents, whatever the budget.
#[derive(Debug)]
pub(crate) struct Ingest<'a> {
    config: Config,
    profiler: Profiler,
    scratch: Scratch,
    texts: TextStore<'a>,
    summaries: Vec<Summary>,
    /// (fingerprint, input position): the winnowed postings.
    winnowed: Sorter<(u64, u32)>,
    /// Each document's distinct bigrams `(bigram, input position)`: their document
    /// frequencies, and the pairs that share rare ones.
    bigrams: Sorter<(u64, u32)>,
}

impl<'a> Ingest<'a> {
    /// Starts an analysis with `config`, buffering as `scratch` allows.
    pub fn new(config: &Config, scratch: &Scratch) -> Result<Ingest<'a>> {
        config.validate()?;
        Ok(Ingest {
            config: config.clone(),
            profiler: Profiler::try_new(&config.fingerprint)?,
            scratch: scratch.clone(),
            texts: TextStore::new(scratch),
            summaries: Vec::new(),
            winnowed: Sorter::new(scratch),
            bigrams: Sorter::new(scratch),
        })
    }

    /// Adds the texts of the next documents (in input order); they are copied into the store,
    /// which moves them to a temporary file beyond the budget.
    ///
    /// # Panics
    /// If [`Ingest::add_borrowed`] was called before.
    pub fn add(&mut self, texts: &[&str]) -> Result<()> {
        self.absorb(texts, false)
    }

    /// Adds the texts of the next documents without copying them (they stay in memory: for
    /// documents the caller holds anyway, as [`analyze`] does).
    ///
    /// # Panics
    /// If [`Ingest::add`] was called before: one run's texts are all copied or all borrowed.
    pub fn add_borrowed(&mut self, texts: &[&'a str]) -> Result<()> {
        self.absorb(texts, true)?;
        for t in texts {
            self.texts.push_borrowed(t);
        }
        Ok(())
    }

    fn absorb(&mut self, texts: &[&str], borrowed: bool) -> Result<()> {
        let profiler = &self.profiler;
        let profiles: Vec<(Profile, Vec<u64>)> = texts
            .par_iter()
            .map(|t| profiler.profile_and_bigrams(t))
            .collect();
        for (t, (p, bigrams)) in texts.iter().zip(profiles) {
            let d = u32::try_from(self.summaries.len())
                .map_err(|_| config_error("documents", "more than 2^32 documents in one run"))?;
            if !borrowed {
                self.texts.push(t)?;
            }
            self.winnowed.extend(p.winnowed.iter().map(|&h| (h, d)))?;
            self.bigrams.extend(bigrams.into_iter().map(|h| (h, d)))?;
            self.summaries.push(Summary {
                tokens: p.tokens,
                content_hash: p.content_hash,
                shingles: p.shingles.len(),
                signature: p.signature,
                simhash: p.simhash,
            });
        }
        Ok(())
    }

    /// Finds, verifies and groups the pairs. `docs` are the documents added, in the same order
    /// (their texts are not read: only ids, origins and metadata). Returns the analysis and the
    /// texts, by input position.
    pub fn finish(
        self,
        docs: &[Document],
        progress: &dyn Progress,
    ) -> Result<(Analysis, TextStore<'a>)> {
        self.finish_with(docs, None, progress)
    }

    /// [`Ingest::finish`] with the corpus statistics of documents `outside` the batch (an
    /// index) added to the batch's own, so the batch's pairs are the ones a scan of batch ∪
    /// outside reports among them (`scan --against`; built by
    /// [`crate::index::against::Union::outside`]).
    pub fn finish_with(
        mut self,
        docs: &[Document],
        outside: Option<&Outside>,
        progress: &dyn Progress,
    ) -> Result<(Analysis, TextStore<'a>)> {
        assert_eq!(docs.len(), self.summaries.len(), "one document per text");
        self.texts.seal()?;
        let order = canonical_order(docs)?;
        let mut rank = vec![0u32; order.len()];
        for (d, &i) in order.iter().enumerate() {
            rank[i] = d as u32;
        }
        let mut slots: Vec<Option<Summary>> = self.summaries.drain(..).map(Some).collect();
        let mut sums: Vec<Summary> = order
            .iter()
            .map(|&i| slots[i].take().expect("each position once"))
            .collect();
        drop(slots);
        let corpus = Corpus {
            texts: &self.texts,
            order: &order,
            profiler: &self.profiler,
        };
        let identical_to = identical_groups(&sums, &corpus)?;

        let config = &self.config;
        let (mut candidates, mut stats, common_fps) = find_candidates(
            &mut sums,
            &identical_to,
            &rank,
            self.winnowed,
            (config, outside),
            &self.scratch,
        )?;
        let bigram_stats = bigram_candidates(
            self.bigrams,
            &rank,
            &identical_to,
            &sums,
            (config, outside),
            &self.scratch,
        )?;
        let BigramStats {
            common,
            rare,
            candidates: rewrites,
        } = bigram_stats;
        stats.bigram_candidates = rewrites.len();
        candidates = merge_candidates(candidates, rewrites);
        // Texts whose first copy is outside: a scan of the union pairs them through it (the
        // outside's matches), so they take no part here.
        let mut copied = vec![false; sums.len()];
        for &i in outside.map_or(&[][..], |o| &o.copied) {
            copied[identical_to[rank[i as usize] as usize] as usize] = true;
        }
        let copied: Vec<bool> = (0..sums.len())
            .map(|d| copied[identical_to[d] as usize])
            .collect();
        candidates.retain(|&(a, b, _)| !copied[a as usize] && !copied[b as usize]);
        let corpus_docs = sums.len() + outside.map_or(0, |o| o.documents);
        let mut pairs = verify(
            &corpus,
            (&sums, corpus_docs),
            &candidates,
            (&common, &common_fps, &rare),
            config,
            &self.scratch,
            progress,
        )?;
        stats.verified = candidates.len();
        drop(candidates);
        pairs.extend(
            identical_pairs(&sums, &identical_to)
                .into_iter()
                .filter(|p| !copied[p.a]),
        );
        pairs.sort_by_key(|p| (p.a, p.b));

        let edges: Vec<Edge> = pairs
            .iter()
            .map(|p| Edge {
                a: p.a.0,
                b: p.b.0,
                strength: strength(p),
            })
            .collect();
        let min_shared = config.family_min_shared_shingles;
        let mut sets = ShingleCache::new(&corpus, self.scratch.memory);
        let mut failure = None;
        let groups = families(
            &edges,
            config.family_policy,
            config.max_family_size,
            |x, y| {
                if failure.is_some() {
                    return false;
                }
                match sets.shared_at_least(x, y, min_shared) {
                    Ok(linked) => linked,
                    Err(e) => {
                        failure = Some(e);
                        false
                    }
                }
            },
        );
        if let Some(e) = failure {
            return Err(e);
        }
        drop(sets);
        // Each document's family once, then each pair to the family of both its ends (in pair
        // order): linear in documents and pairs, however many families.
        let mut family_of: Vec<Option<u32>> = vec![None; sums.len()];
        for (i, g) in groups.iter().enumerate() {
            for &d in &g.members {
                family_of[d as usize] = Some(i as u32);
            }
        }
        let mut family_pairs: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
        for (j, p) in pairs.iter().enumerate() {
            if let (Some(fa), Some(fb)) = (family_of[p.a.index()], family_of[p.b.index()]) {
                if fa == fb {
                    family_pairs[fa as usize].push(j);
                }
            }
        }
        let families = groups
            .into_iter()
            .zip(family_pairs)
            .enumerate()
            .map(|(i, (g, pairs))| Family {
                id: format!("F{}", i + 1),
                pairs,
                members: g.members.into_iter().map(DocIndex).collect(),
                capped: g.capped,
            })
            .collect();

        let documents = order
            .iter()
            .zip(&sums)
            .map(|(&i, s)| DocumentInfo {
                id: docs[i].id.clone(),
                input_index: i,
                tokens: s.tokens,
                shingles: s.shingles,
            })
            .collect();
        Ok((
            Analysis {
                documents,
                pairs,
                families,
                stats,
                identical_to: identical_to.into_iter().map(DocIndex).collect(),
            },
            self.texts,
        ))
    }
}

fn config_error(setting: &'static str, problem: &str) -> Error {
    Error::Config {
        setting,
        problem: problem.to_string(),
    }
}

/// Texts in canonical order, and how to fingerprint them.
struct Corpus<'s, 'a> {
    texts: &'s TextStore<'a>,
    /// Canonical position -> input position (the store's index).
    order: &'s [usize],
    profiler: &'s Profiler,
}

impl Corpus<'_, '_> {
    fn text(&self, d: u32) -> Result<std::borrow::Cow<'_, str>> {
        self.texts.text(self.order[d as usize])
    }

    fn text_len(&self, d: u32) -> usize {
        self.texts.text_len(self.order[d as usize])
    }

    fn shingle_set(&self, d: u32) -> Result<Vec<u64>> {
        Ok(self.profiler.shingle_set(&self.text(d)?))
    }
}

/// Shingle sets recomputed from the texts on demand and kept up to a budget, the first loaded
/// evicted first: the family stage asks about the same members again and again. A set larger
/// than the budget is recomputed at each question.
struct ShingleCache<'c, 's, 'a> {
    corpus: &'c Corpus<'s, 'a>,
    sets: std::collections::HashMap<u32, Vec<u64>>,
    queue: std::collections::VecDeque<u32>,
    held: usize,
    budget: usize,
}

impl<'c, 's, 'a> ShingleCache<'c, 's, 'a> {
    fn new(corpus: &'c Corpus<'s, 'a>, budget: usize) -> Self {
        ShingleCache {
            corpus,
            sets: Default::default(),
            queue: Default::default(),
            held: 0,
            budget,
        }
    }

    fn load(&mut self, d: u32) -> Result<()> {
        if !self.sets.contains_key(&d) {
            let set = self.corpus.shingle_set(d)?;
            self.held += set.len() * 8;
            self.sets.insert(d, set);
            self.queue.push_back(d);
        }
        Ok(())
    }

    fn shared_at_least(&mut self, x: u32, y: u32, n: usize) -> Result<bool> {
        self.load(x)?;
        self.load(y)?;
        let linked = intersection_size(&self.sets[&x], &self.sets[&y]) >= n;
        // Oldest out first, once the answer is known.
        while self.held > self.budget {
            let Some(old) = self.queue.pop_front() else {
                break;
            };
            if let Some(s) = self.sets.remove(&old) {
                self.held -= s.len() * 8;
            }
        }
        Ok(linked)
    }
}

/// For each document, the first document (in canonical order) whose normalized text is
/// identical to it (same content hash, token count and shingle set), or itself.
fn identical_groups(sums: &[Summary], corpus: &Corpus) -> Result<Vec<u32>> {
    let mut order: Vec<u32> = (0..sums.len() as u32)
        .filter(|&d| sums[d as usize].tokens > 0)
        .collect();
    let key = |d: u32| (sums[d as usize].content_hash, sums[d as usize].tokens);
    order.sort_by_key(|&d| (key(d), d));
    let mut rep: Vec<u32> = (0..sums.len() as u32).collect();
    for run in order.chunk_by(|&x, &y| key(x) == key(y)) {
        if run.len() < 2 {
            continue;
        }
        // Equal hashes: compare the shingle sets, so a hash collision never merges two texts.
        let mut first = run[0];
        let mut first_set = corpus.shingle_set(first)?;
        for &d in &run[1..] {
            let set = corpus.shingle_set(d)?;
            if set == first_set {
                rep[d as usize] = first;
            } else {
                first = d;
                first_set = set;
            }
        }
    }
    Ok(rep)
}

/// The rule of identical copies (scan groups them without measuring).
pub(crate) const IDENTICAL_RULE: &str = "identical normalized texts";

/// The `duplicate` pairs between each identical copy and its group's first document.
fn identical_pairs(sums: &[Summary], rep: &[u32]) -> Vec<Pair> {
    (0..sums.len())
        .filter(|&d| rep[d] as usize != d)
        .map(|d| {
            let s = &sums[d];
            Pair {
                a: DocIndex(rep[d]),
                b: DocIndex(d as u32),
                relation: Relation::Duplicate,
                figures: PairFigures::identical(s.tokens, s.shingles),
                estimated_jaccard: 1.0,
                simhash_distance: 0,
                sources: Sources::IDENTICAL,
                confidence: 1.0,
                rule: IDENTICAL_RULE.to_string(),
            }
        })
        .collect()
}

/// Candidate pairs from the three generators, merged and sorted, with their sources.
/// The signatures of documents that take no part (empty texts, identical copies after the
/// first) are replaced by one that matches nothing (every position `u32::MAX`).
fn find_candidates(
    sums: &mut [Summary],
    rep: &[u32],
    rank: &[u32],
    winnowed: Sorter<(u64, u32)>,
    (config, outside): (&Config, Option<&Outside>),
    scratch: &Scratch,
) -> Result<(Vec<Candidate>, Stats, Vec<u64>)> {
    let mut stats = Stats::default();
    let num_perm = config.fingerprint.num_perm;
    stats.banding = crate::candidates::lsh::banding_for(config);
    // Identical copies are paired with their group's first document by the caller; only that
    // first document takes part in candidate generation, so a text copied a thousand times
    // costs a thousand pairs, not half a million.
    let active: Vec<bool> = (0..sums.len())
        .map(|d| rep[d] as usize == d && sums[d].tokens > 0)
        .collect();
    let mut sigs: Vec<Signature> = Vec::with_capacity(sums.len());
    for (s, &on) in sums.iter_mut().zip(&active) {
        sigs.push(if on {
            std::mem::replace(&mut s.signature, Signature(Vec::new()))
        } else {
            Signature(vec![u32::MAX; num_perm])
        });
    }
    let lsh = lsh_pairs(&sigs, stats.banding, config.max_bucket);
    for (s, sig) in sums.iter_mut().zip(sigs) {
        s.signature = sig;
    }
    stats.oversized_buckets += lsh.oversized_buckets;
    stats.lsh_candidates = lsh.pairs.len();

    let simhashes: Vec<u64> = sums
        .iter()
        .map(|s| if s.tokens == 0 { 0 } else { s.simhash })
        .collect();
    let (sim_pairs, sim_oversized) =
        pairs_within(&simhashes, config.simhash_max_distance, config.max_bucket)?;
    drop(simhashes);
    // Empty documents all have SimHash 0; they relate to nothing.
    let sim_pairs: Vec<(u32, u32)> = sim_pairs
        .into_iter()
        .filter(|&(a, b)| active[a as usize] && active[b as usize])
        .collect();
    stats.oversized_buckets += sim_oversized;
    stats.simhash_candidates = sim_pairs.len();

    // Document frequencies count every document, identical copies included (a fingerprint in
    // a thousand copies is as common as one in a thousand different texts); pairs are then
    // proposed among the active documents only.
    let mut links: Sorter<u64> = Sorter::new(scratch);
    let mut boilerplate = 0u64;
    let mut common_fps: Vec<u64> = Vec::new();
    let mut docs: Vec<u32> = Vec::new();
    winnowed.finish()?.for_each_group(
        |&(h, _)| h,
        |run| {
            let df = run.len() + outside.map_or(0, |o| o.fingerprint_df(run[0].0));
            if df > config.boilerplate_max_df {
                common_fps.push(run[0].0);
            }
            if df > config.max_df {
                boilerplate += 1;
                return Ok(());
            }
            link_all(
                run.iter()
                    .map(|&(_, i)| rank[i as usize])
                    .filter(|&d| active[d as usize]),
                &mut docs,
                &mut links,
            )
        },
    )?;
    let min_shared = u64::from(config.min_shared_fingerprints);
    let mut shared: Vec<(u32, u32)> = Vec::new();
    links.finish()?.for_each_group(
        |&l| l,
        |run| {
            if run.len() as u64 >= min_shared {
                shared.push(unpack(run[0]));
            }
            Ok(())
        },
    )?;
    stats.boilerplate_fingerprints = boilerplate;
    stats.postings_candidates = shared.len();

    let mut all: Vec<(u32, u32, Sources)> =
        Vec::with_capacity(lsh.pairs.len() + sim_pairs.len() + shared.len());
    all.extend(lsh.pairs.into_iter().map(|(a, b)| (a, b, Sources::LSH)));
    all.extend(sim_pairs.into_iter().map(|(a, b)| (a, b, Sources::SIMHASH)));
    all.extend(shared.into_iter().map(|(a, b)| (a, b, Sources::POSTINGS)));
    Ok((merge_candidates(all, Vec::new()), stats, common_fps))
}

/// Adds to `links` every pair (packed, smaller first) of the documents `group` (`docs` is
/// scratch): the documents that share one key.
fn link_all(
    group: impl Iterator<Item = u32>,
    docs: &mut Vec<u32>,
    links: &mut Sorter<u64>,
) -> Result<()> {
    docs.clear();
    docs.extend(group);
    docs.sort_unstable();
    for (i, &a) in docs.iter().enumerate() {
        links.extend(docs[i + 1..].iter().map(|&b| pack(a, b)))?;
    }
    Ok(())
}

/// `all` and `more` as one list sorted by pair, each pair once with the union of its sources.
fn merge_candidates(mut all: Vec<Candidate>, more: Vec<Candidate>) -> Vec<Candidate> {
    all.extend(more);
    all.par_sort_unstable_by_key(|&(a, b, s)| (a, b, s.0));
    let mut merged: Vec<Candidate> = Vec::with_capacity(all.len());
    for (a, b, s) in all {
        match merged.last_mut() {
            Some(last) if (last.0, last.1) == (a, b) => last.2 .0 |= s.0,
            _ => merged.push((a, b, s)),
        }
    }
    merged
}

/// From every document's distinct bigrams (`(bigram, input position)`): the bigrams found in
/// more than `bigram_max_df` documents (sorted; they do not count as evidence of a rewrite),
/// and the rewrite candidates: pairs of active documents that share at least
/// `bigram_candidates_min_shared` rare bigrams (found in 2 to `bigram_candidates_max_df`
/// documents: a bigram's links grow with the square of its frequency, and one in many
/// documents says little about any pair of them). Each
/// document proposes at most `bigram_candidates_per_document` partners, those it shares the
/// most rare bigrams with (ties: the smaller position), so there are at most that many times
/// the number of documents; 0 turns the generator off.
fn bigram_candidates(
    bigrams: Sorter<(u64, u32)>,
    rank: &[u32],
    rep: &[u32],
    sums: &[Summary],
    (config, outside): (&Config, Option<&Outside>),
    scratch: &Scratch,
) -> Result<BigramStats> {
    let per_doc = config.bigram_candidates_per_document;
    let mut rare: Vec<(u64, u32)> = Vec::new();
    let active = |d: u32| rep[d as usize] == d && sums[d as usize].tokens > 0;
    let mut common = Vec::new();
    let mut links: Sorter<u64> = Sorter::new(scratch);
    let mut docs: Vec<u32> = Vec::new();
    bigrams.finish()?.for_each_group(
        |&(h, _)| h,
        |run| {
            let df = run.len() + outside.map_or(0, |o| o.bigram_df(run[0].0));
            if df > config.bigram_max_df {
                common.push(run[0].0);
                return Ok(());
            }
            if df < 2 {
                return Ok(());
            }
            rare.push((run[0].0, df as u32));
            // With documents outside, the candidates come from the union (`Outside`).
            if per_doc == 0 || outside.is_some() || df > config.bigram_candidates_max_df {
                return Ok(());
            }
            link_all(
                run.iter()
                    .map(|&(_, i)| rank[i as usize])
                    .filter(|&d| active(d)),
                &mut docs,
                &mut links,
            )
        },
    )?;
    if per_doc == 0 {
        return Ok(BigramStats {
            common,
            rare,
            candidates: Vec::new(),
        });
    }
    if let Some(outside) = outside {
        // Pairs of the union's candidates, each end standing for its group of identical
        // copies in the batch (whose first document takes part in candidate generation).
        let mut pairs: Vec<Candidate> = outside
            .rewrite_pairs
            .iter()
            .map(|&(x, y)| {
                (
                    rep[rank[x as usize] as usize],
                    rep[rank[y as usize] as usize],
                )
            })
            .filter(|&(a, b)| a != b && active(a) && active(b))
            .map(|(a, b)| (a.min(b), a.max(b), Sources::BIGRAMS))
            .collect();
        pairs.sort_unstable_by_key(|&(a, b, _)| (a, b));
        pairs.dedup_by_key(|&mut (a, b, _)| (a, b));
        return Ok(BigramStats {
            common,
            rare,
            candidates: pairs,
        });
    }
    // (document, shared, partner) for both ends of every pair sharing enough rare bigrams.
    let min_shared = config.bigram_candidates_min_shared.max(1);
    let mut ends: Vec<(u32, std::cmp::Reverse<u32>, u32)> = Vec::new();
    links.finish()?.for_each_group(
        |&l| l,
        |run| {
            if run.len() >= min_shared {
                let (a, b) = unpack(run[0]);
                let n = std::cmp::Reverse(u32::try_from(run.len()).unwrap_or(u32::MAX));
                ends.push((a, n, b));
                ends.push((b, n, a));
            }
            Ok(())
        },
    )?;
    ends.par_sort_unstable();
    let mut pairs: Vec<Candidate> = Vec::new();
    for group in ends.chunk_by(|x, y| x.0 == y.0) {
        for &(d, _, other) in group.iter().take(per_doc) {
            pairs.push((d.min(other), d.max(other), Sources::BIGRAMS));
        }
    }
    Ok(BigramStats {
        common,
        rare,
        candidates: pairs,
    })
}

/// What documents outside an analysed batch (an index) add to the batch's corpus statistics,
/// so that `Ingest::finish_with` gives the batch the pairs a scan of batch ∪ outside reports
/// among them: document frequencies count the outside documents too (the caps `max_df`,
/// `boilerplate_max_df`, `bigram_max_df`, the idf weights and whether statistics apply), and
/// the rewrite candidates are chosen over the union (a batch document's partners outside take
/// places among its `bigram_candidates_per_document`).
#[derive(Debug, Clone, Default)]
pub struct Outside {
    /// Live documents outside the batch.
    pub documents: usize,
    /// `(winnowed fingerprint, documents outside holding it)` for the batch's fingerprints
    /// found outside, sorted.
    pub fingerprints: Vec<(u64, u32)>,
    /// `(word bigram, documents outside holding it)` for the batch's bigrams found outside,
    /// sorted.
    pub bigrams: Vec<(u64, u32)>,
    /// The rewrite candidates between batch documents (input positions), as chosen over the
    /// union.
    pub rewrite_pairs: Vec<(u32, u32)>,
    /// Batch documents (input positions) whose text's first copy in id order is outside: the
    /// union pairs them, and their copies in the batch, only with that copy.
    pub copied: Vec<u32>,
}

impl Outside {
    /// Documents outside holding the winnowed fingerprint `h`.
    pub fn fingerprint_df(&self, h: u64) -> usize {
        lookup_count(&self.fingerprints, h)
    }

    /// Documents outside holding the bigram `h`.
    pub fn bigram_df(&self, h: u64) -> usize {
        lookup_count(&self.bigrams, h)
    }
}

fn lookup_count(sorted: &[(u64, u32)], h: u64) -> usize {
    sorted
        .binary_search_by_key(&h, |r| r.0)
        .map_or(0, |i| sorted[i].1 as usize)
}

/// What the corpus's bigrams give verification and candidate generation.
struct BigramStats {
    /// Bigrams in more than `bigram_max_df` documents, sorted.
    common: Vec<u64>,
    /// `(bigram, document frequency)` of the others found in at least 2 documents, sorted: the
    /// idf weights of the bigram figures (a bigram not listed is in one document).
    rare: Vec<(u64, u32)>,
    /// Rewrite candidates.
    candidates: Vec<Candidate>,
}

/// The keys added to `sorter` more than `max_df` times (the caller adds each document's
/// distinct keys, so this is a document frequency), sorted.
pub(crate) fn common_of(sorter: Sorter<u64>, max_df: usize) -> Result<Vec<u64>> {
    let mut common = Vec::new();
    sorter.finish()?.for_each_group(
        |&h| h,
        |run| {
            if run.len() > max_df {
                common.push(run[0]);
            }
            Ok(())
        },
    )?;
    Ok(common)
}

/// Splits `pairs` (in order) into consecutive blocks whose distinct documents' texts add up to
/// at most `budget` bytes (a block holds at least one pair): each block's documents are read
/// and viewed once, and memory stays bounded however many pairs there are.
pub(crate) fn pair_blocks(
    pairs: &[(u32, u32)],
    text_len: impl Fn(u32) -> usize,
    budget: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut blocks = Vec::new();
    let mut seen: std::collections::HashSet<u32> = Default::default();
    let (mut start, mut bytes) = (0, 0usize);
    for (i, &(a, b)) in pairs.iter().enumerate() {
        let cost = |d: u32, seen: &std::collections::HashSet<u32>| {
            if seen.contains(&d) {
                0
            } else {
                text_len(d)
            }
        };
        let new = cost(a, &seen) + if a == b { 0 } else { cost(b, &seen) };
        if i > start && bytes.saturating_add(new) > budget {
            blocks.push(start..i);
            start = i;
            bytes = 0;
            seen.clear();
        }
        for d in [a, b] {
            if seen.insert(d) {
                bytes = bytes.saturating_add(text_len(d));
            }
        }
    }
    if start < pairs.len() {
        blocks.push(start..pairs.len());
    }
    blocks
}

/// The sorted distinct documents of `pairs`.
pub(crate) fn documents_of(pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut docs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    docs.sort_unstable();
    docs.dedup();
    docs
}

/// Text bytes per block of pairs: a view takes about 16 times its text (token spans and
/// hashes, shingle sequence and sets, bigrams).
const VIEW_BYTES_PER_TEXT_BYTE: usize = 16;

/// Verifies candidates exactly and keeps the related ones, sorted by (a, b).
/// `corpus_docs` counts the documents of the corpus the statistics are taken over (the batch,
/// plus an index's with `scan --against`).
fn verify(
    corpus: &Corpus,
    (sums, corpus_docs): (&[Summary], usize),
    candidates: &[Candidate],
    (common, common_fps, rare): (&[u64], &[u64], &[(u64, u32)]),
    config: &Config,
    scratch: &Scratch,
    progress: &dyn Progress,
) -> Result<Vec<Pair>> {
    let k = config.fingerprint.shingle.k;
    // Common bigrams are known only in a corpus larger than their cap.
    let statistics = corpus_docs > config.bigram_max_df;
    let ends: Vec<(u32, u32)> = candidates.iter().map(|&(a, b, _)| (a, b)).collect();
    let blocks = pair_blocks(
        &ends,
        |d| corpus.text_len(d),
        scratch.memory / VIEW_BYTES_PER_TEXT_BYTE,
    );
    drop(ends);
    // Every bigram and shingle of every view is looked up: in constant time, not by a binary
    // search whose cost grows with the corpus.
    let common = KeyTable::new(common);
    let rare = KeyTable::new(rare);
    let common_fps = KeyTable::new(common_fps);
    progress.start("verify", candidates.len() as u64);
    let mut pairs = Vec::new();
    for block in blocks {
        let block = &candidates[block];
        // Views are computed once per document of the block.
        let ends: Vec<(u32, u32)> = block.iter().map(|&(a, b, _)| (a, b)).collect();
        let involved = documents_of(&ends);
        let views: Vec<TokenView> = involved
            .par_iter()
            .map(|&d| {
                let mut v = corpus.profiler.view(&corpus.text(d)?);
                // `TokenView::drop_common_bigrams`, with the table's lookup.
                v.bigram_set.retain(|&h| !common.contains(h));
                if statistics {
                    v.weigh_bigrams(corpus_docs, |h| rare.get(h).map_or(1, |r| r.1 as usize));
                }
                v.mark_boilerplate(|h| common_fps.contains(h));
                Ok(v)
            })
            .collect::<Result<_>>()?;
        let view = |d: u32| &views[involved.binary_search(&d).expect("involved document")];
        pairs.par_extend(block.par_iter().filter_map(|&(a, b, sources)| {
            let figures = measure(view(a), view(b), k, &config.relations);
            progress.advance(1);
            let judgment = judge(&figures, &config.relations, statistics);
            let relation = judgment.relation?;
            let (sa, sb) = (&sums[a as usize], &sums[b as usize]);
            Some(Pair {
                a: DocIndex(a),
                b: DocIndex(b),
                relation,
                estimated_jaccard: sa.signature.estimate_jaccard(&sb.signature),
                simhash_distance: hamming(sa.simhash, sb.simhash),
                figures,
                sources,
                confidence: judgment.confidence,
                rule: judgment.rule,
            })
        }));
    }
    progress.finish();
    Ok(pairs)
}

/// The word bigrams ([`Profiler::bigram_set`]) found in more than `max_df` of `texts`, sorted
/// (each counted once per document), in memory: boilerplate for the rewrite signal
/// (function-word pairs, template phrases). [`Ingest`] and [`crate::provenance::trace_stored`]
/// count theirs as they read, through a [`Sorter`] that may spill.
pub(crate) fn common_bigrams(texts: &[&str], profiler: &Profiler, max_df: usize) -> Vec<u64> {
    let mut sorter = Sorter::new(&Scratch::in_memory());
    let all: Vec<u64> = texts
        .par_iter()
        .flat_map_iter(|t| profiler.bigram_set(t))
        .collect();
    let counted = sorter.extend(all).and_then(|()| common_of(sorter, max_df));
    counted.expect("an in-memory sorter does no IO")
}

/// The winnowed fingerprints found in more than `max_df` of `texts`, sorted, in memory: with
/// `boilerplate_max_df`, the shingles scan marks as boilerplate
/// ([`TokenView::mark_boilerplate`]).
pub(crate) fn common_fingerprints(texts: &[&str], profiler: &Profiler, max_df: usize) -> Vec<u64> {
    let mut sorter = Sorter::new(&Scratch::in_memory());
    let all: Vec<u64> = texts
        .par_iter()
        .flat_map_iter(|t| profiler.profile(t).winnowed)
        .collect();
    let counted = sorter.extend(all).and_then(|()| common_of(sorter, max_df));
    counted.expect("an in-memory sorter does no IO")
}

/// Consecutive ranges of `0..n` to read and process together: up to 1024 texts and 32 MiB of
/// text (a longer text is a range of its own).
pub(crate) fn text_chunks(
    n: usize,
    text_len: impl Fn(usize) -> usize,
) -> Vec<std::ops::Range<usize>> {
    const DOCS: usize = 1024;
    const BYTES: usize = 32 << 20;
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0usize);
    for i in 0..n {
        let len = text_len(i);
        if i > start && (i - start >= DOCS || bytes + len > BYTES) {
            chunks.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += len;
    }
    if start < n {
        chunks.push(start..n);
    }
    chunks
}

/// How strongly a pair binds a family: relation rank first, then the larger containment.
pub(crate) fn strength(p: &Pair) -> f64 {
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

    /// The JSON report of `trace` on `docs`: in memory, or streamed in batches of `batch`
    /// documents through a scratch directory that spills every buffer (`memory` bytes).
    fn traced_report(docs: &[Document], streamed: Option<(usize, usize)>) -> Vec<u8> {
        use crate::provenance::{trace, trace_stored};
        let config = Config::default();
        let agencies = crate::provenance::cues::AgencyTable::default();
        let (analysis, provenance) = match streamed {
            None => {
                let analysis = analyze(docs, &config, &Silent).unwrap();
                let provenance = trace(docs, &analysis, &config, &agencies);
                (analysis, provenance)
            }
            Some((batch, memory)) => {
                let dir = std::env::temp_dir()
                    .join(format!("stemma-pipeline-stream-{}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                let scratch = Scratch {
                    dir: Some(dir),
                    memory,
                };
                let mut ingest = Ingest::new(&config, &scratch).unwrap();
                for chunk in docs.chunks(batch) {
                    let texts: Vec<&str> = chunk.iter().map(|d| d.text.as_str()).collect();
                    ingest.add(&texts).unwrap();
                }
                // Only ids and metadata are read from here on.
                let heads: Vec<Document> = docs
                    .iter()
                    .map(|d| Document {
                        text: String::new(),
                        ..d.clone()
                    })
                    .collect();
                let (analysis, texts) = ingest.finish(&heads, &Silent).unwrap();
                let provenance =
                    trace_stored(&heads, &texts, &analysis, &config, &agencies, &scratch).unwrap();
                (analysis, provenance)
            }
        };
        let mut report = build("trace", &analysis, docs, &config, InputSummary::default());
        crate::report::json::add_trace(&mut report, &analysis, &provenance);
        let mut out = Vec::new();
        write_report(&report, &mut out).unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn streaming_through_temporary_files_changes_nothing(
            seed in any::<u64>(),
            n_sources in 1usize..5,
            ops in proptest::collection::vec((any::<u8>(), 0usize..5, 0usize..5), 0..10),
            batch in 1usize..6,
            memory in prop_oneof![Just(0usize), 64usize..4096, Just(1 << 20)],
        ) {
            let mut docs = corpus(seed, n_sources, &ops);
            // Identical copies, empty texts and a lone short text take their own paths.
            docs.push(Document::new("copy", docs[0].text.clone()));
            docs.push(Document::new("empty", ""));
            docs.push(Document::new("short", "w1 w2"));
            let memory_report = traced_report(&docs, None);
            prop_assert_eq!(&memory_report, &traced_report(&docs, Some((batch, memory))));
        }
    }

    #[test]
    fn pair_blocks_cover_every_pair_once_within_the_budget() {
        let pairs: Vec<(u32, u32)> = (0..50u32).map(|i| (i % 7, 7 + i % 11)).collect();
        let len = |d: u32| 10 + d as usize;
        for budget in [0, 20, 45, 100, 1000, usize::MAX] {
            let blocks = pair_blocks(&pairs, len, budget);
            let mut next = 0;
            for b in &blocks {
                assert_eq!(b.start, next);
                assert!(b.end > b.start);
                next = b.end;
                let bytes: usize = documents_of(&pairs[b.clone()]).into_iter().map(len).sum();
                assert!(bytes <= budget || b.len() == 1, "{budget} {b:?} {bytes}");
            }
            assert_eq!(next, pairs.len());
        }
        assert_eq!(pair_blocks(&pairs, len, usize::MAX).len(), 1);
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
                .find(|p| (p.a.0, p.b.0) == (ia.min(ib), ia.max(ib)))
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
