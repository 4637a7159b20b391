//! Reading corpora: plain-text files, directory trees of them, and record files — JSONL and
//! CSV/TSV (optionally gzip or zstd compressed) and Parquet — into [`Document`]s with an id,
//! text, metadata and an [`Origin`].
//!
//! Inputs are read by [`read_inputs`]:
//! - `-` is stdin: JSONL, or one document with id `-` when [`ReadOptions::stdin_as_text`].
//! - A directory is walked recursively. `.txt`, `.md` and `.markdown` files are documents whose
//!   id is the path relative to the directory with `/` separators (`sub/a.txt`); record files
//!   (see [`RecordFormat::of`]) are read as records; everything else, and files with a NUL
//!   byte in their first 8 KiB, is skipped and counted. Symlinked files are read, symlinked directories
//!   are not followed (so symlink loops cannot hang the walk).
//! - A file given explicitly is a record file if [`RecordFormat::of`] says so; a name that
//!   says another format stemma does not read (`.json`, `.avro`, a `.gz`/`.zst` that is not
//!   JSONL/CSV/TSV, `.pdf`, ...) is refused with [`Error::UnsupportedInput`], never read as text;
//!   anything else is one text document whose id is the path as given (even without an
//!   extension, even with NUL bytes — with a warning).
//!
//! Guarantees:
//! - Determinism: inputs in the order given, directory entries sorted by their relative path
//!   (byte order), records in file order.
//! - Records: every format maps a record to a document by the same rules (the `record`
//!   module): `--text-field` may be a dotted path (`meta.body`) or several fields joined
//!   (`title,text`); CSV/TSV and Parquet rows are read as the `table` module says (only the
//!   columns a document needs; a missing text column is an error listing the columns).
//! - Ids are unique across all inputs, else [`Error::DuplicateId`] names both places (or, as
//!   [`ReadOptions::on_duplicate_id`] says, a repeated id is renamed `ID#2` or skipped, with a
//!   warning). With several inputs, the ids of a directory's files are prefixed by the
//!   directory as given (`d1/story.txt`), so two roots holding the same relative path stay
//!   apart; with one input they are relative to it (`story.txt`). A JSONL record without an
//!   id field gets `FILE:LINE` (one warning per file).
//! - Memory: JSONL is read line by line through one reusable buffer that never holds more than
//!   [`ReadOptions::max_line_bytes`]; a text file is read only up to
//!   [`ReadOptions::max_doc_bytes`] (plus a few bytes to spot truncation and a BOM).
//! - Text is valid UTF-8: a UTF-8 BOM is stripped; invalid sequences in text files become
//!   U+FFFD with a warning naming the file and the byte offset of the first bad sequence.
//! - Every error names the path (and line) and says what to do.
//!
//! Not done here: no language detection, no normalization (see the text module), no check that
//! a text file is "really" text beyond the NUL sniff, no decompression of text files (`a.txt.gz`
//! given explicitly is refused), and no
//! [`Error::NoDocuments`]: an empty result is `Ok`, the caller decides whether that is an error.

pub(crate) mod jsonl;
#[cfg(feature = "parquet")]
pub(crate) mod parquet;
mod record;
pub(crate) mod table;
#[cfg(test)]
mod tests;

pub(crate) use jsonl::{
    for_each_jsonl_in, for_each_jsonl_in_par, for_each_jsonl_line, for_each_jsonl_line_in,
    for_each_jsonl_par, At,
};
pub use record::{text_fields, TEXT_FIELD_JOINER};
pub use table::RecordFormat;

/// Without the `parquet` feature, a Parquet input is refused with a message saying so.
#[cfg(not(feature = "parquet"))]
mod parquet {
    use super::table::Row;
    use super::ReadOptions;
    use crate::error::{Error, Result};
    use std::path::Path;

