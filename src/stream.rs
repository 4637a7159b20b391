//! Analysing a corpus read from files, directories, JSONL or standard input as a stream, with
//! memory bounded by a [`Scratch`] budget: what `stemma scan` and `stemma trace` run.
//!
//! Documents are read one at a time ([`corpus::stream_inputs`](crate::corpus::stream_inputs))
//! and fingerprinted in batches ([`Ingest`]); their texts go to a [`TextStore`] that spills to
//! unnamed temporary files beyond the budget. The result is the same [`Analysis`] as
//! [`analyze`](crate::analyze) on the documents read into memory (a property test and a CLI
//! test check it), plus the store, so reports can read texts back.
//!
//! This is an edge module: it reads files. It does not print; progress goes to the
//! [`Progress`] the caller gives.

use std::path::PathBuf;

use crate::config::Config;
use crate::corpus::{stream_inputs, Document, ReadOptions, ReadReport};
use crate::error::Result;
use crate::index::against::{self, Batch, Copies};
use crate::index::query::{query_batch, QueryResult};
use crate::index::Index;
use crate::pipeline::{Analysis, Ingest, Progress};
use crate::profile::Profiler;
use crate::provenance::cues::AgencyTable;
use crate::provenance::Provenance;
use crate::scratch::{Scratch, TextStore};

/// Documents read as a stream and analysed with bounded memory.
///
/// ```
/// use stemma::corpus::ReadOptions;
/// use stemma::provenance::cues::AgencyTable;
/// use stemma::{analyze_streamed, Config, Scratch, Silent};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-streamed-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// std::fs::write(dir.join("a.txt"), story)?;
/// std::fs::write(dir.join("b.txt"), format!("{story} More on page two."))?;
/// let config = Config::default();
/// let streamed =
///     analyze_streamed(&[dir.clone()], &ReadOptions::default(), &Scratch::in_memory(), &config, &Silent)?;
/// assert_eq!(streamed.read.documents.len(), 2);
/// let provenance = streamed.trace(&config, &AgencyTable::builtin())?;
/// assert_eq!(provenance.pairs.len(), 1);
/// assert_eq!(streamed.related_texts()?[0], story);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
pub struct Streamed {
    /// What was read; `read.documents` hold ids, origins and metadata, their texts are empty
    /// (read them back with [`Streamed::text`]).
    pub read: ReadReport,
    /// The analysis.
    pub analysis: Analysis,
    /// The texts, by input position.
    pub(crate) texts: TextStore<'static>,
    /// Where temporary data went.
    pub scratch: Scratch,
}

/// Documents are fingerprinted in batches of this many, or of an eighth of a buffer's budget
/// of text (between 1 and 32 MiB): a batch's fingerprints take several times its text.
const BATCH_DOCS: usize = 4096;

