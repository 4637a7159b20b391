//! `stemma dedup`: keep one record per near-duplicate group of a JSONL corpus.
//!
//! Up to three streaming passes over the input: the first keeps per record only its id, MinHash
//! signature, token count, content hash (and `published_at` under `--keep earliest`); texts are
//! dropped once fingerprinted. LSH candidates whose estimated Jaccard is not far below the
//! threshold are verified exactly on shingle sets recomputed in a second pass, for the records
//! involved only (skipped when there are none). The last pass copies kept records byte for byte,
//! in input order, and writes removed ones as they come. So memory grows with the number of
//! records (about num_perm * 4 bytes plus the id each) and the number of records in candidate
//! pairs, not with the text size. Outputs are written to temporary files and renamed,
//! so a crash or Ctrl-C never leaves a half output file (a killed run may leave its temporary
//! file behind). Standard input is spooled to memory because it
//! cannot be read twice.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use stemma::config::Banding;
use stemma::corpus::{
    for_each_jsonl_in, for_each_jsonl_in_par, for_each_jsonl_line, for_each_jsonl_line_in,
    for_each_jsonl_par, is_jsonl_path, At, Document, OnDuplicateId,
};
use stemma::dedup::{dedup_keys, KeepPolicy, KeyRecord};
use stemma::output::write_atomic_compressed;
use stemma::profile::Profiler;
use stemma::report::round4;
use stemma::similarity::overlap;

use super::{InputArgs, MatchArgs};

/// Pairs verified together: at most twice as many shingle sets are held at once.
const VERIFY_CHUNK: usize = 256;

/// Arguments of `stemma dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// A JSONL file (.jsonl, .jsonl.gz, .jsonl.zst), or `-` for standard input.
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// Where the kept records go (JSONL, unchanged, in input order). Every output is gzip
    /// when its name ends in .gz, zstd when it ends in .zst, plain otherwise.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// Where the removed records go, each with `duplicate_of`, `relation` and `jaccard` added
    /// under the key `stemma`.
    #[arg(long, value_name = "FILE")]
    removed: Option<PathBuf>,
    /// Write the verified duplicate pairs (JSONL: a, b, jaccard).
    #[arg(long, value_name = "FILE")]
    pairs: Option<PathBuf>,
    /// Which record of a duplicate group is kept: first, longest or earliest (published_at).
    #[arg(long, default_value = "first", value_name = "POLICY")]
    keep: KeepPolicy,
    /// LSH banding as BANDSxROWS (e.g. 16x8); default: chosen for the threshold.
    #[arg(long, value_name = "BxR")]
    bands: Option<Banding>,
    /// Do not print the summary line.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    input_args: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

#[derive(Serialize)]
struct PairOut<'a> {
    a: &'a str,
    b: &'a str,
    jaccard: f64,
}