    pub(crate) fn rows(
        path: &Path,
        _opts: &ReadOptions,
        _f: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        Err(Error::UnsupportedInput {
            path: path.to_path_buf(),
            problem: "this stemma was built without Parquet support (the `parquet` cargo feature); rebuild it with default features, or convert the table to JSONL".into(),
        })
    }
}
pub use jsonl::{is_jsonl_path, JsonlStats};

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Optional metadata of a document; only records (JSONL, CSV/TSV, Parquet) carry it.
///
/// ```
/// use stemma::corpus::{read_inputs, ReadOptions};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-meta-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("feed.jsonl");
/// std::fs::write(&path, r#"{"id": "a", "text": "A text.", "outlet": "Outlet", "published_at": "2026-03-01"}"#)?;
/// let read = read_inputs(&[path], &ReadOptions::default())?;
/// let meta = &read.documents[0].meta;
/// assert_eq!(meta.outlet.as_deref(), Some("Outlet"));
/// assert_eq!(meta.published_at.as_deref(), Some("2026-03-01"));
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// Publisher or site name.
    pub outlet: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Headline or title.
    pub title: Option<String>,
    /// Publication time, as written in the input (not parsed).
    pub published_at: Option<String>,
    /// Language tag, as written in the input.
    pub lang: Option<String>,
}

/// Where a document was read from: a file (or `-` for stdin) and, for JSONL, the 1-based line.
///
/// ```
/// use stemma::corpus::{read_inputs, ReadOptions};
///
/// let dir = std::env::temp_dir().join(format!("stemma-doc-origin-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("feed.jsonl");
/// std::fs::write(&path, "{\"id\": \"a\", \"text\": \"One.\"}\n{\"id\": \"b\", \"text\": \"Two.\"}\n")?;
/// let read = read_inputs(&[path.clone()], &ReadOptions::default())?;
/// assert_eq!(read.documents[1].origin.line, Some(2));
/// assert_eq!(read.documents[1].origin.to_string(), format!("{}:2", path.display()));
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as reached from the inputs (`dir/sub/a.txt`), or `-` for stdin.
    pub path: PathBuf,
    /// 1-based line number of a JSONL record; `None` for a text document.
    pub line: Option<u64>,
}

impl fmt::Display for Origin {
    /// `path` or `path:line`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// One document of the corpus.
///
/// ```
/// use stemma::{Document, Meta};
///
/// let mut doc = Document::new("outlet-1", "The new bridge opens in March.");
/// doc.meta = Meta { outlet: Some("Outlet".into()), ..Meta::default() };
/// // A document built in memory names its id as its origin in messages.
/// assert_eq!(doc.origin.to_string(), "outlet-1");
/// ```
#[derive(Debug, Clone)]
pub struct Document {
    /// Unique id (see the module docs for how it is chosen).
    pub id: String,
    /// The text, valid UTF-8, at most [`ReadOptions::max_doc_bytes`] bytes.
    pub text: String,
    /// Metadata (all `None` for text files).
    pub meta: Meta,
    /// Where it came from.
    pub origin: Origin,
}

/// How inputs are read. Flag names in messages (`--text-field`, ...) are the CLI's.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// JSONL field holding the text. Default `"text"`.
    pub text_field: String,
    /// JSONL field holding the id (a string or a number). Default `"id"`. A record without it
    /// gets its place as id, `FILE:LINE` (`-:LINE` on stdin), with one warning per file.
    pub id_field: String,
    /// JSONL field for [`Meta::outlet`]. Default `"outlet"`.
    pub outlet_field: String,
    /// JSONL field for [`Meta::url`]. Default `"url"`.
    pub url_field: String,
    /// JSONL field for [`Meta::title`]. Default `"title"`.
    pub title_field: String,
    /// JSONL field for [`Meta::published_at`]. Default `"published_at"`; with the default name,
    /// a record without that key falls back to its `"date"` field.
    pub published_at_field: String,
    /// JSONL field for [`Meta::lang`]. Default `"lang"`.
    pub lang_field: String,
    /// Skip bad JSONL records (counted, with a warning) instead of failing. Default false.
    pub skip_bad: bool,
    /// Longer texts are truncated at a char boundary (counted, with a warning). Default 16 MiB.
    pub max_doc_bytes: usize,
    /// A longer JSONL line (terminator excluded) is a bad record; it is never buffered whole.
    /// Default 256 MiB.
    pub max_line_bytes: usize,
    /// Read stdin (`-`) as one text document with id `-` instead of JSONL. Default false.
    pub stdin_as_text: bool,
    /// What to do with a document whose id was seen before. Default [`OnDuplicateId::Error`].
    pub on_duplicate_id: OnDuplicateId,
}

