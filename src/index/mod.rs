//! The persistent, incremental fingerprint index: a directory of immutable segment files and a
//! small manifest replaced atomically (the tantivy layout), so documents can be indexed once and
//! new documents queried against them later with the same relations and figures `scan` gives.
//!
//! Operations: [`build`] (a new index), [`add`] (a new segment), [`remove`] (tombstones: a new
//! delete file per touched segment), [`compact`] (merge every segment into one, dropping deleted
//! documents), [`Index::open`] / [`Index::verify`] / [`Index::stats`], and
//! [`query::query`].
//!
//! Invariants:
//! - **Atomic commits.** A writer writes new files under temporary names, fsyncs them, renames
//!   them to their final names, fsyncs the directory, and only then replaces `MANIFEST` the same
//!   way. Readers read only the manifest and the files it names, which are complete and never
//!   modified. A process killed at any point leaves the old manifest (and some unreferenced
//!   files, removed by the next writer) or the new one.
//! - **One writer.** Writers hold `LOCK` (created with `O_EXCL`, holding `pid=` and `host=`).
//!   A second writer is refused with the holder's pid and host. On Linux, a lock whose pid is
//!   on this host and no longer running (`/proc/<pid>` missing) is stale and taken over; else
//!   the message says to delete `LOCK` once the holder is known to be gone.
//! - **Settings stored with the data.** The manifest holds the [`FingerprintParams`] and the LSH
//!   banding; a run with other settings is refused with what differs and what to do.
//! - **Checked, never trusted.** Every file has magic, version and a checksum; every length read
//!   from disk is bounds-checked (see `format`); corruption is an error naming the file.
//!
//! - **Readers are never locked out.** A reader holds the files of the generation it opened;
//!   one that read a manifest whose files a writer then removed opens the newer generation
//!   ([`Index::open`]).
//! - **Small readers.** A reader keeps about 1% of the index in memory (SimHashes and the
//!   fences of the sorted tables, see [`segment::Segment`]) and reads the rest with positioned
//!   reads: 16 MiB resident for a 1M-document, 1.94 GB index.
//! - **Settings stored with the data.** Commands against an index take its settings
//!   ([`Index::settings`]).

pub(crate) mod against;
pub(crate) mod format;
pub mod query;
pub(crate) mod segment;

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use bitvec::prelude::{BitVec, Lsb0};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{Banding, Config, FingerprintParams};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::pipeline::{Progress, Silent};
use crate::profile::Profiler;

use format::{corrupt, frame, unframe, FORMAT_VERSION, MAGIC_DELETES, MAGIC_MANIFEST};
use segment::{DocRecord, Segment};

/// Name of the manifest file.
pub(crate) const MANIFEST: &str = "MANIFEST";
/// Name of the lock file.
pub(crate) const LOCK: &str = "LOCK";

/// One segment as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentMeta {
    /// File name inside the index directory.
    pub name: String,
    /// Documents in the segment (deleted included).
    pub docs: u64,
    /// File size.
    pub bytes: u64,
    /// The file's footer checksum.
    pub checksum: u64,
    /// Delete file, if any document is deleted.
    pub deletes: Option<String>,
    /// Deleted documents.
    pub deleted: u64,
}

/// The manifest: settings and live segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// What every fingerprint was made with.
    pub params: FingerprintParams,
    /// Bands and rows of the segments' band tables (JSON: `[bands, rows]`).
    #[serde(with = "crate::config::banding_pair")]
    pub banding: Banding,
    /// Whether segments hold texts.
    pub texts: bool,
    /// Whether stored bigrams are word bigrams whatever the shingle unit (false in indexes
    /// written before; with character shingles those hold character bigrams and are refused).
    #[serde(default)]
    pub word_bigrams: bool,
    /// Every segment holds bigram postings (which documents hold each word bigram) for the
    /// bigrams in at most this many of its documents: what rewrite candidates against the
    /// index need (bigrams in at most `min(bigram_candidates_max_df, bigram_max_df)` documents
    /// of the union link documents). 0 in indexes written before them, and after an `add` to
    /// such an index, until a `compact` rewrites every segment.
    #[serde(default)]
    pub bigram_postings_max_df: usize,
    /// Bumped by every commit.
    pub generation: u64,
    /// Number of the next segment file.
    pub next_segment: u64,
    /// Live segments, oldest first.
    pub segments: Vec<SegmentMeta>,
}

