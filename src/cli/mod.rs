//! Command-line parsing and dispatch. One file per command; raw clap arguments are turned into
//! a validated [`Config`] and read options once, here, before any work starts.

mod args;
mod audit;
mod compare;
mod dedup;
mod help;
mod index;
mod outputs;
mod progress;
mod query;
mod scan;
mod trace;

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use stemma::provenance::cues::{Agency, AgencyTable};

pub use args::{InputArgs, MatchArgs, ScratchArgs, SummaryArgs};
pub use outputs::{check_outputs, ReportOutputArgs};

/// stemma finds rewritten and syndicated copies in text corpora and explains where each text
/// came from.
///
/// Exit codes: 0 success, 1 findings (audit), 2 usage or input error.
#[derive(Debug, Parser)]
#[command(name = "stemma", version, about, long_about = None, after_help = "Exit codes: 0 success, 1 findings (audit), 2 usage or input error.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find duplicates, excerpts, partial reuse and rewrites; group documents into families.
    Scan(scan::ScanArgs),
    /// Everything scan does, plus aligned passages, cues, direction evidence and a stemma per
    /// family (who copied whom), with JSON, Markdown, HTML and DOT reports.
    Trace(trace::TraceArgs),
    /// Two documents side by side: figures, relation, passages, cues, direction evidence.
    Compare(compare::CompareArgs),
    /// Drop near-duplicate records from a JSONL, CSV/TSV or Parquet corpus, keeping one per duplicate group.
    Dedup(dedup::DedupArgs),
    /// CI mode: fail on duplicates, contamination (--against) or uncredited reuse, with a
    /// baseline of accepted findings; text, JSON, SARIF, JUnit or GitHub output.
    Audit(audit::AuditArgs),
    /// Build and maintain a persistent fingerprint index (build, add, remove, stats, verify,
    /// compact).
    Index(index::IndexArgs),
    /// Relate query documents to the documents of an index, as scan would.
    Query(query::QueryArgs),
}

/// Parses the command line and runs the command; returns the exit code.
pub fn run() -> Result<i32> {
    let command = help::without_index_notes(Cli::command(), &["compare", "dedup"]);
    let cli = match command
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            e.print()?;
            return Ok(code);
        }
    };
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Trace(args) => trace::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Dedup(args) => dedup::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Index(args) => index::run(args),
        Command::Query(args) => query::run(args),
    }
}

/// Prints a command's human summary: on standard output, or on standard error when an output
/// goes to standard output.
pub fn print_summary(text: &str, to_stderr: bool) -> Result<()> {
    if to_stderr {
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes())?;
        err.flush()?;
    } else {
        write_stdout(text.as_bytes())?;
    }
    Ok(())
}

/// Writes `bytes` to standard output and flushes it.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Prints reading warnings on standard error, made safe for a terminal.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("stemma: warning: {}", stemma::report::terminal_safe(w));
    }
}

/// The built-in agency table, extended from `--agencies FILE` when given.
pub fn agency_table(path: Option<&PathBuf>) -> Result<AgencyTable> {
    let table = AgencyTable::builtin();
    let Some(path) = path else { return Ok(table) };
    let raw = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the agency table", path.display()))?;
    let extra: Vec<Agency> = serde_json::from_slice(&raw).with_context(|| {
        format!(
            "{}: not a JSON list of {{\"name\": ..., \"aliases\": [...]}} objects",
            path.display()
        )
    })?;
    Ok(table.with_extra(extra))
}