/// What to do with a document whose id an earlier document already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicateId {
    /// Stop with [`Error::DuplicateId`], naming both places.
    #[default]
    Error,
    /// Keep it under the id with `#2` appended (`#3`, ... when that is taken too), with a
    /// warning.
    Rename,
    /// Skip it, keeping the first, with a warning.
    KeepFirst,
}

impl std::str::FromStr for OnDuplicateId {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "error" => Ok(OnDuplicateId::Error),
            "rename" => Ok(OnDuplicateId::Rename),
            "keep-first" => Ok(OnDuplicateId::KeepFirst),
            other => Err(format!("{other:?} is not one of error, rename, keep-first")),
        }
    }
}

impl OnDuplicateId {
    /// What becomes of a document whose `id` was seen before at `first`, found at `second`:
    /// `Ok(Some(new id))` under `rename` (the first of `id#2`, `id#3`, ... for which `taken`
    /// is false), `Ok(None)` to skip it under `keep-first`, the error under `error`; with the
    /// warning to give, when one is due.
    pub fn resolve(
        self,
        id: &str,
        first: &str,
        second: &str,
        taken: impl Fn(&str) -> bool,
    ) -> Result<(Option<String>, String)> {
        match self {
            OnDuplicateId::Error => Err(Error::DuplicateId {
                id: id.to_string(),
                first: first.to_string(),
                second: second.to_string(),
            }),
            OnDuplicateId::Rename => {
                let new = (2u64..)
                    .map(|n| format!("{id}#{n}"))
                    .find(|c| !taken(c))
                    .unwrap_or_default();
                let warning = format!(
                    "{second}: duplicate id {id:?} (first at {first}) renamed to {new:?} (--on-duplicate-id rename)"
                );
                Ok((Some(new), warning))
            }
            OnDuplicateId::KeepFirst => Ok((
                None,
                format!(
                    "{second}: duplicate id {id:?} (first at {first}): skipped (--on-duplicate-id keep-first)"
                ),
            )),
        }
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            text_field: "text".into(),
            id_field: "id".into(),
            outlet_field: "outlet".into(),
            url_field: "url".into(),
            title_field: "title".into(),
            published_at_field: "published_at".into(),
            lang_field: "lang".into(),
            skip_bad: false,
            max_doc_bytes: 16 << 20,
            max_line_bytes: 256 << 20,
            stdin_as_text: false,
            on_duplicate_id: OnDuplicateId::Error,
        }
    }
}

/// What [`read_inputs`] read.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ReadReport {
    /// The documents, in input order (see the module docs).
    pub documents: Vec<Document>,
    /// Files read (text and JSONL; stdin counts as one).
    pub files_read: u64,
    /// Files skipped in a directory walk: unsupported type, or binary.
    pub skipped_files: u64,
    /// JSONL records skipped because of [`ReadOptions::skip_bad`].
    pub bad_records: u64,
    /// Documents whose text was truncated to [`ReadOptions::max_doc_bytes`].
    pub truncated: u64,
    /// Documents whose id was seen before, renamed or skipped ([`ReadOptions::on_duplicate_id`]).
    pub duplicate_ids: u64,
    /// Human-readable warnings naming the input: the first 100, then one line counting the rest.
    pub warnings: Vec<String>,
}

const MAX_WARNINGS: usize = 100;
const BINARY_SNIFF: usize = 8 << 10;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Collects warnings, keeping the first [`MAX_WARNINGS`] and counting the rest.
#[derive(Default)]
pub(crate) struct Warnings {
    list: Vec<String>,
    dropped: u64,
}

impl Warnings {
    pub(crate) fn push(&mut self, message: String) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(message);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("... and {} more warnings", self.dropped));
        }
        self.list
    }
}

