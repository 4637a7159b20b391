//! `stemma trace`: everything `scan` does, plus aligned passages, cues, direction evidence and
//! a stemma per family; text summary on stdout and reports on request.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use stemma::config::FamilyPolicy;
use stemma::output::write_atomic_compressed;
use stemma::report::json::{add_trace, build, cue_lines, stemma_lines, write_jsonl, InputSummary};
use stemma::report::text::trace_summary_limited;

use super::progress::Bar;
use super::{InputArgs, MatchArgs, ReportOutputArgs, ScratchArgs, SummaryArgs};

/// Arguments of `stemma trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Files, directories (.txt/.md, recursive), record files (JSONL, CSV, TSV, Parquet),
    /// or `-` for JSONL on standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    outputs: ReportOutputArgs,
    /// Write one JSON line per stemma edge (parent `external:<name>` for outside sources, null
    /// for a root).
    #[arg(long, value_name = "FILE")]
    stemma: Option<PathBuf>,
    /// Write one JSON line per document (every document, in a family or not) with the cues
    /// in its text: credits, photo credits, dates, bylines, outlet tags, each with its
    /// character span and the agency it resolves to.
    #[arg(long, value_name = "FILE")]
    cues: Option<PathBuf>,
    /// Extra agencies: a JSON file with a list of {"name": ..., "aliases": [...]}, added to the
    /// built-in table so credits resolve to one source.
    #[arg(long, value_name = "FILE")]
    agencies: Option<PathBuf>,
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

/// Runs `stemma trace`.
pub fn run(args: TraceArgs) -> Result<i32> {
    let mut outputs = args.outputs.flags();
    outputs.push(("--stemma", args.stemma.as_deref()));
    outputs.push(("--cues", args.cues.as_deref()));
    let data_on_stdout = super::check_outputs(&outputs)?;
    args.matching.init_threads()?;
    let mut config = args.matching.config()?;
    config.family_policy = args.family_policy;
    let agencies = super::agency_table(args.agencies.as_ref())?;
    let bar = Bar::new(!args.quiet);
    let streamed = stemma::analyze_streamed(
        &args.inputs,
        &args.input.read_options(),
        &args.scratch.scratch()?,
        &config,
        &bar,
    )?;
    let (read, analysis) = (&streamed.read, &streamed.analysis);
    let provenance = streamed.trace(&config, &agencies)?;
    let inputs = InputSummary::from(read);
    let mut report = build("trace", analysis, &read.documents, &config, inputs);
    add_trace(&mut report, analysis, &provenance);
    super::warn(&read.warnings);
    args.outputs.write(&report, &streamed)?;
    if let Some(path) = &args.stemma {
        write_atomic_compressed(path, |w| write_jsonl(&stemma_lines(&report), w))?;
    }
    if let Some(path) = &args.cues {
        write_atomic_compressed(path, |w| write_jsonl(&cue_lines(&report), w))?;
    }
    if !args.quiet {
        super::print_summary(
            &trace_summary_limited(&report, &args.summary.limits()),
            data_on_stdout,
        )?;
    }
    Ok(0)
}
