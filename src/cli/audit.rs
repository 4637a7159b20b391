//! `stemma audit`: the CI mode. Runs the chosen checks (duplicates, contamination against a
//! reference corpus, uncredited reuse), applies a baseline of accepted findings, writes a
//! report (text, JSON, SARIF, JUnit, GitHub annotations) and returns the exit code: 0 no new
//! findings, 1 new findings (or stale baseline entries with --fail-on-stale), 2 usage or input
//! error. The logic lives in `stemma::audit` (the reference corpus, from files or an index, in
//! `stemma::audit::reference`); this file reads, calls and writes.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};

use stemma::audit::baseline;
use stemma::audit::format::RenderOptions;
use stemma::audit::reference::{is_index, read_audited};
use stemma::audit::{audit, Check, Policy};
use stemma::output::write_atomic;
use stemma::Relation;

use super::progress::Bar;
use super::{InputArgs, MatchArgs};

/// Output formats of `stemma audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human summary.
    Text,
    /// JSON, schema stemma.audit v1.
    Json,
    /// SARIF 2.1.0 (code-scanning dashboards).
    Sarif,
    /// JUnit XML (CI test reports).
    Junit,
    /// GitHub Actions workflow commands (annotations on the files).
    Github,
}

/// Arguments of `stemma audit`.
#[derive(Debug, Args)]
#[command(after_help = "\
Checks:
  duplicates     related pairs within the inputs at or above --fail-on
  contamination  inputs related to a document of --against (e.g. test items found in training data)
  uncredited     inputs whose stemma parent (a document, or an agency inferred from the text) is
                 not credited in the text; a picture credit (\"Photo: X\") does not credit the
                 text; reported at stemma confidence >= --min-confidence, the rest explained

Findings are keyed by content (hashes of the normalized texts), not by paths: renaming a file
keeps its baseline entry.

Exit codes: 0 no new findings, 1 new findings (or stale baseline entries with --fail-on-stale),
2 usage or input error.")]
pub struct AuditArgs {
    /// Files, directories (.txt/.md, recursive), record files (JSONL, CSV, TSV, Parquet),
    /// or `-` for JSONL on standard input: the documents audited.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// A reference corpus (files, directories, JSONL, or an index built with `stemma index
    /// build`, whose documents matching the inputs are read back from it) analysed with the
    /// inputs; only pairs of an input and a reference document are reported by
    /// `contamination`. Ids get the prefix `against:`. Giving --against turns on the
    /// contamination check. One path per --against: repeat it for several
    /// (`--against train1 --against train2`), so the inputs after it stay inputs.
    #[arg(long, value_name = "INPUT")]
    against: Vec<PathBuf>,
    /// A check to run (repeatable): duplicates, contamination, uncredited. Default: duplicates
    /// (plus contamination when --against is given).
    #[arg(long = "check", value_name = "CHECK")]
    checks: Vec<Check>,
    /// duplicates: report pairs at this relation or stronger (duplicate > near-duplicate >
    /// excerpt > partial-reuse > rewrite).
    #[arg(long, default_value = "near-duplicate", value_name = "RELATION")]
    fail_on: Relation,
    /// contamination: report pairs at this relation or stronger (default: any relation).
    #[arg(long, default_value = "rewrite", value_name = "RELATION")]
    contamination_level: Relation,
    /// uncredited: report a derivation when its stemma edge has at least this confidence (0..1).
    #[arg(long, default_value_t = 0.5, value_name = "P")]
    min_confidence: f64,
    /// Accepted findings (JSON, schema stemma.audit.baseline v1): they are reported but do not
    /// fail the build.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Rewrite --baseline with the current findings (notes kept; created if missing), then
    /// report against it.
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Baseline entries that no longer occur fail the build (exit 1).
    #[arg(long)]
    fail_on_stale: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Extra agencies for the uncredited check: a JSON list of {"name": ..., "aliases": [...]}.
    #[arg(long, value_name = "FILE")]
    agencies: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

/// Runs `stemma audit`; returns 0 (pass) or 1 (new findings).
pub fn run(args: AuditArgs) -> Result<i32> {
    super::check_outputs(&[
        ("--output", args.output.as_deref()),
        (
            "--baseline",
            args.baseline.as_deref().filter(|_| args.update_baseline),
        ),
    ])?;
    args.matching.init_threads()?;
    // Against an index, its settings (unless flags say otherwise).
    let config = match args.against.iter().find(|p| is_index(p)) {
        Some(dir) => args
            .matching
            .config_for_index(&stemma::index::read_manifest(dir)?)?,
        None => args.matching.config()?,
    };
    let checks = Policy::checks_for(&args.checks, !args.against.is_empty());
    anyhow::ensure!(
        !checks.contains(&Check::Contamination) || !args.against.is_empty(),
        "--check contamination needs a reference corpus: give it with --against INPUT (repeat it for several)"
    );
    let policy = Policy {
        checks,
        fail_on: args.fail_on,
        contamination_level: args.contamination_level,
        min_confidence: args.min_confidence,
    };
    policy.validate()?;

    let opts = args.input.read_options();
    let (docs, roles, warnings) = read_audited(&args.inputs, &args.against, &opts, &config)?;
    super::warn(&warnings);

    let analysis = stemma::analyze(&docs, &config, &Bar::new(!args.quiet))?;
    let provenance = match policy.checks.contains(&Check::Uncredited) {
        true => Some(stemma::trace(
            &docs,
            &analysis,
            &config,
            &super::agency_table(args.agencies.as_ref())?,
        )),
        false => None,
    };
    let mut result = audit(
        &docs,
        &roles,
        &analysis,
        provenance.as_ref(),
        &config,
        &policy,
    );
    if let Some(path) = &args.baseline {
        let applied = if args.update_baseline {
            let new = baseline::update_file(path, &result)?;
            eprintln!(
                "stemma: baseline {} updated: {} entries",
                stemma::report::terminal_safe(&path.display().to_string()),
                new.entries.len()
            );
            new
        } else {
            baseline::load(path, false)?
        };
        baseline::apply(&mut result, &applied);
    }

    let render = RenderOptions {
        fail_on_stale: args.fail_on_stale,
        baseline: args.baseline.as_ref().map(|p| p.display().to_string()),
    };
    let bytes = match args.format {
        Format::Text => stemma::audit::format::text(&result, &render),
        Format::Json => stemma::audit::format::json(&result, &render),
        Format::Sarif => stemma::audit::sarif::sarif(&result, &render),
        Format::Junit => stemma::audit::junit::junit(&result, &render),
        Format::Github => stemma::audit::format::github(&result, &render),
    };
    match &args.output {
        Some(path) => write_atomic(path, |w| w.write_all(&bytes))?,
        None => super::write_stdout(&bytes)?,
    }
    Ok(result.exit_code(args.fail_on_stale))
}
