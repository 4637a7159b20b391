//! JSONL records: one JSON object per line, read through one reusable, bounded line buffer.
//!
//! Lines end at `\n`; a trailing `\r` is dropped (CRLF files work). Lines holding only spaces,
//! tabs and `\r` are skipped. Every other line is one record or one bad record.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::record::{self, Problem};
use super::{is_stdin, lower_name, truncate_text, truncation_warning, Document, Meta, Origin};
use super::{ReadOptions, Warnings};
use crate::error::{Error, Result};

/// Counts from reading one JSONL input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JsonlStats {
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Blank lines skipped.
    pub blank_lines: u64,
    /// Records passed on as documents.
    pub records: u64,
    /// Bad records passed on as errors (only with [`ReadOptions::skip_bad`]).
    pub bad_records: u64,
    /// Documents whose text was truncated to [`ReadOptions::max_doc_bytes`].
    pub truncated: u64,
    /// Warnings naming `path:line` (first 100, then one line counting the rest).
    pub warnings: Vec<String>,
}

/// True for `.jsonl` and `.ndjson` names, optionally followed by `.gz` or `.zst`
/// (case-insensitive).
pub fn is_jsonl_path(p: &Path) -> bool {
    let name = lower_name(p);
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    name.ends_with(".jsonl") || name.ends_with(".ndjson")
}

/// Streams the records of one JSONL input in line order, for inputs too big to hold.
///
/// `path` is a file (decompressed when its name ends in `.gz` or `.zst`) or `-` for stdin.
/// For every non-blank line, `f` gets the 1-based line number, the raw line bytes without the
/// terminator (`\n` or `\r\n`) — so kept lines can be copied out unchanged — and the record:
/// `Ok(document)`, or, only when [`ReadOptions::skip_bad`] is set, `Err(Error::BadRecord)`
/// (counted and warned about; the raw bytes are empty for a line over
/// [`ReadOptions::max_line_bytes`], which is never buffered). Without `skip_bad` the first bad
/// record ends the call with that error. An error returned by `f` ends the call too.
///
/// Lines are parsed in parallel batches of up to 4096 lines or 16 MiB (see
/// [`for_each_jsonl_par`]); `f` still runs on the calling thread, one record at a time. Use
/// [`for_each_jsonl_in`] on a reader to handle each line as soon as it is read.
///
/// Ids are not checked for uniqueness here (that needs every id; [`super::read_inputs`] does it).
pub fn for_each_jsonl_record(
    path: &Path,
    opts: &ReadOptions,
    mut f: impl FnMut(u64, &[u8], Result<Document>) -> Result<()>,
) -> Result<JsonlStats> {
    let mut warnings = Warnings::default();
    let mut stats = read_records(path, opts, &mut warnings, &mut f)?;
    stats.warnings = warnings.finish();
    Ok(stats)
}

type RecordFn<'a> = dyn FnMut(u64, &[u8], Result<Document>) -> Result<()> + 'a;

/// What receives each record (or what was made of it) in line order.
pub(crate) type SinkFn<'a, T> = dyn FnMut(At, &[u8], Result<T>) -> Result<()> + 'a;

/// Where a JSONL record is: its 1-based line number and the byte offset of the line's start
/// in the input as read (decompressed). With the raw bytes' length, the offset gives the
/// record's span in a plain file, to read it again without scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line's first byte.
    pub offset: u64,
}

/// [`for_each_jsonl_record`] with a shared warning list (the returned `warnings` is empty).
pub(crate) fn read_records(
    path: &Path,
    opts: &ReadOptions,
    warnings: &mut Warnings,
    f: &mut RecordFn<'_>,
) -> Result<JsonlStats> {
    let (mut reader, format) = open(path)?;
    let source = Source { path, opts, format };
    let mut sink = |at: At, raw: &[u8], record| f(at.line, raw, record);
    // Parsed in parallel batches (the callback still sees one record at a time, in order).
    read_batched(
        &mut *reader,
        &source,
        warnings,
        PAR_BATCH_LINES,
        |_, doc| doc,
        &mut sink,
    )
}

