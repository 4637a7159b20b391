//! The JSONL reader on any bytes: an error or records, never a panic.
//!
//! Input: two settings bytes, then the JSONL bytes. Byte 0: bit 0 `skip_bad`, bit 1 a small
//! `max_line_bytes` (1..=121), bit 2 a small `max_doc_bytes` (0..=15), bit 3 other field
//! names (`body`, `url`, `date`), bits 4-7 the size of those limits. Byte 1 picks the source:
//! mostly an in-memory reader whose buffer holds 1..=192 bytes (lines cross buffer refills),
//! sometimes a file read through `read_inputs` (what `scan` uses) or `for_each_jsonl_record`
//! (what `dedup` uses) under a `.jsonl`, `.jsonl.gz` or `.jsonl.zst` name.
//!
//! Checks, for plain input: the callback sees line numbers in increasing order, each with the
//! raw bytes of exactly that line (terminator and one `\r` removed; empty when over the
//! limit), records only when the line parses, bad records only with `skip_bad`; the counts in
//! the returned stats add up; texts respect `max_doc_bytes`; ids are non-empty. The parallel
//! reader (`for_each_jsonl_in_par`, what `dedup` uses) gives the same lines, raw bytes, records
//! and stats or the same error, with offsets that locate each line's bytes in the input, and
//! the raw-line pass (`for_each_jsonl_line_in`) the same lines and bytes.
#![no_main]

use std::io::BufReader;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use stemma::corpus::{read_inputs, ReadOptions};
use stemma::fuzzing::corpus::{
    for_each_jsonl_in, for_each_jsonl_in_par, for_each_jsonl_line_in, for_each_jsonl_record,
};

fn options(flags: u8) -> ReadOptions {
    let mut opts = ReadOptions {
        skip_bad: flags & 1 != 0,
        ..ReadOptions::default()
    };
    let size = usize::from(flags >> 4);
    if flags & 2 != 0 {
        opts.max_line_bytes = 1 + size * 8;
    }
    if flags & 4 != 0 {
        opts.max_doc_bytes = size;
    }
    if flags & 8 != 0 {
        opts.text_field = "body".into();
        opts.id_field = "url".into();
        opts.published_at_field = "date".into();
    }
    opts
}

/// The non-blank lines of `data` as the reader must report them: (1-based number, raw bytes).
fn expected_lines(data: &[u8], max: usize) -> Vec<(u64, Vec<u8>)> {
    let mut pieces: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.is_empty() || data.ends_with(b"\n") {
        pieces.pop(); // no line after the last terminator
    }
    pieces
        .into_iter()
        .zip(1u64..)
        .filter_map(|(p, n)| {
            if p.len() > max {
                return Some((n, Vec::new()));
            }
            let raw = p.strip_suffix(b"\r").unwrap_or(p);
            let blank = raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
            (!blank).then(|| (n, raw.to_vec()))
        })
        .collect()
}

/// A scratch file for this process (tmpfs when there is one).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new("/dev/shm");
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("stemma-fuzz-{}-{name}", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let [flags, source, ref jsonl @ ..] = *data else {
        return;
    };
    let opts = options(flags);
    if source >= 0xF0 {
        // Through a file, as the CLI reads it.
        let name =
            ["in.jsonl", "in.jsonl.gz", "in.jsonl.zst", "in.ndjson"][usize::from(source & 3)];
        let path = scratch(name);
        std::fs::write(&path, jsonl).expect("scratch file");
        match read_inputs(std::slice::from_ref(&path), &opts) {
            Ok(report) => {
                for doc in &report.documents {
                    assert!(!doc.id.is_empty() && doc.text.len() <= opts.max_doc_bytes);
                }
                assert!(report.bad_records == 0 || opts.skip_bad);
            }
            Err(e) => drop(e.to_string()),
        }
        let mut count = 0u64;
        let result = for_each_jsonl_record(&path, &opts, |_, _, rec| {
            count += 1;
            assert!(rec.is_ok() || opts.skip_bad);
            Ok(())
        });
        if let Ok(stats) = result {
            assert_eq!(stats.records + stats.bad_records, count);
        }
        let _ = std::fs::remove_file(&path);
        return;
    }

    let capacity = 1 + usize::from(source) % 192;
    let mut reader = BufReader::with_capacity(capacity, jsonl);
    let want = expected_lines(jsonl, opts.max_line_bytes);
    let mut seen = 0usize;
    let mut serial: Vec<(u64, Vec<u8>, Result<String, String>)> = Vec::new();
    let result = for_each_jsonl_in(
        &mut reader,
        Path::new("fuzz.jsonl"),
        &opts,
        |line, raw, rec| {
            let (n, bytes) = want
                .get(seen)
                .expect("a callback for a line the input does not have");
            seen += 1;
            assert_eq!((line, raw), (*n, &bytes[..]), "line {line}");
            let summary = rec
                .as_ref()
                .map(|d| format!("{} {} {:?}", d.id, d.text, d.meta))
                .map_err(|e| e.to_string());
            serial.push((line, raw.to_vec(), summary));
            match rec {
                Ok(doc) => {
                    assert!(!doc.id.is_empty());
                    assert!(doc.text.len() <= opts.max_doc_bytes);
                    assert_eq!(doc.origin.line, Some(line));
                    assert!(!raw.is_empty() && raw.len() <= opts.max_line_bytes);
                }
                Err(e) => {
                    assert!(
                        opts.skip_bad,
                        "a bad record without skip_bad must end the call"
                    );
                    drop(e.to_string());
                }
            }
            Ok(())
        },
    );
    // The parallel reader: the same sequence and the same outcome.
    let mut parallel = Vec::new();
    let mut reader = BufReader::with_capacity(capacity, jsonl);
    let summarize = |_: u64, d: stemma::corpus::Document| format!("{} {} {:?}", d.id, d.text, d.meta);
    let par_result = for_each_jsonl_in_par(
        &mut reader,
        Path::new("fuzz.jsonl"),
        &opts,
        summarize,
        |at, raw, rec| {
            let start = usize::try_from(at.offset).expect("offset fits");
            assert_eq!(&jsonl[start..start + raw.len()], raw, "offset of line {}", at.line);
            parallel.push((at.line, raw.to_vec(), rec.map_err(|e| e.to_string())));
            Ok(())
        },
    );
    match (&result, &par_result) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "stats"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("serial and parallel readers disagree: {result:?} vs {par_result:?}"),
    }
    assert_eq!(parallel, serial);
    // The raw-line pass: every non-blank line with its bytes.
    let mut raw_lines = Vec::new();
    let mut reader = BufReader::with_capacity(capacity, jsonl);
    for_each_jsonl_line_in(&mut reader, Path::new("fuzz.jsonl"), &opts, |line, raw| {
        raw_lines.push((line, raw.to_vec()));
        Ok(())
    })
    .expect("reading memory cannot fail");
    assert_eq!(raw_lines, want);
    match result {
        Ok(stats) => {
            assert_eq!(seen, want.len(), "every non-blank line is reported");
            assert_eq!(stats.records + stats.bad_records, seen as u64);
            assert_eq!(stats.lines - stats.blank_lines, seen as u64);
            assert!(stats.warnings.len() <= 101);
        }
        Err(e) => {
            assert!(!opts.skip_bad, "with skip_bad only I/O fails: {e}");
            drop(e.to_string());
        }
    }
});
