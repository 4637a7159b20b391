//! `stemma dedup`: keep one record per near-duplicate group of a JSONL corpus. The passes live
//! in `stemma::dedup::jsonl`; this file checks the arguments, calls it and prints the summary.
//! Standard input is spooled to memory because it is read more than once.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use stemma::config::Banding;
use stemma::corpus::{is_jsonl_path, OnDuplicateId};
use stemma::dedup::jsonl::{plan, Source};
use stemma::dedup::KeepPolicy;

use super::progress::Bar;
use super::{InputArgs, MatchArgs};

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
    let source = if stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        Source::Bytes(buf)
    } else {
        Source::File(args.input.clone())
    };
    let bar = Bar::new(!args.quiet);
    let plan = plan(source, &opts, &config, args.keep, &bar)?;
    super::warn(&plan.stats.warnings);
    super::warn(&plan.id_warnings);
    let written = plan.write_files(
        &args.output,
        args.removed.as_deref(),
        args.pairs.as_deref(),
        &bar,
    )?;
    if !args.quiet {
        let d = &plan.decision;
        eprintln!(
            "stemma dedup: read {} records, kept {}, removed {} ({} duplicate pairs from {} candidates, banding {}x{}){}{}",
            written.read,
            written.kept,
            written.removed,
            d.pairs.len(),
            d.candidates,
            d.banding.bands,
            d.banding.rows,
            if plan.stats.bad_records > 0 { format!(", {} bad records skipped", plan.stats.bad_records) } else { String::new() },
            match (plan.id_warnings.len(), opts.on_duplicate_id) {
                (0, _) => String::new(),
                (n, OnDuplicateId::KeepFirst) => format!(", {n} records with a repeated id skipped"),
                (n, _) => format!(", {n} repeated ids renamed"),
            }
        );
    }
    Ok(0)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