/// [`for_each_jsonl_record`] over an already open reader (e.g. standard input spooled to
/// memory so it can be read twice); `path` names the input in messages.
pub fn for_each_jsonl_in(
    reader: &mut dyn BufRead,
    path: &Path,
    opts: &ReadOptions,
    mut f: impl FnMut(u64, &[u8], Result<Document>) -> Result<()>,
) -> Result<JsonlStats> {
    let mut warnings = Warnings::default();
    let source = Source {
        path,
        opts,
        format: None,
    };
    let mut sink = |at: At, raw: &[u8], record| f(at.line, raw, record);
    let mut stats = read_batched(reader, &source, &mut warnings, 1, |_, d| d, &mut sink)?;
    stats.warnings = warnings.finish();
    Ok(stats)
}

/// Lines of a batch of [`for_each_jsonl_par`]: at most this many...
const PAR_BATCH_LINES: usize = 4096;
/// ...and at most about this many bytes (a longer single line is a batch of its own).
const PAR_BATCH_BYTES: usize = 16 << 20;

/// [`for_each_jsonl_record`] with the JSON parsing and `map` run in parallel (rayon) over
/// batches of lines, for inputs where per-record work dominates.
///
/// `map(line, document)` runs on a worker thread for every good record; `sink` then gets, in
/// line order and on the calling thread, exactly what [`for_each_jsonl_record`]'s callback
/// would get, with the document replaced by what `map` made of it and the line number
/// completed by the line's byte offset ([`At`]). Bad records, limits,
/// counts and warnings are the same as there. Memory holds one batch: up to 4096 lines or
/// 16 MiB of them (or one longer line), with their documents and mapped values.
pub fn for_each_jsonl_par<T: Send>(
    path: &Path,
    opts: &ReadOptions,
    map: impl Fn(u64, Document) -> T + Sync,
    mut sink: impl FnMut(At, &[u8], Result<T>) -> Result<()>,
) -> Result<JsonlStats> {
    let (mut reader, format) = open(path)?;
    let source = Source { path, opts, format };
    read_par(&mut *reader, &source, map, &mut sink)
}

/// [`for_each_jsonl_par`] over an already open reader; `path` names the input in messages.
pub fn for_each_jsonl_in_par<T: Send>(
    reader: &mut dyn BufRead,
    path: &Path,
    opts: &ReadOptions,
    map: impl Fn(u64, Document) -> T + Sync,
    mut sink: impl FnMut(At, &[u8], Result<T>) -> Result<()>,
) -> Result<JsonlStats> {
    let source = Source {
        path,
        opts,
        format: None,
    };
    read_par(reader, &source, map, &mut sink)
}

fn read_par<T: Send>(
    reader: &mut dyn BufRead,
    source: &Source<'_>,
    map: impl Fn(u64, Document) -> T + Sync,
    sink: &mut SinkFn<'_, T>,
) -> Result<JsonlStats> {
    let mut warnings = Warnings::default();
    let mut stats = read_batched(reader, source, &mut warnings, PAR_BATCH_LINES, map, sink)?;
    stats.warnings = warnings.finish();
    Ok(stats)
}

/// Calls `f(line, raw)` for every non-blank line of a JSONL input, in order, without parsing
/// it: the same lines, numbers and raw bytes as [`for_each_jsonl_record`] gives (an over-long
/// line comes with empty bytes, as it is never buffered). For a second pass that copies
/// records a first pass has already checked.
pub fn for_each_jsonl_line(
    path: &Path,
    opts: &ReadOptions,
    f: impl FnMut(u64, &[u8]) -> Result<()>,
) -> Result<()> {
    let (mut reader, format) = open(path)?;
    raw_lines(&mut *reader, path, opts, format, f)
}

/// [`for_each_jsonl_line`] over an already open reader; `path` names the input in messages.
pub fn for_each_jsonl_line_in(
    reader: &mut dyn BufRead,
    path: &Path,
    opts: &ReadOptions,
    f: impl FnMut(u64, &[u8]) -> Result<()>,
) -> Result<()> {
    raw_lines(reader, path, opts, None, f)
}

fn raw_lines(
    reader: &mut dyn BufRead,
    path: &Path,
    opts: &ReadOptions,
    format: Option<&'static str>,
    mut f: impl FnMut(u64, &[u8]) -> Result<()>,
) -> Result<()> {
    // The record readers' batching, without the parsing: the same lines, numbers and bytes.
    let source = Source { path, opts, format };
    let mut cursor = Cursor::default();
    let mut batch = Batch::default();
    loop {
        let done = batch.fill(reader, &source, PAR_BATCH_LINES, &mut cursor)?;
        for slot in &batch.slots {
            f(slot.line, &batch.bytes[slot.start..slot.end])?;
        }
        if done {
            return Ok(());
        }
    }
}

