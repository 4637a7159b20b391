//! `stemma dedup`: keep one record per near-duplicate group of a JSONL, CSV/TSV or Parquet
//! corpus, written in the format read. The passes live
//! in `stemma::dedup::jsonl`; this file checks the arguments, calls it and prints the summary.
//! Standard input is spooled to memory because it is read more than once.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use stemma::config::Banding;
use stemma::corpus::{OnDuplicateId, RecordFormat};
use stemma::dedup::jsonl::{plan, Source};
use stemma::dedup::KeepPolicy;

use super::progress::Bar;
use super::{InputArgs, MatchArgs};

/// Arguments of `stemma dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// A record file: JSONL (.jsonl, .ndjson), CSV (.csv) or TSV (.tsv), each optionally .gz
    /// or .zst, or Parquet (.parquet); or `-` for JSONL on standard input.
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// Where the kept records go, in the input's format and order: JSONL lines unchanged, CSV/TSV
    /// with the same header, Parquet with the same schema and compression. A JSONL or CSV
    /// output is gzip when its name ends in .gz, zstd when it ends in .zst, plain otherwise.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// Where the removed records go, with `duplicate_of`, `relation` and `jaccard` added: under
    /// the key `stemma` (JSONL), as a struct column `stemma` (Parquet), or as columns
    /// stemma_duplicate_of, stemma_relation, stemma_jaccard (CSV/TSV).
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
    let format = if stdin {
        RecordFormat::Jsonl
    } else {
        match RecordFormat::of(&args.input) {
            Some(format) => format,
            None => bail!(
                "{}: dedup reads record files: JSONL (.jsonl, .ndjson), CSV (.csv), TSV (.tsv), each optionally .gz or .zst, and Parquet (.parquet); for a directory of text files use `stemma scan`",
                args.input.display()
            ),
        }
    };
    check_output_formats(format, &args.output, args.removed.as_deref())?;
    if args.input_args.read_options().stdin_as_text {
        bail!("--stdin-text does not apply to dedup: it reads records (`-` is JSONL on standard input)");
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

/// dedup writes the format it reads: an output whose name says another record format is
/// refused, and so is a Parquet output named to be compressed (Parquet compresses inside).
fn check_output_formats(format: RecordFormat, output: &Path, removed: Option<&Path>) -> Result<()> {
    let outputs = [("--output", Some(output)), ("--removed", removed)];
    for (flag, path) in outputs {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            continue;
        };
        let name = path.to_string_lossy().to_ascii_lowercase();
        let says = RecordFormat::of(path);
        if says.is_some_and(|f| f != format) {
            bail!(
                "{flag} {}: dedup writes the format it reads ({}); name the output like the input (e.g. kept{})",
                path.display(),
                format.name(),
                example_extension(format)
            );
        }
        if format == RecordFormat::Parquet && (name.ends_with(".gz") || name.ends_with(".zst")) {
            bail!(
                "{flag} {}: a Parquet output is compressed inside (as the input is); name it .parquet",
                path.display()
            );
        }
    }
    Ok(())
}

fn example_extension(format: RecordFormat) -> &'static str {
    match format {
        RecordFormat::Jsonl => ".jsonl",
        RecordFormat::Csv => ".csv",
        RecordFormat::Tsv => ".tsv",
        RecordFormat::Parquet => ".parquet",
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
