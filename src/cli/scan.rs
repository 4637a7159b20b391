//! `stemma scan`: find reuse and families; print a summary, write JSON / JSONL on request.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use stemma::config::FamilyPolicy;
use stemma::report::json::{build, InputSummary};
use stemma::report::text::summary_limited;

use super::progress::Bar;
use super::{InputArgs, MatchArgs, ReportOutputArgs, ScratchArgs, SummaryArgs};

/// Arguments of `stemma scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files, directories (.txt/.md, recursive), record files (JSONL, CSV, TSV, Parquet),
    /// or `-` for JSONL on standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    outputs: ReportOutputArgs,
    /// Also check every input against the documents of this index (`stemma index build`):
    /// matches are reported with scan's relations and figures (JSON: `index_matches`).
    #[arg(long, value_name = "IDX")]
    against: Option<PathBuf>,
    /// How relations become families: strict (no chaining of unrelated texts) or connected.
    #[arg(long, default_value = "strict", value_name = "POLICY")]
    family_policy: FamilyPolicy,
    /// Do not print the summary (printed on standard error when an output is `-`).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    summary: SummaryArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
    #[command(flatten)]
    scratch: ScratchArgs,
}

/// Runs `stemma scan`.
pub fn run(args: ScanArgs) -> Result<i32> {
    let data_on_stdout = super::check_outputs(&args.outputs.flags())?;
    args.matching.init_threads()?;
    // With --against, the index's settings (unless flags say otherwise), so the new documents
    // are fingerprinted the way the indexed ones were.
    let index = match &args.against {
        Some(dir) => Some(stemma::index::Index::open(dir)?),
        None => None,
    };
    let mut config = match &index {
        Some(index) => args.matching.config_for_index(&index.manifest)?,
        None => args.matching.config()?,
    };
    config.family_policy = args.family_policy;
    let bar = Bar::new(!args.quiet);
    let (read_opts, scratch) = (args.input.read_options(), args.scratch.scratch()?);
    let (streamed, matches) = match &index {
        // Statistics over index and inputs together, so the pairs are those of a scan of both.
        Some(index) => {
            let (streamed, matches) = stemma::analyze_streamed_against(
                &args.inputs,
                &read_opts,
                &scratch,
                index,
                &config,
                &bar,
            )?;
            (streamed, Some(matches))
        }
        None => (
            stemma::analyze_streamed(&args.inputs, &read_opts, &scratch, &config, &bar)?,
            None,
        ),
    };
    let (read, analysis) = (&streamed.read, &streamed.analysis);
    let inputs = InputSummary::from(read);
    let mut report = build("scan", analysis, &read.documents, &config, inputs);
    if let Some(matches) = matches {
        report.index_matches = stemma::report::json::index_match_lines(matches);
    }
    super::warn(&read.warnings);
    args.outputs.write(&report, &streamed)?;
    if !args.quiet {
        super::print_summary(
            &summary_limited(&report, &args.summary.limits()),
            data_on_stdout,
        )?;
    }
    Ok(0)
}