/// Opens a JSONL input: a file (decompressed by its name's suffix) or `-` for stdin. Returns
/// the reader and the compression format, for messages.
pub(crate) fn open(path: &Path) -> Result<(Box<dyn BufRead>, Option<&'static str>)> {
    let name = lower_name(path);
    let format = match () {
        _ if is_stdin(path) => None,
        _ if name.ends_with(".gz") => Some("gzip"),
        _ if name.ends_with(".zst") => Some("zstd"),
        _ => None,
    };
    let io_error = |source| stream_error(path, format, source);
    let reader: Box<dyn BufRead> = if is_stdin(path) {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(path).map_err(|source| Error::Read {
            path: path.into(),
            source,
        })?;
        match format {
            Some("gzip") => Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(
                BufReader::new(file),
            ))),
            Some(_) => Box::new(BufReader::new(
                zstd::stream::read::Decoder::new(file).map_err(io_error)?,
            )),
            None => Box::new(BufReader::with_capacity(256 << 10, file)),
        }
    };
    Ok((reader, format))
}

/// A line holding only spaces, tabs and `\r` is skipped.
fn is_blank(raw: &[u8]) -> bool {
    raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// The input being read, for parsing and messages.
struct Source<'a> {
    path: &'a Path,
    opts: &'a ReadOptions,
    format: Option<&'static str>,
}

/// One non-blank line of a batch: its number and its bytes `start..end` in the batch buffer
/// (without the terminator), or the length of a line over the limit (not buffered).
struct Slot {
    line: u64,
    /// Offset of the line's first byte in the (decompressed) input.
    offset: u64,
    start: usize,
    end: usize,
    over: Option<usize>,
}

/// What became of one line: the mapped document, whether its text was truncated and whether
/// its id was made up (`FILE:LINE`, the record having no id field), or what is wrong with the
/// line.
type Parsed<T> = std::result::Result<(T, bool, bool), Problem>;

/// Lines read for one round of parsing, in one buffer.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    slots: Vec<Slot>,
}

/// Counts kept while reading (the rest of [`JsonlStats`] is counted as records are handed on).
#[derive(Default)]
struct Cursor {
    lines: u64,
    blank_lines: u64,
    /// Byte offset of the next line.
    offset: u64,
}

impl Batch {
    /// Replaces the batch with the next lines of `reader`: up to `batch_lines` non-blank lines
    /// or [`PAR_BATCH_BYTES`]. Returns true when the input is exhausted.
    fn fill(
        &mut self,
        reader: &mut dyn BufRead,
        source: &Source<'_>,
        batch_lines: usize,
        cursor: &mut Cursor,
    ) -> Result<bool> {
        let max = source.opts.max_line_bytes;
        self.bytes.clear();
        self.slots.clear();
        while self.slots.len() < batch_lines && self.bytes.len() < PAR_BATCH_BYTES {
            let start = self.bytes.len();
            let len = append_line(&mut *reader, &mut self.bytes, max)
                .map_err(|e| stream_error(source.path, source.format, e))?;
            let Some(len) = len else {
                return Ok(true);
            };
            cursor.lines += 1;
            let (line, offset) = (cursor.lines, cursor.offset);
            // The line and its `\n` (the last line may lack one: the offset is then past the
            // end, which nothing reads).
            cursor.offset += len as u64 + 1;
            let bytes = &self.bytes;
            let (end, over) = if len > max {
                (start, Some(len))
            } else {
                let end = bytes.len() - usize::from(bytes.len() > start && bytes.ends_with(b"\r"));
                if is_blank(&bytes[start..end]) {
                    cursor.blank_lines += 1;
                    self.bytes.truncate(start);
                    continue;
                }
                (end, None)
            };
            self.slots.push(Slot {
                line,
                offset,
                start,
                end,
                over,
            });
        }
        Ok(false)
    }