/// Runs `stemma dedup`.
pub fn run(args: DedupArgs) -> Result<i32> {
    args.matching.init_threads()?;
    let mut config = args.matching.config()?;
    config.banding = args.bands;
    config.validate()?;
    let stdin = args.input.as_os_str() == "-";
    if !stdin && !is_jsonl_path(&args.input) {
        bail!(
            "{}: dedup reads JSONL (.jsonl, .ndjson, optionally .gz or .zst); for a directory of text files use `stemma scan`",
            args.input.display()
        );
    }
    super::check_outputs(&[
        ("--output", Some(args.output.as_path())),
        ("--removed", args.removed.as_deref()),
        ("--pairs", args.pairs.as_deref()),
    ])?;
    for out in std::iter::once(&args.output)
        .chain(&args.removed)
        .chain(&args.pairs)
    {
        if !stdin && same_file(out, &args.input) {
            bail!(
                "{}: an output would overwrite the input; choose another path",
                out.display()
            );
        }
    }
    let opts = args.input_args.read_options();
    let spooled = if stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        Some(buf)
    } else {
        None
    };

    // Pass 1: per record only its key (signature, token count, content hash); records are
    // parsed and fingerprinted in parallel batches, so texts never pile up.
    let profiler = Profiler::try_new(&config.fingerprint)?;
    let want_date = args.keep == KeepPolicy::Earliest;
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
    // an offset (a plain file or spooled standard input), its byte span, for the verification
    // pass to read it again without scanning.
    let random_access = spooled.is_some() || !is_compressed(&args.input);
    let mut spans: Vec<(u64, u64)> = Vec::new();
    // Id -> the line it was first seen on; a repeated id is refused, renamed or skipped
    // (--on-duplicate-id), with a warning for the last two.
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut id_warnings: Vec<String> = Vec::new();
    let name = args.input.display().to_string();
    let mut on_record = |at: At, raw: &[u8], keyed: stemma::Result<(KeyRecord, String)>| {
        let Ok((record, mut id)) = keyed else {
            return Ok(()); // a bad record skipped under --skip-bad
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
    let stats = match &spooled {
        Some(buf) => for_each_jsonl_in_par(
            &mut buf.as_slice(),
            Path::new("-"),
            &opts,
            key_of,
            &mut on_record,
        )?,
        None => for_each_jsonl_par(&args.input, &opts, key_of, &mut on_record)?,
    };
    drop(seen);
    for w in stats.warnings.iter().chain(&id_warnings) {
        eprintln!("stemma: warning: {}", stemma::report::terminal_safe(w));
    }
    // Exact verification: the shingle sets of just the records of the pairs asked for, recomputed
    // from the input. A plain file or spooled standard input is read at the records' byte spans
    // (noted in pass 1), a few hundred pairs at a time, so only those sets are held; a
    // compressed input is read again as a stream and holds the sets of every record asked for.
    let shingles_of = |bytes: &[u8]| -> stemma::Result<Vec<u64>> {
        let mut set = Vec::new();
        for_each_jsonl_in(&mut &bytes[..], &args.input, &opts, |_, _, doc| {
            if let Ok(doc) = doc {
                set = profiler.shingle_set(&doc.text);
            }
            Ok(())
        })?;
        Ok(set)
    };
    let read_error = |source| stemma::Error::Read {
        path: args.input.clone(),
        source,
    };
    let exact = |pairs: &[(u32, u32)]| -> stemma::Result<Vec<f64>> {
        let mut out = Vec::with_capacity(pairs.len());
        if random_access {
            // One open file for every span: positioned reads, no seek, shared by the workers.
            let input = match &spooled {
                Some(buf) => Spans::Memory(buf),
                None => Spans::File(std::fs::File::open(&args.input).map_err(read_error)?),
            };
            for chunk in pairs.chunks(VERIFY_CHUNK) {
                let mut ids: Vec<u32> = chunk.iter().flat_map(|&(a, b)| [a, b]).collect();
                ids.sort_unstable();
                ids.dedup();
                let sets = ids
                    .par_iter()
                    .map(|i| {
                        let (start, end) = spans[*i as usize];
                        shingles_of(&input.read(start, end).map_err(read_error)?)
                    })
                    .collect::<stemma::Result<Vec<_>>>()?;
                let set = |i: u32| &sets[ids.binary_search(&i).unwrap_or_default()];
                out.extend(chunk.iter().map(|&(a, b)| overlap(set(a), set(b)).jaccard));
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
            for_each_jsonl_par(&args.input, &opts, set_of, |_, _, set| {
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
        }
        Ok(out)
    };
    let decision = dedup_keys(&records, &config, args.keep, exact)?;

    // Last pass: copy kept records unchanged, without parsing them again (records are known
    // by their line numbers); removed ones annotated, written as they come.
    let mut kept_count = 0usize;
    let copy_all =
        |w: &mut dyn Write, mut removed_w: Option<&mut dyn Write>, kept_count: &mut usize| {
            let mut next = 0usize; // the record the next good line is
            let mut copy = |line: u64, raw: &[u8]| -> stemma::Result<()> {
                if lines.get(next) != Some(&line) {
                    return Ok(()); // a bad record, skipped in pass 1 too
                }
                let i = next;
                next += 1;
                match decision.duplicate_of.get(i).copied().flatten() {
                    None => {
                        *kept_count += 1;
                        w.write_all(raw)
                            .and_then(|_| w.write_all(b"\n"))
                            .map_err(|source| stemma::Error::Write {
                                path: args.output.clone(),
                                source,
                            })
                    }
                    Some((k, jaccard)) => match removed_w.as_mut() {
                        Some(rw) => {
                            let line = annotate(raw, &ids[k], jaccard);
                            rw.write_all(&line)
                                .and_then(|_| rw.write_all(b"\n"))
                                .map_err(|source| stemma::Error::Write {
                                    path: args.removed.clone().unwrap_or_default(),
                                    source,
                                })
                        }
                        None => Ok(()),
                    },
                }
            };
            let result = match &spooled {
                Some(buf) => {
                    for_each_jsonl_line_in(&mut buf.as_slice(), Path::new("-"), &opts, &mut copy)
                }
                None => for_each_jsonl_line(&args.input, &opts, &mut copy),
            };
            match result {
                Ok(()) if next != lines.len() => Err(std::io::Error::other(format!(
                    "{}: the input changed while it was read",
                    args.input.display()
                ))),
                other => other.map_err(std::io::Error::other),
            }
        };
    write_atomic_compressed(&args.output, |w| match &args.removed {
        Some(path) => write_atomic_compressed(path, |rw| copy_all(w, Some(rw), &mut kept_count))
            .map_err(std::io::Error::other),
        None => copy_all(w, None, &mut kept_count),
    })?;
    if let Some(path) = &args.pairs {
        let lines: Vec<PairOut> = decision
            .pairs
            .iter()
            .map(|p| PairOut {
                a: &ids[p.a],
                b: &ids[p.b],
                jaccard: round4(p.jaccard),
            })
            .collect();
        write_atomic_compressed(path, |w| stemma::report::json::write_jsonl(&lines, w))?;
    }
    let removed = records.len() - kept_count;
    if !args.quiet {
        eprintln!(
            "stemma dedup: read {} records, kept {}, removed {} ({} duplicate pairs from {} candidates, banding {}x{}){}{}",
            records.len(),
            kept_count,
            removed,
            decision.pairs.len(),
            decision.candidates,
            decision.banding.bands,
            decision.banding.rows,
            if stats.bad_records > 0 { format!(", {} bad records skipped", stats.bad_records) } else { String::new() },
            match (id_warnings.len(), opts.on_duplicate_id) {
                (0, _) => String::new(),
                (n, OnDuplicateId::KeepFirst) => format!(", {n} records with a repeated id skipped"),
                (n, _) => format!(", {n} repeated ids renamed"),
            }
        );
    }
    Ok(0)
}

/// The removed record with `"stemma": {"duplicate_of", "relation", "jaccard"}` added.
fn annotate(raw: &[u8], kept_id: &str, jaccard: f64) -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(raw).unwrap_or(serde_json::Value::Null);
    let note = serde_json::json!({
        "duplicate_of": kept_id,
        "relation": if jaccard >= 1.0 { "duplicate" } else { "near-duplicate" },
        "jaccard": round4(jaccard),
    });
    if let Some(obj) = value.as_object_mut() {
        obj.insert("stemma".to_string(), note);
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn is_compressed(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".gz") || name.ends_with(".zst")
}

/// Where verification reads records again: standard input spooled to memory, or the input
/// file (positioned reads, shared by the workers).
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
