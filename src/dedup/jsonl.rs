//! Deduplicating a record file (JSONL; CSV/TSV and Parquet too, written back in their format
//! by the `table` module) with memory that grows with the number of records, not their text:
//! what `stemma dedup` runs. The IO edge of [`crate::dedup`] (which stays pure).
//!
//! Up to three streaming passes over the input ([`plan`] runs the first two, [`Plan::write`] or
//! [`Plan::write_files`] the last):
//!
//! 1. Per record only its id, MinHash signature, token count, content hash (and
//!    `published_at` under [`KeepPolicy::Earliest`]); texts are dropped once fingerprinted
//!    (records are parsed and fingerprinted in parallel batches).
//! 2. LSH candidates whose estimated Jaccard is not far below the threshold are verified
//!    exactly on shingle sets recomputed from the input, for the records involved only
//!    (skipped when there are none). A plain JSONL file or an in-memory input is read at the
//!    records' byte spans, a few hundred pairs at a time; a compressed input, CSV/TSV or
//!    Parquet is read again as a stream and holds the sets of every record asked for.
//! 3. Kept records are copied byte for byte, in input order, without parsing them again;
//!    removed ones are written as they come, each with `"stemma": {"duplicate_of", "relation",
//!    "jaccard"}` added.
//!
//! Memory: about `num_perm * 4` bytes plus the id per record, and the records of candidate
//! pairs. [`Plan::write_files`] writes every output atomically (temporary file, rename), gzip
//! or zstd by the name's extension.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::table::{self, Fates};
use super::{dedup_keys, Decision, KeepPolicy, KeyRecord};
use crate::config::Config;
use crate::corpus::{
    for_each_jsonl_in, for_each_jsonl_in_par, for_each_jsonl_line, for_each_jsonl_line_in,
    for_each_record_par, At, Document, JsonlStats, ReadOptions, RecordFormat,
};
use crate::error::{Error, Result};
use crate::output::write_atomic_compressed;
use crate::pipeline::Progress;
use crate::profile::Profiler;
use crate::report::round4;
use crate::similarity::overlap;

/// Pairs verified together: at most twice as many shingle sets are held at once.
const VERIFY_CHUNK: usize = 256;

/// Where the records come from.
///
/// ```
/// use std::path::PathBuf;
/// use stemma::JsonlSource;
///
/// let from_file = JsonlSource::File(PathBuf::from("corpus/feed.jsonl.zst"));
/// let in_memory = JsonlSource::Bytes(b"{\"id\": \"a\", \"text\": \"One.\"}\n".to_vec());
/// # let _ = (from_file, in_memory);
/// ```
#[derive(Debug, Clone)]
pub enum Source {
    /// A file: `.jsonl`/`.ndjson`, `.csv`, `.tsv` (each optionally `.gz` or `.zst`) or
    /// `.parquet`; its format is told by its name ([`RecordFormat::of`]).
    File(PathBuf),
    /// JSONL held in memory (named `-` in messages, as standard input is): read three times,
    /// so standard input is spooled here first.
    Bytes(Vec<u8>),
}

impl Source {
    fn name(&self) -> &Path {
        match self {
            Source::File(path) => path,
            Source::Bytes(_) => Path::new("-"),
        }
    }

    /// The format of the records: a file's by its name (JSONL when it says none).
    fn format(&self) -> RecordFormat {
        match self {
            Source::File(path) => RecordFormat::of(path).unwrap_or(RecordFormat::Jsonl),
            Source::Bytes(_) => RecordFormat::Jsonl,
        }
    }

    /// Records can be read again at their byte span (JSONL, not compressed).
    fn random_access(&self) -> bool {
        match self {
            Source::File(path) => {
                let name = path.to_string_lossy().to_ascii_lowercase();
                self.format() == RecordFormat::Jsonl
                    && !(name.ends_with(".gz") || name.ends_with(".zst"))
            }
            Source::Bytes(_) => true,
        }
    }
}

/// The decision for every record of a JSONL input, before the outputs are written.
///
/// ```
/// use stemma::corpus::ReadOptions;
/// use stemma::dedup::KeepPolicy;
/// use stemma::{dedup_jsonl, Config, JsonlSource, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let jsonl = format!("{}\n{}\n", serde_json::json!({"id": "a", "text": story}), serde_json::json!({"id": "b", "text": story}));
/// let plan = dedup_jsonl(
///     JsonlSource::Bytes(jsonl.into_bytes()),
///     &ReadOptions::default(),
///     &Config::default(),
///     KeepPolicy::First,
///     &Silent,
/// )?;
/// assert_eq!(plan.ids, ["a", "b"]);
/// assert_eq!(plan.pair_lines().len(), 1);
/// # Ok::<(), stemma::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Plan {
    source: Source,
    opts: ReadOptions,
    /// The id of every record kept for deciding, in input order (renamed under
    /// `--on-duplicate-id rename`).
    pub ids: Vec<String>,
    /// The line of each of those records.
    lines: Vec<u64>,
    /// Which records are removed, and as duplicates of which.
    pub decision: Decision,
    /// Counts from reading (bad records skipped, warnings).
    pub stats: JsonlStats,
    /// Warnings about repeated ids (renamed or skipped).
    pub id_warnings: Vec<String>,
}