    /// Every line parsed and mapped, in order (in parallel when there is more than one).
    fn parse<T: Send>(
        &self,
        source: &Source<'_>,
        map: &(impl Fn(u64, Document) -> T + Sync),
    ) -> Vec<Parsed<T>> {
        let opts = source.opts;
        let parse = |slot: &Slot| -> Parsed<T> {
            if let Some(len) = slot.over {
                return Err((
                    format!(
                        "line is {len} bytes, longer than the limit of {}",
                        opts.max_line_bytes
                    ),
                    "raise --max-line-bytes, or pass --skip-bad to skip it",
                ));
            }
            let (id, mut text, meta) = parse_record(&self.bytes[slot.start..slot.end], opts)?;
            let made_id = id.is_none();
            let id = id.unwrap_or_else(|| fallback_id(source.path, slot.line));
            let truncated = truncate_text(&mut text, opts.max_doc_bytes);
            let origin = Origin {
                path: source.path.to_path_buf(),
                line: Some(slot.line),
            };
            let doc = Document {
                id,
                text,
                meta,
                origin,
            };
            Ok((map(slot.line, doc), truncated, made_id))
        };
        if self.slots.len() > 1 {
            self.slots.par_iter().map(parse).collect()
        } else {
            self.slots.iter().map(parse).collect()
        }
    }
}

/// The reading loop behind every record API: lines are read into batches of up to
/// `batch_lines` lines (or [`PAR_BATCH_BYTES`]), each batch is parsed and mapped (in parallel
/// when it has more than one line), then handed to `sink` in line order with the counts,
/// warnings and bad-record policy applied. With batches of more than one line, the next batch
/// is read on this thread while the current one is parsed, so reading overlaps the work.
fn read_batched<T: Send>(
    reader: &mut dyn BufRead,
    source: &Source<'_>,
    warnings: &mut Warnings,
    batch_lines: usize,
    map: impl Fn(u64, Document) -> T + Sync,
    sink: &mut SinkFn<'_, T>,
) -> Result<JsonlStats> {
    let Source { path, opts, .. } = *source;
    let mut cursor = Cursor::default();
    let mut stats = JsonlStats::default();
    let mut said_fallback = false;
    let (mut batch, mut next) = (Batch::default(), Batch::default());
    let mut done = batch.fill(reader, source, batch_lines, &mut cursor)?;
    loop {
        let (parsed, next_done) = if done || batch_lines == 1 {
            (batch.parse(source, &map), None)
        } else {
            std::thread::scope(|scope| {
                let parsing = scope.spawn(|| batch.parse(source, &map));
                let read = next.fill(reader, source, batch_lines, &mut cursor);
                let parsed = parsing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (parsed, Some(read))
            })
        };
        for (slot, parsed) in batch.slots.iter().zip(parsed) {
            let line = slot.line;
            let raw = &batch.bytes[slot.start..slot.end];
            let origin = || Origin {
                path: path.to_path_buf(),
                line: Some(line),
            };
            let record = match parsed {
                Ok((value, truncated, made_id)) => {
                    if made_id && !said_fallback {
                        said_fallback = true;
                        warnings.push(format!(
                            "{}: records without an {:?} field get their place as id (FILE:LINE, here {}); use --id-field to name the field holding the id",
                            path.display(),
                            opts.id_field,
                            fallback_id(path, line)
                        ));
                    }
                    if truncated {
                        stats.truncated += 1;
                        warnings.push(truncation_warning(&origin(), opts.max_doc_bytes));
                    }
                    stats.records += 1;
                    Ok(value)
                }
                Err((problem, mut hint)) => {
                    // Plain text piped to `-` fails on its first line: say how to read it.
                    if is_stdin(path)
                        && stats.records == 0
                        && !raw.is_empty()
                        && !raw.trim_ascii_start().starts_with(b"{")
                    {
                        hint = STDIN_TEXT_HINT;
                    }
                    if !opts.skip_bad {
                        return Err(Error::BadRecord {
                            path: path.into(),
                            line,
                            problem,
                            hint,
                        });
                    }
                    stats.bad_records += 1;
                    warnings.push(format!("{}: {problem} (record skipped)", origin()));
                    Err(Error::BadRecord {
                        path: path.into(),
                        line,
                        problem,
                        hint,
                    })
                }
            };
            let at = At {
                line,
                offset: slot.offset,
            };
            sink(at, raw, record)?;
        }
        match next_done {
            // Serial: read the next batch now.
            None if !done => done = batch.fill(reader, source, batch_lines, &mut cursor)?,
            None => break,
            Some(read) => {
                done = read?;
                std::mem::swap(&mut batch, &mut next);
            }
        }
    }
    stats.lines = cursor.lines;
    stats.blank_lines = cursor.blank_lines;
    Ok(stats)
}

