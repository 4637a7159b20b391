//! `stemma dedup`: keep one record per near-duplicate group of a JSONL corpus.
//!
//! Two passes over the input: the first fingerprints every record (texts are dropped once
//! fingerprinted; each record keeps its signature and shingle set for exact verification, so
//! memory follows the number of distinct shingles, not the raw text size); the second copies
//! kept records byte for byte, in input order. Outputs are written to temporary files and renamed,
//! so a crash or Ctrl-C never leaves a half output file (a killed run may leave its temporary
//! file behind). Standard input is spooled to memory because it
//! cannot be read twice.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use stemma::config::Banding;
use stemma::corpus::{for_each_jsonl_in, for_each_jsonl_record, is_jsonl_path, Document};
use stemma::dedup::{dedup, KeepPolicy, Record};
use stemma::output::write_atomic;
use stemma::profile::Profiler;
use stemma::report::round4;

use super::{InputArgs, MatchArgs};

/// Arguments of `stemma dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// A JSONL file (.jsonl, .jsonl.gz, .jsonl.zst), or `-` for standard input.
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// Where the kept records go (JSONL, unchanged, in input order).
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

    // Pass 1: fingerprints, in batches so texts never pile up.
    let profiler = Profiler::try_new(&config.fingerprint)?;
    let mut records: Vec<Record> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut batch: Vec<Document> = Vec::with_capacity(4096);
    let flush = |batch: &mut Vec<Document>, records: &mut Vec<Record>, ids: &mut Vec<String>| {
        let done: Vec<Record> = batch
            .par_iter()
            .map(|d| Record {
                profile: profiler.profile(&d.text),
                published_at: d.meta.published_at.clone(),
            })
            .collect();
        records.extend(done);
        ids.extend(batch.drain(..).map(|d| d.id));
    };
    let mut on_record = |line: u64, _raw: &[u8], doc: stemma::Result<Document>| {
        let Ok(doc) = doc else { return Ok(()) }; // a bad record skipped under --skip-bad
        lines.push(line);
        batch.push(doc);
        if batch.len() == batch.capacity() {
            flush(&mut batch, &mut records, &mut ids);
        }
        Ok(())
    };
    let stats = match &spooled {
        Some(buf) => for_each_jsonl_in(&mut buf.as_slice(), Path::new("-"), &opts, &mut on_record)?,
        None => for_each_jsonl_record(&args.input, &opts, &mut on_record)?,
    };
    flush(&mut batch, &mut records, &mut ids);
    check_unique(&ids, &lines, &args.input)?;

    let decision = dedup(&records, &config, args.keep);

    // Pass 2: copy kept records unchanged; removed ones annotated.
    let mut kept_count = 0usize;
    let mut removed_lines: Vec<Vec<u8>> = Vec::new();
    let want_removed = args.removed.is_some();
    write_atomic(&args.output, |w| {
        let mut index = 0usize;
        let mut copy =
            |_line: u64, raw: &[u8], doc: stemma::Result<Document>| -> stemma::Result<()> {
                if doc.is_err() {
                    return Ok(()); // skipped in pass 1 too
                }
                let i = index;
                index += 1;
                match decision.duplicate_of.get(i).copied().flatten() {
                    None => {
                        kept_count += 1;
                        w.write_all(raw)
                            .and_then(|_| w.write_all(b"\n"))
                            .map_err(|source| stemma::Error::Write {
                                path: args.output.clone(),
                                source,
                            })
                    }
                    Some((k, jaccard)) => {
                        if want_removed {
                            removed_lines.push(annotate(raw, &ids[k], jaccard));
                        }
                        Ok(())
                    }
                }
            };
        let result = match &spooled {
            Some(buf) => for_each_jsonl_in(&mut buf.as_slice(), Path::new("-"), &opts, &mut copy),
            None => for_each_jsonl_record(&args.input, &opts, &mut copy),
        };
        result.map(|_| ()).map_err(std::io::Error::other)
    })?;
    if let Some(path) = &args.removed {
        write_atomic(path, |w| {
            for line in &removed_lines {
                w.write_all(line)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
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
        write_atomic(path, |w| stemma::report::json::write_jsonl(&lines, w))?;
    }
    let removed = records.len() - kept_count;
    if !args.quiet {
        eprintln!(
            "stemma dedup: read {} records, kept {}, removed {} ({} duplicate pairs from {} candidates, banding {}x{}){}",
            records.len(),
            kept_count,
            removed,
            decision.pairs.len(),
            decision.candidates,
            decision.banding.bands,
            decision.banding.rows,
            if stats.bad_records > 0 { format!(", {} bad records skipped", stats.bad_records) } else { String::new() }
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

fn check_unique(ids: &[String], lines: &[u64], input: &Path) -> Result<()> {
    let mut sorted: Vec<(&str, usize)> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    sorted.sort_unstable();
    for w in sorted.windows(2) {
        if w[0].0 == w[1].0 {
            bail!(
                "duplicate document id {:?}: first at {}:{}, again at {}:{} (ids must be unique; use --id-field to pick another field)",
                w[0].0,
                input.display(),
                lines[w[0].1],
                input.display(),
                lines[w[1].1]
            );
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