/// True for the stdin marker `-`.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Lowercased file name, for extension checks.
pub(crate) fn lower_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn is_text_path(path: &Path) -> bool {
    let name = lower_name(path);
    [".txt", ".md", ".markdown"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Truncates `text` to at most `max` bytes at a char boundary; true if it was longer.
pub(crate) fn truncate_text(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    true
}

pub(crate) fn truncation_warning(origin: &Origin, max: usize) -> String {
    format!("{origin}: text longer than {max} bytes, truncated at a character boundary (raise --max-doc-bytes to keep it all)")
}

/// Reads every input in order. See the module docs for what each kind of input yields.
///
/// Errors: [`Error::Read`] (a missing or unreadable path), [`Error::UnsupportedInput`],
/// [`Error::Decompress`],
/// [`Error::BadRecord`] (unless [`ReadOptions::skip_bad`]), [`Error::DuplicateId`].
pub fn read_inputs(inputs: &[PathBuf], opts: &ReadOptions) -> Result<ReadReport> {
    let mut documents = Vec::new();
    let mut report = stream_inputs(inputs, opts, &mut |doc| {
        documents.push(doc);
        Ok(())
    })?;
    report.documents = documents;
    Ok(report)
}

/// Reads every input in order like [`read_inputs`], handing each document to `sink` as soon
/// as it is read instead of collecting them, so a caller that works in batches keeps memory
/// flat in the size of the texts (only ids and origins are kept, to refuse a repeated id).
/// The returned report has no documents. An error from `sink` stops the reading.
pub fn stream_inputs(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Document) -> Result<()>,
) -> Result<ReadReport> {
    let mut reader = Reader {
        opts,
        report: ReadReport::default(),
        warnings: Warnings::default(),
        seen: HashMap::new(),
        sink,
    };
    // With several inputs, the files of a directory get ids prefixed by the directory as given,
    // so `d1/story.txt` and `d2/story.txt` stay apart; one input keeps ids relative to it.
    let prefix_roots = inputs.len() > 1;
    for input in inputs {
        if is_stdin(input) {
            if opts.stdin_as_text {
                reader.text_file(input, "-".into(), false)?;
            } else {
                reader.records_file(input, RecordFormat::Jsonl)?;
            }
            continue;
        }
        let meta = fs::metadata(input).map_err(|source| read_error(input, source))?;
        if meta.is_dir() {
            reader.walk(input, prefix_roots)?;
        } else if let Some(format) = RecordFormat::of(input) {
            reader.records_file(input, format)?;
        } else if let Some(problem) = unsupported(input) {
            return Err(Error::UnsupportedInput {
                path: input.clone(),
                problem,
            });
        } else {
            reader.text_file(input, input.to_string_lossy().into_owned(), false)?;
        }
    }
    let mut report = reader.report;
    report.warnings = reader.warnings.finish();
    Ok(report)
}

/// [`for_each_jsonl_par`] for any record file: JSONL, CSV/TSV or Parquet, by its name
/// ([`RecordFormat::of`]; anything else is read as JSONL). For a table the raw bytes are empty,
/// [`At::offset`] is 0 and [`At::line`] is the record's number (see the module docs).
pub fn for_each_record_par<T: Send>(
    path: &Path,
    opts: &ReadOptions,
    map: impl Fn(u64, Document) -> T + Sync,
    mut sink: impl FnMut(At, &[u8], Result<T>) -> Result<()>,
) -> Result<JsonlStats> {
    match RecordFormat::of(path) {
        Some(format @ (RecordFormat::Csv | RecordFormat::Tsv | RecordFormat::Parquet)) => {
            let mut warnings = Warnings::default();
            let mut stats = table::read_table(path, format, opts, &mut warnings, map, &mut sink)?;
            stats.warnings = warnings.finish();
            Ok(stats)
        }
        _ => for_each_jsonl_par(path, opts, map, sink),
    }
}

/// What stemma reads, for messages about inputs it does not.
const SUPPORTED: &str = "stemma reads text files (.txt, .md), directories of them, JSONL (.jsonl or .ndjson, one JSON object per line), CSV/TSV with a header row (.csv, .tsv) — these three optionally .gz or .zst — and Parquet (.parquet); `-` is JSONL on standard input (--stdin-text: one plain-text document)";

/// Why an input given explicitly is not read, when its name says it is a format stemma does
/// not read: it is refused rather than read as one plain-text document of its raw bytes.
fn unsupported(path: &Path) -> Option<String> {
    let name = lower_name(path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let what = match ext {
        "json" => "a JSON file (one value, such as an array of records) is not read: convert it to JSONL, e.g. `jq -c '.[]' FILE > FILE.jsonl`",
        "arrow" | "feather" | "avro" | "orc" => {
            "this columnar format is not read: convert the table to Parquet or JSONL"
        }
        "gz" | "zst" | "bz2" | "xz" | "lz4" | "zip" | "tgz" | "tar" | "7z" => {
            "only JSONL, CSV and TSV are read compressed (.jsonl.gz, .csv.zst, ...): decompress a text file first, or name a compressed record file by its format (.jsonl.gz, .csv.gz, .tsv.zst)"
        }
        "pdf" | "doc" | "docx" | "odt" | "rtf" | "epub" | "xls" | "xlsx" | "ods" => {
            "a document in a binary format is not read: extract its text to a .txt file first"
        }
        _ => return None,
    };
    Some(format!("unsupported input: {what} ({SUPPORTED})"))
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// Hands `doc` to `sink`; a document whose id was seen before is refused, renamed or skipped
/// as `policy` says (a warning for each of the last two goes to `said`).
fn add_document(
    sink: &mut dyn FnMut(Document) -> Result<()>,
    seen: &mut HashMap<String, String>,
    policy: OnDuplicateId,
    said: &mut Vec<String>,
    mut doc: Document,
) -> Result<()> {
    if let Some(first) = seen.get(&doc.id) {
        let second = doc.origin.to_string();
        let (renamed, warning) =
            policy.resolve(&doc.id, first, &second, |c| seen.contains_key(c))?;
        said.push(warning);
        match renamed {
            Some(id) => doc.id = id,
            None => return Ok(()),
        }
    }
    seen.insert(doc.id.clone(), doc.origin.to_string());
    sink(doc)
}

struct Reader<'a> {
    opts: &'a ReadOptions,
    report: ReadReport,
    warnings: Warnings,
    /// Id -> where it was first read.
    seen: HashMap<String, String>,
    sink: &'a mut dyn FnMut(Document) -> Result<()>,
}

impl Reader<'_> {
    /// Reads a directory tree; ids are paths relative to `root`, prefixed by `root` as given
    /// when `prefix_root`.
    fn walk(&mut self, root: &Path, prefix_root: bool) -> Result<()> {
        let prefix = if prefix_root { root_prefix(root) } else { None };
        // (relative id, path); sorted globally so the order does not depend on the file system.
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).map_err(|e| read_error(&dir, e))? {
                let entry = entry.map_err(|e| read_error(&dir, e))?;
                let path = entry.path();
                let mut kind = entry.file_type().map_err(|e| read_error(&path, e))?;
                if kind.is_symlink() {
                    match fs::metadata(&path) {
                        Ok(m) if m.is_dir() => {
                            let p = path.display();
                            self.warnings.push(format!("{p}: symlinked directory not followed (give it as an input to read it)"));
                            continue;
                        }
                        Ok(m) => kind = m.file_type(),
                        Err(e) => {
                            self.report.skipped_files += 1;
                            let p = path.display();
                            self.warnings
                                .push(format!("{p}: skipped: broken symlink ({e})"));
                            continue;
                        }
                    }
                }
                if kind.is_dir() {
                    dirs.push(path);
                } else if kind.is_file() {
                    let rel = relative_id(root, &path);
                    let id = match &prefix {
                        Some(prefix) => format!("{prefix}/{rel}"),
                        None => rel,
                    };
                    files.push((id, path));
                } else {
                    self.report.skipped_files += 1; // fifo, socket, device
                }
            }
        }
        files.sort();
        for (id, path) in files {
            if let Some(format) = RecordFormat::of(&path) {
                self.records_file(&path, format)?;
            } else if is_text_path(&path) {
                self.text_file(&path, id, true)?;
            } else {
                self.report.skipped_files += 1;
            }
        }
        Ok(())
    }

    /// Reads a JSONL, CSV/TSV or Parquet input (or JSONL on stdin).
    fn records_file(&mut self, path: &Path, format: RecordFormat) -> Result<()> {
        let (sink, seen) = (&mut *self.sink, &mut self.seen);
        let policy = self.opts.on_duplicate_id;
        let mut said = Vec::new();
        let mut add = |_: At, _: &[u8], rec: Result<Document>| match rec {
            Ok(doc) => add_document(sink, seen, policy, &mut said, doc),
            Err(_) => Ok(()), // skipped; counted and warned about by the reader
        };
        let stats = if format == RecordFormat::Jsonl {
            let mut add = |line, raw: &[u8], rec| add(At { line, offset: 0 }, raw, rec);
            jsonl::read_records(path, self.opts, &mut self.warnings, &mut add)?
        } else {
            let (opts, warnings) = (self.opts, &mut self.warnings);
            table::read_table(path, format, opts, warnings, |_, d| d, &mut add)?
        };
        self.report.duplicate_ids += said.len() as u64;
        for w in said {
            self.warnings.push(w);
        }
        self.report.files_read += 1;
        self.report.bad_records += stats.bad_records;
        self.report.truncated += stats.truncated;
        Ok(())
    }

    /// Reads one text document. In a directory walk (`in_walk`) a binary file is skipped.
    fn text_file(&mut self, path: &Path, id: String, in_walk: bool) -> Result<()> {
        let max = self.opts.max_doc_bytes;
        let limit = (max as u64).saturating_add(BOM.len() as u64 + 1);
        let mut bytes = Vec::new();
        let res = if is_stdin(path) {
            std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
        } else {
            fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
        };
        res.map_err(|e| read_error(path, e))?;
        let origin = Origin {
            path: path.to_path_buf(),
            line: None,
        };
        if bytes.contains(&0) {
            if in_walk && bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
                self.report.skipped_files += 1;
                self.warnings.push(format!(
                    "{origin}: skipped: looks binary (NUL byte in the first 8 KiB)"
                ));
                return Ok(());
            }
            self.warnings
                .push(format!("{origin}: contains NUL bytes; read as text anyway"));
        }
        let bom = bytes.starts_with(BOM);
        if bom {
            bytes.drain(..BOM.len());
        }
        if bytes.len() > max {
            // Cut before a UTF-8 continuation byte so no character is split.
            let mut cut = max;
            while cut > 0 && max - cut < 3 && bytes[cut] & 0xC0 == 0x80 {
                cut -= 1;
            }
            bytes.truncate(cut);
            self.report.truncated += 1;
            self.warnings.push(truncation_warning(&origin, max));
        }
        let text = String::from_utf8(bytes).unwrap_or_else(|e| {
            let offset = e.utf8_error().valid_up_to() + if bom { BOM.len() } else { 0 };
            self.warnings.push(format!(
                "{origin}: invalid UTF-8 at byte offset {offset}; bad bytes replaced with U+FFFD (re-encode the file as UTF-8)"
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        });
        if text.is_empty() {
            self.warnings.push(format!("{origin}: empty document"));
        }
        self.report.files_read += 1;
        let doc = Document {
            id,
            text,
            meta: Meta::default(),
            origin,
        };
        let mut said = Vec::new();
        let policy = self.opts.on_duplicate_id;
        add_document(self.sink, &mut self.seen, policy, &mut said, doc)?;
        self.report.duplicate_ids += said.len() as u64;
        for w in said {
            self.warnings.push(w);
        }
        Ok(())
    }
}

/// `root` as given, as an id prefix: without trailing `/` or leading `./`; `None` for `.`.
fn root_prefix(root: &Path) -> Option<String> {
    let s = root.to_string_lossy();
    let mut s = s.trim_end_matches('/');
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    match s {
        "" if root.has_root() => Some(String::new()),
        "" | "." => None,
        s => Some(s.to_string()),
    }
}

/// `path` relative to `root`, with `/` separators (lossy UTF-8).
fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

impl Document {
    /// A document from memory: `id` and `text`, no metadata; its origin is the id.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Document {
            origin: Origin {
                path: PathBuf::from(&id),
                line: None,
            },
            id,
            text: text.into(),
            meta: Meta::default(),
        }
    }
}
