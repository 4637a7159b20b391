//! The library's one error type.
//!
//! Every variant names the input it is about (a path, a line, a record id) and its message says
//! what to do next. Foreign error types never appear in a variant's fields; they are kept as the
//! `source`, which the message does not repeat: print the chain
//! ([`std::error::Error::source`]) to show the cause, once.

use std::path::PathBuf;

/// Result alias used across the library.
///
/// ```
/// use stemma::{analyze, Analysis, Config, Document, Silent};
///
/// fn pairs_of(texts: &[&str]) -> stemma::Result<usize> {
///     let docs: Vec<Document> =
///         texts.iter().enumerate().map(|(i, t)| Document::new(i.to_string(), *t)).collect();
///     let analysis: Analysis = analyze(&docs, &Config::default(), &Silent)?;
///     Ok(analysis.pairs.len())
/// }
/// assert_eq!(pairs_of(&["one text", "another"]).unwrap(), 0);
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in stemma's library code.
///
/// ```
/// use stemma::{analyze, Config, Document, Error, Silent};
///
/// let docs = [Document::new("a", "One text."), Document::new("a", "Another text.")];
/// let err = analyze(&docs, &Config::default(), &Silent).unwrap_err();
/// assert!(matches!(err, Error::DuplicateId { .. }));
/// assert!(err.to_string().contains("\"a\""));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input path could not be opened or read.
    #[error("{}: cannot read (check that the path exists and is readable)", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },

    /// An output file could not be written (its temporary file is removed).
    #[error("{}: cannot write (check free space and permissions)", path.display())]
    Write {
        /// The output path.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },

    /// A compressed input (gzip or zstd) could not be decompressed.
    #[error("{}: cannot decompress {format} data (the file is corrupt or truncated; check it with `{format} -t`, or decompress it yourself and pass the plain file)", path.display())]
    Decompress {
        /// The compressed file.
        path: PathBuf,
        /// The compression format: `"gzip"` or `"zstd"`.
        format: &'static str,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },

    /// A record of a JSONL input is unusable.
    #[error("{}:{line}: {problem} ({hint})", path.display())]
    BadRecord {
        /// The JSONL file (`-` for stdin).
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with the record.
        problem: String,
        /// What the user can do about it.
        hint: &'static str,
    },

    /// An input given explicitly is in a format stemma does not read (JSON array, CSV, a
    /// compressed file that is not JSONL, ...).
    #[error("{}: {problem}", path.display())]
    UnsupportedInput {
        /// The input.
        path: PathBuf,
        /// What it looks like and what is supported instead.
        problem: String,
    },

    /// A CSV/TSV or Parquet input cannot be read as a table of records: a column named by
    /// `--text-field` is missing (the message lists the columns there are), the header is
    /// unreadable, or the file is not valid Parquet.
    #[error("{}: {problem}", path.display())]
    BadTable {
        /// The table file.
        path: PathBuf,
        /// What is wrong and what to do.
        problem: String,
        /// The reader's error, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// Two documents carry the same id.
    #[error("duplicate document id {id:?}: first at {first}, again at {second} (ids must be unique: use --id-field to pick another field, rename one file, or pass --on-duplicate-id rename|keep-first)")]
    DuplicateId {
        /// The id seen twice.
        id: String,
        /// Where it was first seen (path or path:line).
        first: String,
        /// Where it was seen again.
        second: String,
    },

    /// A setting is out of range or two settings contradict each other.
    #[error("invalid setting {setting}: {problem}")]
    Config {
        /// The setting's name as the user spells it (a flag or a config key).
        setting: &'static str,
        /// What is wrong and what is allowed.
        problem: String,
    },

    /// An audit baseline file is not one this version can read.
    #[error("{}: not a usable stemma audit baseline: {problem} (fix the file, or re-create it with `stemma audit --baseline FILE --update-baseline`)", path.display())]
    BadBaseline {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },

    /// An audit baseline file could not be read.
    #[error("{}: cannot read the baseline (create it with --update-baseline)", path.display())]
    BaselineRead {
        /// The baseline file.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },

    /// No document could be read from the inputs.
    #[error("no documents found in the inputs (give .txt/.md files, a directory, or JSONL; {skipped} files were skipped)")]
    NoDocuments {
        /// How many files were skipped for their type.
        skipped: u64,
    },

    /// An index file fails a check: wrong magic, truncated, bad checksum, bad lengths.
    #[error("{}: index file is corrupt ({problem}); run `stemma index verify` on the index, then restore it from a backup or rebuild it with `stemma index build`", path.display())]
    IndexCorrupt {
        /// The file.
        path: PathBuf,
        /// What check failed.
        problem: String,
    },

    /// An index file was written by another format version.
    #[error("{}: index format version {found}, this stemma reads versions up to {supported}; rebuild the index with `stemma index build`, or use the stemma version that wrote it", path.display())]
    IndexVersion {
        /// The file.
        path: PathBuf,
        /// Version found in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },

    /// The path is not an index directory.
    #[error("{}: not a stemma index ({problem}); give the directory made by `stemma index build -o DIR`", path.display())]
    NotAnIndex {
        /// The path given.
        path: PathBuf,
        /// Why not.
        problem: String,
    },

    /// The index was built with other settings than this run asks for.
    #[error("{}: built with {setting} {index}, this run asks for {asked}; {hint}", path.display())]
    IndexMismatch {
        /// The index directory.
        path: PathBuf,
        /// The setting as the user spells it.
        setting: &'static str,
        /// The index's value.
        index: String,
        /// This run's value.
        asked: String,
        /// What to do.
        hint: &'static str,
    },

    /// Another process holds the index's write lock.
    #[error("{}: index is locked by pid {pid} on host {host} (another `stemma index` is writing it); wait for it to finish, or, if that process is gone, delete {} and retry", path.display(), path.display())]
    IndexLocked {
        /// The lock file.
        path: PathBuf,
        /// The holder's process id, as written in the lock file.
        pid: String,
        /// The holder's host name.
        host: String,
    },

    /// A document id given to the index is already there, or missing.
    #[error("{}: {problem}", path.display())]
    IndexIds {
        /// The index directory.
        path: PathBuf,
        /// Which ids and what to do.
        problem: String,
    },

    /// A command needs the texts of an index built without them (`--no-text`).
    #[error("{}: the index holds no texts (built with --no-text); the contamination check needs them: rebuild the index without --no-text, or pass the reference documents themselves", path.display())]
    IndexNoTexts {
        /// The index directory.
        path: PathBuf,
    },

    /// Temporary data (sorted runs, texts beyond the memory budget) could not be written or read.
    #[error("{}: cannot keep temporary data there (check that the directory exists, is writable and has free space, or give another one with --temp-dir)", path.display())]
    Scratch {
        /// The temporary directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