/// The error for a failed read of `path`: a decompression error for a compressed stream.
pub(crate) fn stream_error(path: &Path, format: Option<&'static str>, source: io::Error) -> Error {
    match format {
        Some(format) => Error::Decompress {
            path: path.to_path_buf(),
            format,
            source,
        },
        None => Error::Read {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// Appends one line without its `\n` to `buf`, buffering at most `max` bytes of it. Returns
/// `None` at the end of input, else the full line length; when that exceeds `max`, `buf` is
/// left as it was and the rest of the line was consumed without being kept.
fn append_line(r: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<usize>> {
    let base = buf.len();
    let (mut len, mut any) = (0usize, false);
    loop {
        let avail = match r.fill_buf() {
            Ok(avail) => avail,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(any.then_some(len));
        }
        any = true;
        let newline = memchr::memchr(b'\n', avail);
        let chunk = &avail[..newline.unwrap_or(avail.len())];
        let n = chunk.len();
        len = len.saturating_add(n);
        if len <= max {
            buf.extend_from_slice(chunk);
        } else {
            buf.truncate(base);
        }
        r.consume(n + usize::from(newline.is_some()));
        if newline.is_some() {
            return Ok(Some(len));
        }
    }
}

const STDIN_TEXT_HINT: &str = "standard input is read as JSONL, one JSON object per line; to read it as one plain-text document, pass --stdin-text";

/// The id of a record without an id field: where it is, `FILE:LINE` (`-:LINE` on stdin).
pub(crate) fn fallback_id(path: &Path, line: u64) -> String {
    format!("{}:{line}", path.display())
}

/// Parses one non-blank line into (id, text, meta), or says what is wrong and what to do. The
/// id is `None` when the record has no id field (the caller gives it its place as id).
fn parse_record(
    raw: &[u8],
    opts: &ReadOptions,
) -> std::result::Result<(Option<String>, String, Meta), Problem> {
    const FIX: &str =
        "each line must be one JSON object; fix the line, or pass --skip-bad to skip bad records";
    let s = std::str::from_utf8(raw).map_err(|e| {
        let problem = format!(
            "line is not valid UTF-8 (bad byte at column {})",
            e.valid_up_to() + 1
        );
        (
            problem,
            "JSONL must be UTF-8; re-encode the file, or pass --skip-bad to skip bad records",
        )
    })?;
    let value: Value = serde_json::from_str(s).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        (
            format!("invalid JSON at column {}: {message}", e.column()),
            FIX,
        )
    })?;
    match value {
        Value::Object(obj) => record::from_object(obj, opts),
        other => Err((
            format!("expected a JSON object, found {}", record::kind(&other)),
            FIX,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_long_line_is_never_buffered_whole() {
        let mut data = vec![b'x'; 4 << 20];
        data.extend_from_slice(b"\n{\"ok\":1}\n");
        let mut r = BufReader::with_capacity(8 << 10, &data[..]);
        let mut buf = Vec::new();
        assert_eq!(append_line(&mut r, &mut buf, 1000).unwrap(), Some(4 << 20));
        assert!(
            buf.is_empty() && buf.capacity() <= 16 << 10,
            "capacity {}",
            buf.capacity()
        );
        assert_eq!(append_line(&mut r, &mut buf, 1000).unwrap(), Some(8));
        assert_eq!(buf, b"{\"ok\":1}");
        assert_eq!(append_line(&mut r, &mut buf, 1000).unwrap(), None);
    }

    #[test]
    fn jsonl_path_names() {
        for yes in ["a.jsonl", "b.NDJSON", "c.jsonl.gz", "d/e.ndjson.zst"] {
            assert!(is_jsonl_path(Path::new(yes)), "{yes}");
        }
        for no in ["a.json", "b.txt", "c.gz", "jsonl", "d.jsonl.bz2"] {
            assert!(!is_jsonl_path(Path::new(no)), "{no}");
        }
    }
}
