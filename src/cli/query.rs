//! `stemma query IDX INPUT...`: relate each query document to the documents of an index, with
//! the relation and figures `scan` would give the pair; where the index stores texts, also the
//! aligned passages and direction evidence. The report and its JSON (schema `stemma.query` v1)
//! live in `stemma::report::query`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use stemma::corpus::read_inputs;
use stemma::index::Index;
use stemma::output::write_atomic_compressed;
use stemma::provenance::cues::AgencyTable;
use stemma::report::query::{query_report, summary, write_jsonl};

use super::{InputArgs, MatchArgs};

/// Arguments of `stemma query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The index directory.
    #[arg(value_name = "DIR")]
    index: PathBuf,
    /// Query documents: files, directories, JSONL, or `-`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Write one JSON line per match.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Skip passages and direction (faster; figures only).
    #[arg(long)]
    no_trace: bool,
    /// Do not print the summary (printed on standard error when --json is `-`).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

/// Runs `stemma query`.
pub fn run(args: QueryArgs) -> Result<i32> {
    let data_on_stdout = super::check_outputs(&[("--json", args.json.as_deref())])?;
    args.matching.init_threads()?;
    let index = Index::open(&args.index)?;
    let config = args.matching.config_for_index(&index.manifest)?;
    index.check_config(&config)?;
    let read = read_inputs(&args.inputs, &args.input.read_options())?;
    let agencies = AgencyTable::builtin();
    let report = query_report(&index, &read.documents, &config, &agencies, !args.no_trace)?;
    if let Some(path) = &args.json {
        write_atomic_compressed(path, |w| write_jsonl(&report, w))?;
    }
    if !args.quiet {
        super::print_summary(&summary(&report), data_on_stdout)?;
    }
    Ok(0)
}
