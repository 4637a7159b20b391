//! JSONL records: one JSON object per line, read through one reusable, bounded line buffer.
//!
//! Lines end at `\n`; a trailing `\r` is dropped (CRLF files work). Lines holding only spaces,
//! tabs and `\r` are skipped. Every other line is one record or one bad record.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value};

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

/// [`for_each_jsonl_record`] with a shared warning list (the returned `warnings` is empty).
pub(crate) fn read_records(
    path: &Path,
    opts: &ReadOptions,
    warnings: &mut Warnings,
    f: &mut RecordFn<'_>,
) -> Result<JsonlStats> {
    let name = lower_name(path);
    let format = match () {
        _ if is_stdin(path) => None,
        _ if name.ends_with(".gz") => Some("gzip"),
        _ if name.ends_with(".zst") => Some("zstd"),
        _ => None,
    };
    let io_error = |source| stream_error(path, format, source);
    let mut reader: Box<dyn BufRead> = if is_stdin(path) {
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
            None => Box::new(BufReader::with_capacity(64 << 10, file)),
        }
    };
    read_from(&mut *reader, path, opts, warnings, f, format)
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
    let mut stats = read_from(reader, path, opts, &mut warnings, &mut f, None)?;
    stats.warnings = warnings.finish();
    Ok(stats)
}

fn read_from(
    reader: &mut dyn BufRead,
    path: &Path,
    opts: &ReadOptions,
    warnings: &mut Warnings,
    f: &mut RecordFn<'_>,
    format: Option<&'static str>,
) -> Result<JsonlStats> {
    let io_error = |source| stream_error(path, format, source);
    let max = opts.max_line_bytes;
    let mut buf = Vec::new();
    let mut stats = JsonlStats::default();
    while let Some(len) = read_line(&mut *reader, &mut buf, max).map_err(io_error)? {
        stats.lines += 1;
        let line = stats.lines;
        let (raw, parsed) = if len > max {
            let problem = format!("line is {len} bytes, longer than the limit of {max}");
            (
                &[][..],
                Err((
                    problem,
                    "raise --max-line-bytes, or pass --skip-bad to skip it",
                )),
            )
        } else {
            let raw = buf.strip_suffix(b"\r").unwrap_or(&buf);
            if raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                stats.blank_lines += 1;
                continue;
            }
            (raw, parse_record(raw, opts))
        };
        let origin = Origin {
            path: path.to_path_buf(),
            line: Some(line),
        };
        let record = match parsed {
            Ok((id, mut text, meta)) => {
                if truncate_text(&mut text, opts.max_doc_bytes) {
                    stats.truncated += 1;
                    warnings.push(truncation_warning(&origin, opts.max_doc_bytes));
                }
                stats.records += 1;
                Ok(Document {
                    id,
                    text,
                    meta,
                    origin,
                })
            }
            Err((problem, hint)) => {
                if !opts.skip_bad {
                    return Err(Error::BadRecord {
                        path: path.into(),
                        line,
                        problem,
                        hint,
                    });
                }
                stats.bad_records += 1;
                warnings.push(format!("{origin}: {problem} (record skipped)"));
                Err(Error::BadRecord {
                    path: path.into(),
                    line,
                    problem,
                    hint,
                })
            }
        };
        f(line, raw, record)?;
    }
    Ok(stats)
}

/// The error for a failed read of `path`: a decompression error for a compressed stream.
fn stream_error(path: &Path, format: Option<&'static str>, source: io::Error) -> Error {
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

/// Reads one line without its `\n` into `buf`, buffering at most `max` bytes. Returns `None` at
/// the end of input, else the full line length; when that exceeds `max`, `buf` is left empty
/// and the rest of the line was consumed without being kept.
fn read_line(r: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<usize>> {
    buf.clear();
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
        let newline = avail.iter().position(|&b| b == b'\n');
        let chunk = &avail[..newline.unwrap_or(avail.len())];
        let n = chunk.len();
        len = len.saturating_add(n);
        if len <= max {
            buf.extend_from_slice(chunk);
        } else {
            buf.clear();
        }
        r.consume(n + usize::from(newline.is_some()));
        if newline.is_some() {
            return Ok(Some(len));
        }
    }
}

type Problem = (String, &'static str);

/// Parses one non-blank line into (id, text, meta), or says what is wrong and what to do.
fn parse_record(
    raw: &[u8],
    opts: &ReadOptions,
) -> std::result::Result<(String, String, Meta), Problem> {
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
    let mut obj = match value {
        Value::Object(obj) => obj,
        other => {
            return Err((
                format!("expected a JSON object, found {}", kind(&other)),
                FIX,
            ))
        }
    };
    let name = &opts.text_field;
    let text = match obj.remove(name) {
        Some(Value::String(text)) => text,
        None => {
            return Err((
                format!("field {name:?} is missing"),
                "use --text-field to name it",
            ))
        }
        Some(other) => {
            let problem = format!("field {name:?} must be a string, found {}", kind(&other));
            return Err((
                problem,
                "use --text-field to name the field holding the text",
            ));
        }
    };
    let name = &opts.id_field;
    let bad_id = "ids must be non-empty strings or numbers; use --id-field to pick another field";
    let id = match obj.get(name) {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(n)) => n.to_string(),
        None => {
            return Err((
                format!("field {name:?} is missing"),
                "use --id-field to name it",
            ))
        }
        Some(Value::String(_)) => return Err((format!("field {name:?} is empty"), bad_id)),
        Some(other) => {
            return Err((
                format!(
                    "field {name:?} must be a string or number, found {}",
                    kind(other)
                ),
                bad_id,
            ))
        }
    };
    let mut published_at = field(&obj, &opts.published_at_field);
    if opts.published_at_field == "published_at" && !obj.contains_key("published_at") {
        published_at = field(&obj, "date");
    }
    let meta = Meta {
        outlet: field(&obj, &opts.outlet_field),
        url: field(&obj, &opts.url_field),
        title: field(&obj, &opts.title_field),
        published_at,
        lang: field(&obj, &opts.lang_field),
    };
    Ok((id, text, meta))
}

/// A metadata field: strings taken, numbers as their decimal text, anything else ignored.
fn field(obj: &Map<String, Value>, name: &str) -> Option<String> {
    match obj.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
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
        assert_eq!(read_line(&mut r, &mut buf, 1000).unwrap(), Some(4 << 20));
        assert!(
            buf.is_empty() && buf.capacity() <= 16 << 10,
            "capacity {}",
            buf.capacity()
        );
        assert_eq!(read_line(&mut r, &mut buf, 1000).unwrap(), Some(8));
        assert_eq!(buf, b"{\"ok\":1}");
        assert_eq!(read_line(&mut r, &mut buf, 1000).unwrap(), None);
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
