//! Tables of records: CSV/TSV (the `csv` crate, streamed record by record, `.gz`/`.zst`
//! decompressed by the name as JSONL is) and Parquet (see the `parquet` module), read in
//! batches into the same JSON objects a JSONL line would be, then mapped to documents by the
//! shared rules of the `record` module.
//!
//! Records are numbered, for messages, ids of records without one (`FILE:N`) and `dedup`: a
//! CSV record by the line it starts on (the header is line 1, a quoted field may span lines),
//! a Parquet row by its 1-based position in the file.
//!
//! Only the columns a document needs are read: the text column(s), the id column and the
//! metadata columns of [`ReadOptions`] (outlet, url, title, published_at or date, lang). A text
//! column that is not there is an error naming the columns that are; a missing id column gives
//! every row `FILE:N` as id (with one warning), as for JSONL. An empty CSV cell is an absent
//! value, except in a text column, where it is an empty text.

use std::path::Path;

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::jsonl::{fallback_id, open, stream_error, SinkFn};
use super::record::{self, text_fields, Problem};
use super::{
    lower_name, truncate_text, truncation_warning, Document, Origin, ReadOptions, Warnings,
};
use super::{At, JsonlStats};
use crate::error::{Error, Result};

/// The formats of record files, told by the file name (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// `.jsonl`, `.ndjson`, optionally `.gz` or `.zst`.
    Jsonl,
    /// `.csv`, optionally `.gz` or `.zst`: comma-separated with a header row.
    Csv,
    /// `.tsv`, optionally `.gz` or `.zst`: tab-separated with a header row.
    Tsv,
    /// `.parquet` (compression is inside the file).
    Parquet,
}

impl RecordFormat {
    /// The format a file name says, or `None` for anything else (a text file, ...).
    pub fn of(path: &Path) -> Option<RecordFormat> {
        let name = lower_name(path);
        if name.ends_with(".parquet") {
            return Some(RecordFormat::Parquet);
        }
        let name = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".zst"))
            .unwrap_or(&name);
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Some(RecordFormat::Jsonl)
        } else if name.ends_with(".csv") {
            Some(RecordFormat::Csv)
        } else if name.ends_with(".tsv") {
            Some(RecordFormat::Tsv)
        } else {
            None
        }
    }

    /// The field delimiter of CSV (`,`) and TSV (tab).
    pub fn delimiter(self) -> u8 {
        if self == RecordFormat::Tsv {
            b'\t'
        } else {
            b','
        }
    }

    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            RecordFormat::Jsonl => "JSONL",
            RecordFormat::Csv => "CSV",
            RecordFormat::Tsv => "TSV",
            RecordFormat::Parquet => "Parquet",
        }
    }
}

/// One row of a table: its number and its fields as a JSON object, or what is wrong with it.
pub(crate) type Row = (u64, std::result::Result<Map<String, Value>, Problem>);

/// Rows handed on together: parsed in parallel, then passed on in order.
pub(crate) const TABLE_BATCH_ROWS: usize = 1024;

/// The names of the columns a document may need, in the order: text fields, id, metadata.
pub(crate) fn wanted_columns(opts: &ReadOptions) -> Vec<&str> {
    let mut names = text_fields(opts);
    names.push(&opts.id_field);
    names.extend([
        opts.outlet_field.as_str(),
        &opts.url_field,
        &opts.title_field,
        &opts.published_at_field,
        &opts.lang_field,
    ]);
    if opts.published_at_field == "published_at" {
        names.push("date");
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(*n));
    names
}

/// The error for a text column a table does not have, listing the columns it has.
pub(crate) fn missing_text_column(path: &Path, name: &str, columns: &[String]) -> Error {
    if columns.is_empty() {
        return Error::BadTable {
            path: path.to_path_buf(),
            problem: "it has no columns (an empty file, or no header row); a CSV/TSV file starts with a header row naming its columns".into(),
            source: None,
        };
    }
    let mut shown: Vec<&str> = columns.iter().take(30).map(String::as_str).collect();
    if columns.len() > 30 {
        shown.push("...");
    }
    Error::BadTable {
        path: path.to_path_buf(),
        problem: format!(
            "no column {name:?} for the text (the columns are: {}); use --text-field to name the column holding the text (several: --text-field title,text)",
            shown.join(", ")
        ),
        source: None,
    }
}