/// The bound of the bigram postings a config needs: rare bigrams link documents when found in
/// at most this many documents of the corpus.
pub fn postings_max_df(config: &Config) -> usize {
    config
        .bigram_candidates_max_df
        .min(config.bigram_max_df)
        .max(1)
}

/// The banding a config asks for.
pub(crate) fn banding_of(config: &Config) -> Banding {
    crate::candidates::lsh::banding_for(config)
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Read {
        path: path.to_path_buf(),
        source,
    }
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads and checks the manifest of `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    if !dir.is_dir() {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
            problem: if dir.exists() {
                "not a directory".into()
            } else {
                "no such directory".into()
            },
        });
    }
    let path = dir.join(MANIFEST);
    if !path.exists() {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
            problem: format!("{} is missing", path.display()),
        });
    }
    let bytes = fs::read(&path).map_err(read_err(&path))?;
    decode_manifest(&path, &bytes)
}

/// Decodes the bytes of a manifest file (`path` names it in errors): the framing with its
/// full checksum, the JSON and its format version. What [`read_manifest`] does after reading
/// the file; public so the decoder can be fuzzed (`fuzz/`) without a file per input.
pub(crate) fn decode_manifest(path: &Path, bytes: &[u8]) -> Result<Manifest> {
    let body = unframe(path, MAGIC_MANIFEST, bytes)?;
    let m: Manifest = serde_json::from_slice(body)
        .map_err(|e| corrupt(path, format!("bad manifest JSON: {e}")))?;
    if !(format::OLDEST_VERSION..=FORMAT_VERSION).contains(&m.format_version) {
        return Err(Error::IndexVersion {
            path: path.to_path_buf(),
            found: m.format_version,
            supported: FORMAT_VERSION,
        });
    }
    if m.params.shingle.unit == crate::config::TokenUnit::Chars && !m.word_bigrams {
        return Err(Error::IndexMismatch {
            path: path.to_path_buf(),
            setting: "bigrams of",
            index: "characters".into(),
            asked: "words".into(),
            hint: "an earlier stemma stored character bigrams for character shingles, which relate any two texts of a language; rebuild the index with `stemma index build`",
        });
    }
    Ok(m)
}

/// Writes `bytes` to `dir/name` durably: temporary file, fsync, rename, fsync of the directory.
fn write_durable(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    write_durable_parts(dir, name, &[bytes])
}

/// [`write_durable`] for a file given as consecutive parts, through the one atomic writer
/// ([`crate::output::write_atomic`]; its temporary file, `.NAME.stemma-tmp-PID`, is garbage to
/// the next writer if a kill leaves it).
fn write_durable_parts(dir: &Path, name: &str, parts: &[&[u8]]) -> Result<()> {
    crate::output::write_atomic(&dir.join(name), |w| {
        parts.iter().try_for_each(|part| w.write_all(part))
    })
}

/// Writes the manifest, as this build's format version (an index it wrote to may hold
/// segments an older reader cannot read).
fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let m = Manifest {
        format_version: FORMAT_VERSION,
        ..m.clone()
    };
    let body = serde_json::to_vec_pretty(&m).expect("manifest serializes");
    write_durable(dir, MANIFEST, &frame(MAGIC_MANIFEST, &body))
}

/// The write lock of an index directory, released on drop.
#[derive(Debug)]
pub(crate) struct WriteLock {
    path: PathBuf,
    _pending: crate::output::Pending,
}

fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

impl WriteLock {
    /// Takes the lock of `dir`, or fails naming the holder. A lock left by a dead process of
    /// this host is taken over (Linux: `/proc/<pid>` is checked).
    pub fn acquire(dir: &Path) -> Result<WriteLock> {
        let path = dir.join(LOCK);
        let me = format!("pid={}\nhost={}\n", std::process::id(), host_name());
        for attempt in 0..2 {
            // Registered once it is ours (never someone else's lock), atomically with its
            // creation as far as a signal is concerned (`Pending::create`).
            let created = crate::output::Pending::create(&path, || {
                OpenOptions::new().write(true).create_new(true).open(&path)
            });
            match created {
                Ok((mut f, pending)) => {
                    f.write_all(me.as_bytes())
                        .and_then(|_| f.sync_all())
                        .map_err(write_err(&path))?;
                    return Ok(WriteLock {
                        path,
                        _pending: pending,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let content = fs::read_to_string(&path).unwrap_or_default();
                    let field = |k: &str| {
                        content
                            .lines()
                            .find_map(|l| l.strip_prefix(k))
                            .unwrap_or("?")
                            .to_string()
                    };
                    let (pid, host) = (field("pid="), field("host="));
                    let dead = host == host_name()
                        && Path::new("/proc/self").exists()
                        && pid.parse::<u32>().is_ok()
                        && !Path::new(&format!("/proc/{pid}")).exists();
                    if dead && attempt == 0 {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    return Err(Error::IndexLocked { path, pid, host });
                }
                Err(e) => return Err(write_err(&path)(e)),
            }
        }
        unreachable!("the loop returns")
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// An open index: the manifest, its segments and their tombstones.
///
/// ```
/// use stemma::index::{self, query::query};
/// use stemma::{Config, Document, Index};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-index-{}", std::process::id()));
/// let _ = std::fs::remove_dir_all(&dir);
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let config = Config::default();
/// index::build(&dir, &[Document::new("agency", story)], &config, true)?;
/// index::add(&dir, &[Document::new("other", "Rain in the hills on Sunday.")], &config)?;
/// let index = Index::open(&dir)?;
/// assert_eq!(index.stats().documents, 2);
/// assert_eq!(index.verify()?, 2);
/// let results = query(&index, &[Document::new("q", &format!("(Outlet) - {story}"))], &index.settings())?;
/// assert_eq!(results[0].matches[0].id, "agency");
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Index {
    /// The directory.
    pub dir: PathBuf,
    /// The manifest read at open.
    pub manifest: Manifest,
    /// Segments in manifest order.
    pub(crate) segments: Vec<Segment>,
    /// Tombstones per segment (`true` = deleted).
    pub(crate) deleted: Vec<BitVec<u64, Lsb0>>,
}

fn read_deletes(path: &Path, docs: usize) -> Result<BitVec<u64, Lsb0>> {
    let bytes = fs::read(path).map_err(read_err(path))?;
    decode_deletes(path, &bytes, docs)
}

/// Decodes the bytes of the delete file of a segment of `docs` documents (`path` names it in
/// errors): the framing with its full checksum, then exactly `docs` tombstone bits. Public so
/// the decoder can be fuzzed (`fuzz/`) without a file per input.
pub(crate) fn decode_deletes(path: &Path, bytes: &[u8], docs: usize) -> Result<BitVec<u64, Lsb0>> {
    let body = unframe(path, MAGIC_DELETES, bytes)?;
    let mut c = format::Cursor::new(body, path);
    let bits = c.u64("bit count")?;
    if bits != docs as u64 {
        return Err(corrupt(
            path,
            format!("holds {bits} bits for a segment of {docs} documents"),
        ));
    }
    let words = c.u64s(docs.div_ceil(64), "bits")?;
    let mut bv: BitVec<u64, Lsb0> = BitVec::from_vec(words);
    bv.truncate(docs);
    Ok(bv)
}

fn encode_deletes(bits: &BitVec<u64, Lsb0>) -> Vec<u8> {
    let mut body = (bits.len() as u64).to_le_bytes().to_vec();
    let mut words = bits.clone();
    words.set_uninitialized(false);
    for w in words.as_raw_slice() {
        body.extend_from_slice(&w.to_le_bytes());
    }
    frame(MAGIC_DELETES, &body)
}

/// Summary figures of an index.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Live documents.
    pub documents: u64,
    /// Deleted documents not yet compacted away.
    pub deleted: u64,
    /// Segments.
    pub segments: usize,
    /// Bytes of all files the manifest names.
    pub bytes: u64,
    /// Whether texts are stored.
    pub texts: bool,
    /// Commit generation.
    pub generation: u64,
    /// Fingerprint parameters.
    pub params: FingerprintParams,
    /// LSH banding.
    #[serde(with = "crate::config::banding_pair")]
    pub banding: Banding,
}