/// One verified duplicate pair, as `stemma dedup --pairs` writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairLine<'a> {
    /// The first record's id (in input order).
    pub a: &'a str,
    /// The second record's id.
    pub b: &'a str,
    /// Exact Jaccard of the shingle sets, rounded to 4 decimals.
    pub jaccard: f64,
}

/// What [`Plan::write_files`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Written {
    /// Records read (bad ones and skipped repeated ids excepted).
    pub read: usize,
    /// Records kept.
    pub kept: usize,
    /// Records removed.
    pub removed: usize,
}

/// Reads `source` and decides which records to keep (passes 1 and 2 of the module docs).
///
/// Progress: `fingerprint` (records, total unknown), then `verify` (pairs, total unknown).
///
/// ```
/// use stemma::corpus::ReadOptions;
/// use stemma::dedup::jsonl::{plan, Source};
/// use stemma::dedup::KeepPolicy;
/// use stemma::{Config, Silent};
///
/// let story = "The minister said on Friday that the new bridge over the river will open in \
///              March after two years of work, and that tolls will be lower than planned.";
/// let jsonl = format!(
///     "{}\n{}\n{}\n",
///     serde_json::json!({"id": "a", "text": story}),
///     serde_json::json!({"id": "b", "text": story.to_uppercase()}),
///     serde_json::json!({"id": "c", "text": "Something else entirely, about the weather."}),
/// );
/// let plan = plan(
///     Source::Bytes(jsonl.into_bytes()),
///     &ReadOptions::default(),
///     &Config::default(),
///     KeepPolicy::First,
///     &Silent,
/// )
/// .unwrap();
/// let (mut kept, mut removed) = (Vec::new(), Vec::new());
/// let written = plan.write(&mut kept, Some(&mut removed)).unwrap();
/// assert_eq!((written.kept, written.removed), (2, 1));
/// assert!(String::from_utf8(removed).unwrap().contains(r#""duplicate_of":"a""#));
/// ```
pub fn plan(
    source: Source,
    opts: &ReadOptions,
    config: &Config,
    keep: KeepPolicy,
    progress: &dyn Progress,
) -> Result<Plan> {
    let profiler = Profiler::try_new(&config.fingerprint)?;
    let want_date = keep == KeepPolicy::Earliest;
    let mut records: Vec<KeyRecord> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let key_of = |_line: u64, d: Document| {
        let record = KeyRecord {
            key: profiler.dedup_key(&d.text),
            published_at: if want_date { d.meta.published_at } else { None },
        };
        (record, d.id)
    };
    // Where each record is in the input as read: its line, and, when the input can be read at
    // an offset, its byte span, for the verification pass to read it again without scanning.
    let random_access = source.random_access();
    let mut spans: Vec<(u64, u64)> = Vec::new();
    // Id -> the line it was first seen on; a repeated id is refused, renamed or skipped
    // (`on_duplicate_id`), with a warning for the last two.
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut id_warnings: Vec<String> = Vec::new();
    let name = source.name().display().to_string();
    progress.start("fingerprint", 0);
    let mut on_record = |at: At, raw: &[u8], keyed: Result<(KeyRecord, String)>| {
        progress.advance(1);
        let Ok((record, mut id)) = keyed else {
            return Ok(()); // a bad record skipped under skip_bad
        };
        if let Some(first) = seen.get(&id) {
            let (first, second) = (format!("{name}:{first}"), format!("{name}:{}", at.line));
            let (renamed, warning) = opts
                .on_duplicate_id
                .resolve(&id, &first, &second, |c| seen.contains_key(c))?;
            id_warnings.push(warning);
            match renamed {
                Some(new) => id = new,
                None => return Ok(()), // keep-first: skipped, like a bad record
            }
        }
        seen.insert(id.clone(), at.line);
        lines.push(at.line);
        if random_access {
            spans.push((at.offset, at.offset + raw.len() as u64));
        }
        records.push(record);
        ids.push(id);
        Ok(())
    };
    let stats = match &source {
        Source::Bytes(buf) => for_each_jsonl_in_par(
            &mut buf.as_slice(),
            Path::new("-"),
            opts,
            key_of,
            &mut on_record,
        )?,
        Source::File(path) => for_each_record_par(path, opts, key_of, &mut on_record)?,
    };
    progress.finish();
    drop(seen);
    let input = source.name();
    let shingles_of = |bytes: &[u8]| -> Result<Vec<u64>> {
        let mut set = Vec::new();
        for_each_jsonl_in(&mut &bytes[..], input, opts, |_, _, doc| {
            if let Ok(doc) = doc {
                set = profiler.shingle_set(&doc.text);
            }
            Ok(())
        })?;
        Ok(set)
    };
    let read_error = |source| Error::Read {
        path: input.to_path_buf(),
        source,
    };
    progress.start("verify", 0);
    let exact = |pairs: &[(u32, u32)]| -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(pairs.len());
        if random_access {
            // One open file for every span: positioned reads, no seek, shared by the workers.
            let spanned = match &source {
                Source::Bytes(buf) => Spans::Memory(buf),
                Source::File(path) => Spans::File(std::fs::File::open(path).map_err(read_error)?),
            };
            for chunk in pairs.chunks(VERIFY_CHUNK) {
                let mut ids: Vec<u32> = chunk.iter().flat_map(|&(a, b)| [a, b]).collect();
                ids.sort_unstable();
                ids.dedup();
                let sets = ids
                    .par_iter()
                    .map(|i| {
                        let (start, end) = spans[*i as usize];
                        shingles_of(&spanned.read(start, end).map_err(read_error)?)
                    })
                    .collect::<Result<Vec<_>>>()?;
                let set = |i: u32| &sets[ids.binary_search(&i).unwrap_or_default()];
                out.extend(chunk.iter().map(|&(a, b)| overlap(set(a), set(b)).jaccard));
                progress.advance(chunk.len() as u64);
            }
        } else {
            let mut needed: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
            needed.sort_unstable();
            needed.dedup();
            // Records are numbered by their line: the lines of the records asked for.
            let wanted: Vec<u64> = needed.iter().map(|&i| lines[i as usize]).collect();
            let mut sets: Vec<Vec<u64>> = Vec::with_capacity(needed.len());
            let set_of = |line: u64, doc: Document| {
                wanted
                    .binary_search(&line)
                    .is_ok()
                    .then(|| profiler.shingle_set(&doc.text))
            };
            for_each_record_par(input, opts, set_of, |_, _, set| {
                if let Ok(Some(set)) = set {
                    sets.push(set);
                }
                Ok(())
            })?;
            if sets.len() != needed.len() {
                return Err(read_error(std::io::Error::other(
                    "the input changed while it was read",
                )));
            }
            let set = |i: u32| &sets[needed.binary_search(&i).unwrap_or_default()];
            out.extend(pairs.iter().map(|&(a, b)| overlap(set(a), set(b)).jaccard));
            progress.advance(pairs.len() as u64);
        }
        Ok(out)
    };
    let decision = dedup_keys(&records, config, keep, exact)?;
    progress.finish();
    Ok(Plan {
        opts: opts.clone(),
        source,
        ids,
        lines,
        decision,
        stats,
        id_warnings,
    })
}