/// Reads `inputs` as a stream, fingerprinting each batch as it arrives, and analyses them.
///
/// `scratch` bounds the memory the texts and other text-sized data take
/// ([`Scratch::in_memory`] keeps everything in memory; [`Scratch::on_disk`] spills beyond a
/// budget). Progress: a `fingerprint` stage counting documents as they are read (total
/// unknown, 0), then the stages of `Ingest::finish`.
///
/// ```
/// use stemma::corpus::ReadOptions;
/// use stemma::Scratch;
/// use stemma::{analyze_streamed, Config, Silent};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-stream-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// std::fs::write(dir.join("a.txt"), story).unwrap();
/// std::fs::write(dir.join("b.txt"), format!("(Outlet) - {story}")).unwrap();
/// let streamed = analyze_streamed(
///     &[dir.clone()],
///     &ReadOptions::default(),
///     &Scratch::in_memory(),
///     &Config::default(),
///     &Silent,
/// )
/// .unwrap();
/// assert_eq!(streamed.analysis.pairs.len(), 1);
/// assert_eq!(streamed.text(0).unwrap(), story);
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn analyze_streamed(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    scratch: &Scratch,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Streamed> {
    let batch_bytes = (scratch.memory / 8).clamp(1 << 20, 32 << 20);
    let mut ingest = Ingest::new(config, scratch)?;
    let mut heads: Vec<Document> = Vec::new();
    let mut batch: Vec<String> = Vec::new();
    let mut bytes = 0usize;
    let flush = |ingest: &mut Ingest, batch: &mut Vec<String>| -> Result<()> {
        let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
        ingest.add(&texts)?;
        progress.advance(batch.len() as u64);
        batch.clear();
        Ok(())
    };
    progress.start("fingerprint", 0);
    let mut read = stream_inputs(inputs, opts, &mut |mut doc| {
        let text = std::mem::take(&mut doc.text);
        bytes += text.len();
        batch.push(text);
        heads.push(doc);
        if batch.len() >= BATCH_DOCS || bytes >= batch_bytes {
            flush(&mut ingest, &mut batch)?;
            bytes = 0;
        }
        Ok(())
    })?;
    flush(&mut ingest, &mut batch)?;
    progress.finish();
    let (analysis, texts) = ingest.finish(&heads, progress)?;
    read.documents = heads;
    Ok(Streamed {
        read,
        analysis,
        texts,
        scratch: scratch.clone(),
    })
}

/// [`analyze_streamed`] against an index (`scan --against`): the inputs' pairs among
/// themselves are those a scan of index ∪ inputs reports among them (document frequencies, idf
/// weights and rewrite candidates are taken over the union: `index::against`), and
/// each input's matches in the index are those of [`crate::index::query::query`] that the
/// same scan reports between the two (identical copies are paired through their first copy
/// in id order, as scan groups them: `Copies`). The texts are held in memory (the index
/// query takes them all at once).
pub fn analyze_streamed_against(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    scratch: &Scratch,
    index: &Index,
    config: &Config,
    progress: &dyn Progress,
) -> Result<(Streamed, Vec<QueryResult>)> {
    index.check_config(config)?;
    index.check_bigram_postings(config)?;
    let mut ingest = Ingest::new(config, scratch)?;
    let mut docs: Vec<Document> = Vec::new();
    let mut next = 0usize;
    let flush = |ingest: &mut Ingest, docs: &[Document], next: &mut usize| -> Result<()> {
        let texts: Vec<&str> = docs[*next..].iter().map(|d| d.text.as_str()).collect();
        ingest.add(&texts)?;
        progress.advance(texts.len() as u64);
        *next = docs.len();
        Ok(())
    };
    progress.start("fingerprint", 0);
    let mut read = stream_inputs(inputs, opts, &mut |doc| {
        docs.push(doc);
        if docs.len() - next >= BATCH_DOCS {
            flush(&mut ingest, &docs, &mut next)?;
        }
        Ok(())
    })?;
    flush(&mut ingest, &docs, &mut next)?;
    progress.finish();
    let profiler = Profiler::try_new(&config.fingerprint)?;
    let batch = Batch::new(&docs, &profiler)?;
    let union = against::union(index, &batch, config)?;
    let heads: Vec<Document> = docs
        .iter()
        .map(|d| Document {
            text: String::new(),
            ..d.clone()
        })
        .collect();
    let matches = query_batch(index, &batch, &union, config)?;
    let copies = Copies::new(index, &batch, &matches)?;
    let outside = union.outside(&batch, &copies);
    let (analysis, texts) = ingest.finish_with(&heads, Some(&outside), progress)?;
    let matches = copies.filter(matches);
    drop(batch);
    read.documents = heads;
    Ok((
        Streamed {
            read,
            analysis,
            texts,
            scratch: scratch.clone(),
        },
        matches,
    ))
}

impl Streamed {
    /// The provenance of the analysis ([`trace`](crate::trace) for a streamed corpus): texts
    /// are read back from the store a block at a time, so memory stays bounded by the scratch
    /// budget the analysis ran with.
    pub fn trace(&self, config: &Config, agencies: &AgencyTable) -> Result<Provenance> {
        crate::provenance::trace_stored(
            &self.read.documents,
            &self.texts,
            &self.analysis,
            config,
            agencies,
            &self.scratch,
        )
    }

    /// The text of the document read at input position `input_index` (the position in
    /// `read.documents`; each of `analysis.documents` carries its own as `input_index`).
    pub fn text(&self, input_index: usize) -> Result<String> {
        Ok(self.texts.text(input_index)?.into_owned())
    }

    /// The texts the HTML page shows (whole) and the Markdown report quotes (passages), by
    /// canonical position: those of documents in a pair, read back from the store; empty for
    /// the rest. Memory grows with the texts of related documents, as the HTML page does.
    pub fn related_texts(&self) -> Result<Vec<String>> {
        let mut related = vec![false; self.analysis.documents.len()];
        for p in &self.analysis.pairs {
            related[p.a.index()] = true;
            related[p.b.index()] = true;
        }
        let mut out = Vec::with_capacity(related.len());
        for (d, r) in self.analysis.documents.iter().zip(related) {
            out.push(if r {
                self.texts.text(d.input_index)?.into_owned()
            } else {
                String::new()
            });
        }
        Ok(out)
    }

    /// Every document read, with its text read back from the store, in input order (for work
    /// that needs all texts in memory, such as querying an index with them).
    pub fn documents_with_texts(&self) -> Result<Vec<Document>> {
        let mut docs = self.read.documents.clone();
        for (i, d) in docs.iter_mut().enumerate() {
            d.text = self.texts.text(i)?.into_owned();
        }
        Ok(docs)
    }
}