impl Index {
    /// Opens the index in `dir`: manifest (full checksum), delete files (full checksum),
    /// segments (cheap checks plus one streaming pass over the sections searched on disk).
    ///
    /// Readers and writers do not lock each other out. A writer deletes the files an older
    /// manifest named only after the new manifest is in place, so a reader that read the old
    /// manifest may find one of its files gone: it then reads the manifest again and opens the
    /// newer generation (a few times at most). Once open, an index holds its files open, so
    /// a later `compact` or garbage collection does not disturb it.
    pub fn open(dir: &Path) -> Result<Index> {
        let mut attempts = 0;
        loop {
            let manifest = read_manifest(dir)?;
            let generation = manifest.generation;
            match Index::open_manifest(dir, manifest) {
                Err(Error::Read { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound
                        && attempts < 5
                        && read_manifest(dir).is_ok_and(|m| m.generation != generation) =>
                {
                    attempts += 1;
                }
                other => return other,
            }
        }
    }

    /// Opens the files `manifest` names (no retry: see [`Index::open`]).
    pub fn open_manifest(dir: &Path, manifest: Manifest) -> Result<Index> {
        let mut segments = Vec::new();
        let mut deleted = Vec::new();
        for s in &manifest.segments {
            let path = dir.join(&s.name);
            let seg = Segment::open(&path)?;
            if seg.len() as u64 != s.docs || seg.size != s.bytes {
                return Err(corrupt(
                    &path,
                    format!(
                        "the manifest lists {} documents and {} bytes, the file has {} and {}",
                        s.docs,
                        s.bytes,
                        seg.len(),
                        seg.size
                    ),
                ));
            }
            let bits = match &s.deletes {
                Some(name) => read_deletes(&dir.join(name), seg.len())?,
                None => BitVec::repeat(false, seg.len()),
            };
            segments.push(seg);
            deleted.push(bits);
        }
        Ok(Index {
            dir: dir.to_path_buf(),
            manifest,
            segments,
            deleted,
        })
    }

    /// The default [`Config`] with this index's fingerprint parameters and banding: the
    /// settings to query it with when the caller has no reason to ask for others.
    pub fn settings(&self) -> Config {
        Config {
            fingerprint: self.manifest.params.clone(),
            banding: Some(self.manifest.banding),
            ..Config::default()
        }
    }

    /// Refuses a config whose fingerprint parameters or banding differ from the index's.
    pub fn check_config(&self, config: &Config) -> Result<()> {
        check_settings(&self.dir, &self.manifest, config)
    }

    /// Refuses a config that asks for rewrite candidates (`bigram_candidates_per_document` >
    /// 0) from an index without bigram postings (written by an earlier stemma): its answers
    /// would miss the rewrites a scan of the same documents finds.
    pub fn check_bigram_postings(&self, config: &Config) -> Result<()> {
        let stored = self.manifest.bigram_postings_max_df;
        let complete = stored > 0 && self.segments.iter().all(|s| s.bigram_postings().is_some());
        if config.bigram_candidates_per_document == 0
            || (complete && stored >= postings_max_df(config))
        {
            return Ok(());
        }
        if complete {
            return Err(Error::IndexMismatch {
                path: self.dir.clone(),
                setting: "bigram postings for bigrams in at most",
                index: format!("{stored} documents"),
                asked: format!(
                    "rewrite candidates from bigrams in up to {} (bigram_candidates_max_df, bigram_max_df)",
                    postings_max_df(config)
                ),
                hint: "rebuild the index with those settings, or ask for at most the index's",
            });
        }
        Err(Error::IndexMismatch {
            path: self.dir.clone(),
            setting: "no bigram postings",
            index: "(an earlier stemma)".into(),
            asked: format!(
                "rewrite candidates ({} per document)",
                config.bigram_candidates_per_document
            ),
            hint: "run `stemma index compact` on it (rewrites every segment with bigram postings) or rebuild it with `stemma index build`",
        })
    }

    /// Live documents.
    pub fn live(&self) -> u64 {
        self.deleted
            .iter()
            .map(|d| (d.len() - d.count_ones()) as u64)
            .sum()
    }

    /// Summary figures.
    pub fn stats(&self) -> Stats {
        let m = &self.manifest;
        let del_bytes: u64 = m
            .segments
            .iter()
            .filter_map(|s| s.deletes.as_ref())
            .filter_map(|n| fs::metadata(self.dir.join(n)).ok())
            .map(|md| md.len())
            .sum();
        Stats {
            documents: self.live(),
            deleted: self.deleted.iter().map(|d| d.count_ones() as u64).sum(),
            segments: self.segments.len(),
            bytes: m.segments.iter().map(|s| s.bytes).sum::<u64>() + del_bytes,
            texts: m.texts,
            generation: m.generation,
            params: m.params.clone(),
            banding: m.banding,
        }
    }

    /// Full verification of every file: checksums, decodable blobs, the manifest's record of
    /// each segment, unique live ids. Returns the documents checked.
    pub fn verify(&self) -> Result<u64> {
        let mut checked = 0;
        for (seg, meta) in self.segments.iter().zip(&self.manifest.segments) {
            checked += seg.verify()? as u64;
            if seg.checksum()? != meta.checksum {
                return Err(corrupt(
                    &seg.path,
                    "its checksum differs from the one the manifest recorded",
                ));
            }
        }
        let mut ids = BTreeSet::new();
        for (seg, del) in self.segments.iter().zip(&self.deleted) {
            for (i, id) in seg.ids()?.into_iter().enumerate() {
                if !del[i] && !ids.insert(id.clone()) {
                    return Err(corrupt(
                        &seg.path,
                        format!("document id {id:?} is live in two segments"),
                    ));
                }
            }
        }
        Ok(checked)
    }

    /// Every live id (read from the segments: for bulk checks).
    pub fn live_ids(&self) -> Result<BTreeSet<String>> {
        Ok(self.ids_in_order()?.into_iter().collect())
    }

    /// Every live id in index order: segments in manifest order, documents in the order they
    /// were added (what `stemma index stats --ids` lists).
    pub fn ids_in_order(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (seg, del) in self.segments.iter().zip(&self.deleted) {
            for (d, id) in seg.ids()?.into_iter().enumerate() {
                if !del[d] {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    /// `(segment, document)` of the live document with this id: the index's internal
    /// coordinates, for [`remove`].
    pub(crate) fn find(&self, id: &str) -> Result<Option<(usize, u32)>> {
        for (s, seg) in self.segments.iter().enumerate() {
            if let Some(d) = seg.find(id)?.filter(|&d| !self.deleted[s][d as usize]) {
                return Ok(Some((s, d)));
            }
        }
        Ok(None)
    }
}

fn check_settings(dir: &Path, m: &Manifest, config: &Config) -> Result<()> {
    let (a, b) = (&m.params, &config.fingerprint);
    let mismatch = |setting, index: String, asked: String, hint| {
        Err(Error::IndexMismatch {
            path: dir.to_path_buf(),
            setting,
            index,
            asked,
            hint,
        })
    };
    if a.shingle != b.shingle {
        return mismatch(
            "shingle",
            a.shingle.to_string(),
            b.shingle.to_string(),
            "use the index's settings (drop --shingle or pass the index's value) or rebuild the index",
        );
    }
    if a.num_perm != b.num_perm {
        return mismatch(
            "--num-perm",
            a.num_perm.to_string(),
            b.num_perm.to_string(),
            "use the index's settings (drop --num-perm or pass the index's value) or rebuild the index",
        );
    }
    if a.fold_diacritics != b.fold_diacritics {
        return mismatch(
            "--fold-diacritics",
            a.fold_diacritics.to_string(),
            b.fold_diacritics.to_string(),
            "use the index's settings or rebuild the index",
        );
    }
    if a != b {
        return mismatch(
            "fingerprint parameters",
            serde_json::to_string(a).unwrap_or_default(),
            serde_json::to_string(b).unwrap_or_default(),
            "this stemma fingerprints differently from the one that built the index; rebuild the index",
        );
    }
    let want = banding_of(config);
    if m.banding != want {
        return mismatch(
            "LSH banding",
            m.banding.to_string(),
            want.to_string(),
            "use the --threshold the index was built with, or rebuild the index",
        );
    }
    Ok(())
}

/// Profiles documents into records, sorted by id; fails on an id given twice.
fn records(docs: &[Document], config: &Config, texts: bool) -> Result<Vec<DocRecord>> {
    let order = crate::pipeline::canonical_order(docs)?;
    let profiler = Profiler::new(&config.fingerprint);
    order
        .par_iter()
        .map(|&i| {
            let d = &docs[i];
            DocRecord::new(&d.id, &d.text, &d.meta, &profiler, texts)
        })
        .collect()
}

/// Removes files of `dir` that the manifest does not name (a crashed writer's leftovers).
fn collect_garbage(dir: &Path, m: &Manifest) {
    let mut keep: BTreeSet<&str> = [MANIFEST, LOCK].into_iter().collect();
    for s in &m.segments {
        keep.insert(&s.name);
        if let Some(d) = &s.deletes {
            keep.insert(d);
        }
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with("seg-")
                || name.starts_with(".seg-")
                || name.starts_with(".MANIFEST");
            if ours && !keep.contains(name.as_str()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

fn write_segment(dir: &Path, m: &mut Manifest, recs: &[DocRecord]) -> Result<()> {
    let name = format!("seg-{:06}.seg", m.next_segment);
    m.next_segment += 1;
    // An index written before bigram postings gets them in new segments with the default
    // bound (they are used once a compact gives every segment some).
    let postings = match m.bigram_postings_max_df {
        0 => postings_max_df(&Config::default()),
        n => n,
    };
    let parts = segment::encode_parts(
        recs,
        m.params.num_perm,
        m.banding.bands,
        m.banding.rows,
        m.texts,
        postings,
    );
    let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    write_durable_parts(dir, &name, &slices)?;
    let footer = parts.last().expect("a footer");
    m.segments.push(SegmentMeta {
        name,
        docs: recs.len() as u64,
        bytes: parts.iter().map(|p| p.len() as u64).sum(),
        checksum: u64::from_le_bytes(footer[footer.len() - 8..].try_into().expect("8")),
        deletes: None,
        deleted: 0,
    });
    Ok(())
}

/// Builds a new index in `dir` (which must not exist, or be an empty directory).
pub fn build(dir: &Path, docs: &[Document], config: &Config, texts: bool) -> Result<Stats> {
    let mut w = Writer::create(dir, config, texts)?;
    w.write(docs)?;
    w.commit()
}

/// Adds documents as a new segment. Ids already live in the index are refused.
pub fn add(dir: &Path, docs: &[Document], config: &Config) -> Result<Stats> {
    let mut w = Writer::append(dir, config)?;
    w.write(docs)?;
    w.commit()
}

/// Writes documents into an index batch by batch, each batch as its own segment file, and
/// commits them all at once: so `index build` and `index add` can stream inputs of any size
/// with memory bounded by the batch, and still leave either the old index or the new one. A
/// writer dropped without [`Writer::commit`] (an error while reading the inputs) removes the
/// segments it wrote; a killed one leaves them unreferenced, for the next writer to remove.
#[derive(Debug)]
pub struct Writer {
    dir: PathBuf,
    config: Config,
    manifest: Manifest,
    /// Ids live in the index before this writer (refused in a batch).
    live: BTreeSet<String>,
    /// Segment files written and not yet committed.
    written: Vec<PathBuf>,
    /// The directory this writer created (removed again when nothing is committed).
    created: Option<PathBuf>,
    committed: bool,
    _lock: WriteLock,
}

impl Writer {
    /// A writer for a new index in `dir` (which must not exist, or be an empty directory).
    pub fn create(dir: &Path, config: &Config, texts: bool) -> Result<Writer> {
        config.validate()?;
        if dir.join(MANIFEST).exists() {
            return Err(Error::IndexIds {
                path: dir.to_path_buf(),
                problem: "an index already exists here; use `stemma index add` to add documents, or delete the directory to rebuild".into(),
            });
        }
        if dir.exists() && fs::read_dir(dir).map_err(read_err(dir))?.next().is_some() {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
                problem: "the directory is not empty; give a new or empty directory to build into"
                    .into(),
            });
        }
        let created = (!dir.exists()).then(|| dir.to_path_buf());
        fs::create_dir_all(dir).map_err(write_err(dir))?;
        let lock = WriteLock::acquire(dir)?;
        Ok(Writer {
            dir: dir.to_path_buf(),
            config: config.clone(),
            manifest: Manifest {
                format_version: FORMAT_VERSION,
                params: config.fingerprint.clone(),
                banding: banding_of(config),
                texts,
                word_bigrams: true,
                bigram_postings_max_df: postings_max_df(config),
                generation: 0,
                next_segment: 1,
                segments: Vec::new(),
            },
            live: BTreeSet::new(),
            written: Vec::new(),
            created,
            committed: false,
            _lock: lock,
        })
    }

    /// A writer adding to the index in `dir`; `config` must match the index's settings.
    pub fn append(dir: &Path, config: &Config) -> Result<Writer> {
        let lock = WriteLock::acquire(dir)?;
        let index = Index::open(dir)?;
        index.check_config(config)?;
        collect_garbage(dir, &index.manifest);
        Ok(Writer {
            dir: dir.to_path_buf(),
            config: config.clone(),
            live: index.live_ids()?,
            manifest: index.manifest.clone(),
            written: Vec::new(),
            created: None,
            committed: false,
            _lock: lock,
        })
    }

    /// Fingerprints `docs` and writes them as one segment (not yet visible to readers). Ids
    /// already live in the index are refused.
    pub fn write(&mut self, docs: &[Document]) -> Result<()> {
        let taken: Vec<&str> = docs
            .iter()
            .filter(|d| self.live.contains(&d.id))
            .map(|d| d.id.as_str())
            .take(5)
            .collect();
        if !taken.is_empty() {
            return Err(Error::IndexIds {
                path: self.dir.clone(),
                problem: format!(
                    "document ids already in the index: {taken:?}; remove them first with `stemma index remove`"
                ),
            });
        }
        let recs = records(docs, &self.config, self.manifest.texts)?;
        self.write_records(&recs)
    }

    /// Reads `inputs` as a stream (`crate::corpus::stream_inputs`) and writes them, one
    /// segment per batch of 250 000 documents or 128 MiB of text, so memory follows the batch,
    /// not the corpus. Returns what was read (without the documents). Progress: an `index`
    /// stage counting documents as they are read (total unknown).
    pub fn write_inputs(
        &mut self,
        inputs: &[PathBuf],
        opts: &crate::corpus::ReadOptions,
        progress: &dyn Progress,
    ) -> Result<crate::corpus::ReadReport> {
        let (mut batch, mut bytes) = (Vec::new(), 0usize);
        progress.start("index", 0);
        let report = crate::corpus::stream_inputs(inputs, opts, &mut |doc| {
            bytes += doc.text.len();
            batch.push(doc);
            progress.advance(1);
            if bytes >= WRITE_BATCH_BYTES || batch.len() >= WRITE_BATCH_DOCS {
                self.write(&batch)?;
                batch.clear();
                bytes = 0;
            }
            Ok(())
        })?;
        self.write(&batch)?;
        progress.finish();
        Ok(report)
    }

    /// Writes already fingerprinted documents as one segment (none: nothing written).
    fn write_records(&mut self, recs: &[DocRecord]) -> Result<()> {
        if !recs.is_empty() {
            write_segment(&self.dir, &mut self.manifest, recs)?;
            let name = &self.manifest.segments.last().expect("just written").name;
            self.written.push(self.dir.join(name));
        }
        Ok(())
    }

    /// Makes everything written visible at once (one manifest replacement), then removes the
    /// files the new manifest does not name (segments a compact replaced), still under the
    /// lock.
    pub fn commit(mut self) -> Result<Stats> {
        self.manifest.generation += 1;
        write_manifest(&self.dir, &self.manifest)?;
        self.committed = true;
        collect_garbage(&self.dir, &self.manifest);
        Ok(Index::open(&self.dir)?.stats())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for path in &self.written {
            let _ = fs::remove_file(path);
        }
        if let Some(dir) = &self.created {
            // Only if nothing else is left (the lock is released after this runs).
            let _ = fs::remove_file(dir.join(LOCK));
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Deletes documents by id (tombstones). Unknown ids are an error, and nothing is removed.
pub fn remove(dir: &Path, ids: &[String]) -> Result<Stats> {
    let _lock = WriteLock::acquire(dir)?;
    let mut index = Index::open(dir)?;
    let mut m = index.manifest.clone();
    collect_garbage(dir, &m);
    let live = index.live_ids()?;
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !live.contains(*id))
        .take(5)
        .collect();
    if !missing.is_empty() {
        return Err(Error::IndexIds {
            path: dir.to_path_buf(),
            problem: format!("no live document with id {missing:?}; nothing was removed (see the ids with `stemma index stats --ids`)"),
        });
    }
    let mut touched = BTreeSet::new();
    for id in ids {
        if let Some((s, d)) = index.find(id)? {
            index.deleted[s].set(d as usize, true);
            touched.insert(s);
        }
    }
    m.generation += 1;
    for s in touched {
        let name = format!(
            "{}.del-{:06}",
            m.segments[s].name.trim_end_matches(".seg"),
            m.generation
        );
        write_durable(dir, &name, &encode_deletes(&index.deleted[s]))?;
        m.segments[s].deletes = Some(name);
        m.segments[s].deleted = index.deleted[s].count_ones() as u64;
    }
    write_manifest(dir, &m)?;
    collect_garbage(dir, &m);
    drop(index);
    Ok(Index::open(dir)?.stats())
}

/// Text per segment written by [`Writer::write_inputs`] at most...
const WRITE_BATCH_BYTES: usize = 128 << 20;
/// ...and documents.
const WRITE_BATCH_DOCS: usize = 250_000;

/// Documents per segment written by [`compact`] at most...
const COMPACT_DOCS: usize = 250_000;
/// ...and bytes of per-document data (blob, winnowed fingerprints, bigrams, signature) at most.
const COMPACT_BYTES: usize = 256 << 20;

/// Merges the segments, dropping deleted documents: the live documents are rewritten, in
/// segment order, into new segments of up to 250 000 documents or 256 MiB of document data
/// each (so one segment for any index that fits), each sorted by id. Memory holds one such
/// batch, not the index. Made visible by one manifest replacement: a crash leaves the old
/// index, and the new segment files written so far are removed (or, after `kill -9`, by the
/// next writer).
pub fn compact(dir: &Path) -> Result<Stats> {
    compact_in(dir, COMPACT_DOCS, COMPACT_BYTES, &Silent)
}

/// [`compact`], reporting a `compact` stage that counts the live documents rewritten.
pub fn compact_with_progress(dir: &Path, progress: &dyn Progress) -> Result<Stats> {
    compact_in(dir, COMPACT_DOCS, COMPACT_BYTES, progress)
}

/// [`compact`] into segments of at most `max_docs` documents or about `max_bytes` of document
/// data each (at least one document per segment): for tests that need several segments from a
/// small index (`stemma::fuzzing::index::compact_with`); users get the sizes [`compact`] picks.
pub(crate) fn compact_with(dir: &Path, max_docs: usize, max_bytes: usize) -> Result<Stats> {
    compact_in(dir, max_docs, max_bytes, &Silent)
}

fn compact_in(
    dir: &Path,
    max_docs: usize,
    max_bytes: usize,
    progress: &dyn Progress,
) -> Result<Stats> {
    let lock = WriteLock::acquire(dir)?;
    let index = Index::open(dir)?;
    collect_garbage(dir, &index.manifest);
    // A writer whose new manifest names only the segments it writes: committing it replaces
    // the old segments; dropping it uncommitted removes the new ones.
    let mut manifest = index.manifest.clone();
    manifest.segments.clear();
    // Every segment is rewritten, each with its bigram postings.
    if manifest.bigram_postings_max_df == 0 {
        manifest.bigram_postings_max_df = postings_max_df(&index.settings());
    }
    let mut writer = Writer {
        dir: dir.to_path_buf(),
        config: index.settings(),
        manifest,
        live: BTreeSet::new(),
        written: Vec::new(),
        created: None,
        committed: false,
        _lock: lock,
    };
    let profiler = Profiler::new(&index.manifest.params);
    progress.start("compact", index.live());
    let mut recs: Vec<DocRecord> = Vec::new();
    let mut bytes = 0usize;
    let flush = |writer: &mut Writer, recs: &mut Vec<DocRecord>| -> Result<()> {
        recs.sort_by(|a, b| a.id.cmp(&b.id));
        writer.write_records(recs)?;
        recs.clear();
        Ok(())
    };
    for (seg, del) in index.segments.iter().zip(&index.deleted) {
        let winnowed = seg.winnowed_by_doc()?;
        for (d, winnowed) in winnowed.into_iter().enumerate() {
            if del[d] {
                continue;
            }
            let e = seg.doc(d as u32)?;
            let (view, _) = seg.view(d as u32, &profiler)?;
            let rec = DocRecord {
                id: seg.id(d as u32)?,
                tokens: e.tokens,
                shingles: e.shingles,
                content_hash: e.content_hash,
                simhash: e.simhash,
                signature: seg.signature(d as u32)?,
                winnowed,
                bigrams: view.bigram_set,
                blob: seg.raw_blob(d as u32)?,
            };
            bytes += rec.id.len()
                + rec.blob.len()
                + 8 * (rec.winnowed.len() + rec.bigrams.len())
                + 4 * rec.signature.len();
            recs.push(rec);
            progress.advance(1);
            if recs.len() >= max_docs || bytes >= max_bytes {
                flush(&mut writer, &mut recs)?;
                bytes = 0;
            }
        }
    }
    flush(&mut writer, &mut recs)?;
    progress.finish();
    writer.commit()
}