impl Plan {
    /// The verified duplicate pairs, as `--pairs` writes them.
    pub fn pair_lines(&self) -> Vec<PairLine<'_>> {
        self.decision
            .pairs
            .iter()
            .map(|p| PairLine {
                a: &self.ids[p.a],
                b: &self.ids[p.b],
                jaccard: round4(p.jaccard),
            })
            .collect()
    }

    /// Pass 3: copies the kept records to `kept` (unchanged, in input order) and the removed
    /// ones, annotated, to `removed` when given.
    pub fn write(&self, kept: &mut dyn Write, removed: Option<&mut dyn Write>) -> Result<Written> {
        let (name, silent) = (Path::new("-"), &crate::pipeline::Silent);
        let n = self
            .copy(kept, removed, name, name, silent)
            .map_err(|source| Error::Write {
                path: name.to_path_buf(),
                source,
            })?;
        Ok(self.written(n))
    }

    /// Pass 3 into files: the kept records to `output`, the removed ones to `removed`, the
    /// duplicate pairs to `pairs` (JSONL: a, b, jaccard). Each is written atomically, gzip or
    /// zstd when its name ends in `.gz` or `.zst`; `-` is standard output. Progress: `write`
    /// (records, total known).
    pub fn write_files(
        &self,
        output: &Path,
        removed: Option<&Path>,
        pairs: Option<&Path>,
        progress: &dyn Progress,
    ) -> Result<Written> {
        let mut kept = 0usize;
        progress.start("write", self.lines.len() as u64);
        let none = Path::new("");
        write_atomic_compressed(output, |w| match removed {
            Some(path) => write_atomic_compressed(path, |rw| {
                kept = self.copy(w, Some(rw), output, path, progress)?;
                Ok(())
            })
            .map_err(std::io::Error::other),
            None => {
                kept = self.copy(w, None, output, none, progress)?;
                Ok(())
            }
        })?;
        progress.finish();
        if let Some(path) = pairs {
            let lines = self.pair_lines();
            write_atomic_compressed(path, |w| crate::report::json::write_jsonl(&lines, w))?;
        }
        Ok(self.written(kept))
    }

    fn written(&self, kept: usize) -> Written {
        Written {
            read: self.lines.len(),
            kept,
            removed: self.lines.len() - kept,
        }
    }

    /// Copies kept records unchanged, without parsing them again (records are known by their
    /// line numbers); removed ones annotated, written as they come. Returns the kept count.
    /// CSV/TSV and Parquet are written in their format (the `table` module).
    fn copy(
        &self,
        w: &mut dyn Write,
        mut removed_w: Option<&mut dyn Write>,
        output: &Path,
        removed_path: &Path,
        progress: &dyn Progress,
    ) -> std::io::Result<usize> {
        let format = self.source.format();
        if let (Source::File(path), true) = (&self.source, format != RecordFormat::Jsonl) {
            let mut fates = Fates {
                lines: &self.lines,
                duplicate_of: &self.decision.duplicate_of,
                ids: &self.ids,
                next: 0,
            };
            let kept = match format {
                #[cfg(feature = "parquet")]
                RecordFormat::Parquet => {
                    table::copy_parquet(path, &mut fates, w, removed_w, progress)?
                }
                _ => table::copy_csv(path, format, &mut fates, w, removed_w, progress)?,
            };
            return match fates.next == self.lines.len() {
                true => Ok(kept),
                false => Err(std::io::Error::other(format!(
                    "{}: the input changed while it was read",
                    path.display()
                ))),
            };
        }
        let mut kept = 0usize;
        let mut next = 0usize; // the record the next good line is
        let mut copy = |line: u64, raw: &[u8]| -> Result<()> {
            if self.lines.get(next) != Some(&line) {
                return Ok(()); // a bad record, skipped in pass 1 too
            }
            let i = next;
            next += 1;
            if next % 4096 == 0 {
                progress.advance(4096);
            }
            match self.decision.duplicate_of.get(i).copied().flatten() {
                None => {
                    kept += 1;
                    w.write_all(raw)
                        .and_then(|_| w.write_all(b"\n"))
                        .map_err(|source| Error::Write {
                            path: output.to_path_buf(),
                            source,
                        })
                }
                Some((k, jaccard)) => match removed_w.as_mut() {
                    Some(rw) => {
                        let line = annotate(raw, &self.ids[k], jaccard);
                        rw.write_all(&line)
                            .and_then(|_| rw.write_all(b"\n"))
                            .map_err(|source| Error::Write {
                                path: removed_path.to_path_buf(),
                                source,
                            })
                    }
                    None => Ok(()),
                },
            }
        };
        let result = match &self.source {
            Source::Bytes(buf) => {
                for_each_jsonl_line_in(&mut buf.as_slice(), Path::new("-"), &self.opts, &mut copy)
            }
            Source::File(path) => for_each_jsonl_line(path, &self.opts, &mut copy),
        };
        progress.advance((next % 4096) as u64);
        match result {
            Ok(()) if next != self.lines.len() => Err(std::io::Error::other(format!(
                "{}: the input changed while it was read",
                self.source.name().display()
            ))),
            Ok(()) => Ok(kept),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

/// The removed record with `"stemma": {"duplicate_of", "relation", "jaccard"}` added.
fn annotate(raw: &[u8], kept_id: &str, jaccard: f64) -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(raw).unwrap_or(serde_json::Value::Null);
    let note = serde_json::json!({
        "duplicate_of": kept_id,
        "relation": table::relation(jaccard),
        "jaccard": round4(jaccard),
    });
    if let Some(obj) = value.as_object_mut() {
        obj.insert("stemma".to_string(), note);
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

/// Where verification reads records again: an in-memory input, or the input file (positioned
/// reads, shared by the workers).
enum Spans<'a> {
    Memory(&'a [u8]),
    File(std::fs::File),
}

impl Spans<'_> {
    /// The bytes `start..end`.
    fn read(&self, start: u64, end: u64) -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        match self {
            Spans::Memory(buf) => Ok(buf[start as usize..end as usize].to_vec()),
            Spans::File(file) => {
                let mut bytes = vec![0; (end - start) as usize];
                file.read_exact_at(&mut bytes, start)?;
                Ok(bytes)
            }
        }
    }
}