/// Reads the records of a CSV/TSV or Parquet file: like `jsonl::read_batched`, every row is
/// mapped to a document and `map`ped (in parallel within a batch), then handed to `sink` in
/// order with the counts, warnings and bad-record policy of [`ReadOptions`]. The raw bytes
/// `sink` gets are empty and [`At::offset`] is 0: rows are not re-read by byte span.
pub(crate) fn read_table<T: Send>(
    path: &Path,
    format: RecordFormat,
    opts: &ReadOptions,
    warnings: &mut Warnings,
    map: impl Fn(u64, Document) -> T + Sync,
    sink: &mut SinkFn<'_, T>,
) -> Result<JsonlStats> {
    let mut stats = JsonlStats::default();
    let mut said_fallback = false;
    let mut batch = |rows: Vec<Row>| -> Result<()> {
        let parsed: Vec<_> = rows
            .into_par_iter()
            .map(|(n, row)| {
                let parsed = row.and_then(|obj| {
                    let (id, mut text, meta) = record::from_object(obj, opts)?;
                    let made_id = id.is_none();
                    let id = id.unwrap_or_else(|| fallback_id(path, n));
                    let truncated = truncate_text(&mut text, opts.max_doc_bytes);
                    let origin = Origin {
                        path: path.to_path_buf(),
                        line: Some(n),
                    };
                    let doc = Document {
                        id,
                        text,
                        meta,
                        origin,
                    };
                    Ok((map(n, doc), truncated, made_id))
                });
                (n, parsed)
            })
            .collect();
        for (n, parsed) in parsed {
            stats.lines += 1;
            let record = match parsed {
                Ok((value, truncated, made_id)) => {
                    if made_id && !said_fallback {
                        said_fallback = true;
                        warnings.push(format!(
                            "{}: rows without an {:?} value get their place as id (FILE:N, here {}); use --id-field to name the column holding the id",
                            path.display(),
                            opts.id_field,
                            fallback_id(path, n)
                        ));
                    }
                    if truncated {
                        stats.truncated += 1;
                        let origin = Origin {
                            path: path.to_path_buf(),
                            line: Some(n),
                        };
                        warnings.push(truncation_warning(&origin, opts.max_doc_bytes));
                    }
                    stats.records += 1;
                    Ok(value)
                }
                Err((problem, hint)) => {
                    let error = Error::BadRecord {
                        path: path.into(),
                        line: n,
                        problem,
                        hint,
                    };
                    if !opts.skip_bad {
                        return Err(error);
                    }
                    stats.bad_records += 1;
                    warnings.push(format!("{error} (record skipped)"));
                    Err(error)
                }
            };
            sink(At { line: n, offset: 0 }, &[], record)?;
        }
        Ok(())
    };
    match format {
        RecordFormat::Csv | RecordFormat::Tsv => csv_rows(path, format, opts, &mut batch)?,
        RecordFormat::Parquet => super::parquet::rows(path, opts, &mut batch)?,
        RecordFormat::Jsonl => unreachable!("JSONL is read by the jsonl module"),
    }
    Ok(stats)
}

/// An open CSV/TSV input: the reader, the header, the compression format (for messages).
pub(crate) type OpenCsv = (
    csv::Reader<Box<dyn std::io::BufRead>>,
    csv::ByteRecord,
    Option<&'static str>,
);

/// A CSV/TSV reader over `path` (decompressed by its name), with the header read: the reader,
/// the column names, and the compression format for messages.
pub(crate) fn open_csv(path: &Path, format: RecordFormat) -> Result<OpenCsv> {
    let (reader, compression) = open(path)?;
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(format.delimiter())
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header = csv
        .byte_headers()
        .map_err(|e| csv_error(path, compression, e))?
        .clone();
    Ok((csv, header, compression))
}

/// A CSV error that stops the reading: IO (or decompression) errors, and the rest as a table
/// error.
pub(crate) fn csv_error(path: &Path, compression: Option<&'static str>, e: csv::Error) -> Error {
    if !e.is_io_error() {
        return Error::BadTable {
            path: path.to_path_buf(),
            problem: format!("cannot read it as CSV: {e}"),
            source: None,
        };
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => stream_error(path, compression, io),
        _ => unreachable!("is_io_error"),
    }
}

/// The rows of a CSV/TSV file, in batches of [`TABLE_BATCH_ROWS`].
fn csv_rows(
    path: &Path,
    format: RecordFormat,
    opts: &ReadOptions,
    f: &mut dyn FnMut(Vec<Row>) -> Result<()>,
) -> Result<()> {
    let (mut csv, header, compression) = open_csv(path, format)?;
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let texts = text_fields(opts);
    for name in &texts {
        if !names.iter().any(|n| n == name) {
            return Err(missing_text_column(path, name, &names));
        }
    }
    // (column index, name, is a text column), for the wanted columns the header has.
    let columns: Vec<(usize, &str, bool)> = wanted_columns(opts)
        .into_iter()
        .filter_map(|want| {
            let i = names.iter().position(|n| n == want)?;
            Some((i, want, texts.contains(&want)))
        })
        .collect();
    let width = names.len();
    let mut record = csv::ByteRecord::new();
    let mut rows: Vec<Row> = Vec::with_capacity(TABLE_BATCH_ROWS);
    loop {
        let read = csv.read_byte_record(&mut record);
        let line = record.position().map_or(0, |p| p.line());
        match read {
            Ok(false) => break,
            Ok(true) => rows.push((line, csv_row(&record, &columns))),
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths { pos, len, .. } => {
                    let line = pos.as_ref().map_or(line, |p| p.line());
                    let problem = format!("the record has {len} fields, the header has {width}");
                    let hint = "quote fields holding the delimiter, or pass --skip-bad to skip bad records";
                    rows.push((line, Err((problem, hint))));
                }
                _ => return Err(csv_error(path, compression, e)),
            },
        }
        if rows.len() == TABLE_BATCH_ROWS {
            f(std::mem::take(&mut rows))?;
        }
    }
    if !rows.is_empty() {
        f(rows)?;
    }
    Ok(())
}

/// One CSV record as a JSON object of the wanted columns.
fn csv_row(
    record: &csv::ByteRecord,
    columns: &[(usize, &str, bool)],
) -> std::result::Result<Map<String, Value>, Problem> {
    let mut obj = Map::new();
    for &(i, name, is_text) in columns {
        let cell = record.get(i).unwrap_or_default();
        if cell.is_empty() && !is_text {
            continue;
        }
        let cell = std::str::from_utf8(cell).map_err(|e| {
            (
                format!(
                    "column {name:?} is not valid UTF-8 (bad byte at offset {})",
                    e.valid_up_to()
                ),
                "CSV must be UTF-8; re-encode the file, or pass --skip-bad to skip bad records",
            )
        })?;
        obj.insert(name.to_string(), Value::String(cell.to_string()));
    }
    Ok(obj)
}
