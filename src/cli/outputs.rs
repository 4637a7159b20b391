//! The report files `scan` and `trace` share (`--json`, `--pairs`, `--families`, `--markdown`,
//! `--html`, `--dot`): one set of flags with one help text, checked before any work and written
//! the same way by both commands.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use stemma::output::{write_atomic, write_atomic_compressed};
use stemma::report::json::{family_lines, write_jsonl, write_report, Report};
use stemma::report::{dot as dot_report, html as html_report, markdown as md_report};
use stemma::Streamed;

/// The report files of `scan` and `trace`.
#[derive(Debug, Args)]
pub struct ReportOutputArgs {
    /// Write the full report as JSON (schema stemma.analysis v1; trace adds passages, cues and
    /// stemmas).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write one JSON line per related pair (trace adds its passages, in character offsets).
    #[arg(long, value_name = "FILE")]
    pairs: Option<PathBuf>,
    /// Write one JSON line per family.
    #[arg(long, value_name = "FILE")]
    families: Option<PathBuf>,
    /// Write a Markdown report.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Write a self-contained HTML report (trace adds side-by-side passages and stemma graphs).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write the families as a Graphviz DOT graph (trace draws their stemmas).
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
}

impl ReportOutputArgs {
    /// Each output asked for with its flag, for [`check_outputs`].
    pub fn flags(&self) -> Vec<(&'static str, Option<&Path>)> {
        vec![
            ("--json", self.json.as_deref()),
            ("--pairs", self.pairs.as_deref()),
            ("--families", self.families.as_deref()),
            ("--markdown", self.markdown.as_deref()),
            ("--html", self.html.as_deref()),
            ("--dot", self.dot.as_deref()),
        ]
    }

    /// Writes the outputs asked for from `report`; the Markdown and HTML reports quote the
    /// related texts, read back from `streamed` only when one of them is asked for.
    pub fn write(&self, report: &Report, streamed: &Streamed) -> Result<()> {
        if let Some(path) = &self.json {
            write_atomic_compressed(path, |w| write_report(report, w))?;
        }
        if let Some(path) = &self.pairs {
            write_atomic_compressed(path, |w| write_jsonl(&report.pairs, w))?;
        }
        if let Some(path) = &self.families {
            write_atomic_compressed(path, |w| write_jsonl(&family_lines(report), w))?;
        }
        // DOT shows no text.
        let texts = if self.markdown.is_some() || self.html.is_some() {
            streamed.related_texts()?
        } else {
            Vec::new()
        };
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        if let Some(path) = &self.markdown {
            write_atomic(path, |w| {
                w.write_all(md_report::render(report, &texts).as_bytes())
            })?;
        }
        if let Some(path) = &self.html {
            write_atomic(path, |w| {
                w.write_all(html_report::render(report, &texts).as_bytes())
            })?;
        }
        if let Some(path) = &self.dot {
            write_atomic(path, |w| w.write_all(dot_report::render(report).as_bytes()))?;
        }
        Ok(())
    }
}

/// The output files a command was asked for, each with the flag that names it, checked before
/// any work, so a bad path fails at once and no output is written: every location must be
/// writable ([`stemma::output::check_writable`]), no two outputs may be the same file, and at
/// most one may be `-` (standard output). Returns true when one is, so the command prints its
/// human summary to standard error instead, keeping standard output for the data
/// (`--pairs - | jq .`).
pub fn check_outputs(outputs: &[(&str, Option<&Path>)]) -> Result<bool> {
    let files: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|(flag, path)| Some((*flag, (*path)?)))
        .filter(|(_, path)| path.as_os_str() != "-")
        .collect();
    for (flag, path) in &files {
        if let Err(problem) = stemma::output::check_writable(path) {
            anyhow::bail!("{flag} {}: cannot write there: {problem}", path.display());
        }
    }
    // The same file twice: one output would silently replace the other.
    let key = |p: &Path| {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        (dir.canonicalize().ok(), p.file_name().map(|n| n.to_owned()))
    };
    for (i, (flag, path)) in files.iter().enumerate() {
        if let Some((other, _)) = files[..i].iter().find(|(_, p)| key(p) == key(path)) {
            anyhow::bail!(
                "{other} and {flag} both write to {}; give each output its own file",
                path.display()
            );
        }
    }
    let to_stdout: Vec<&str> = outputs
        .iter()
        .filter(|(_, path)| path.is_some_and(|p| p.as_os_str() == "-"))
        .map(|(flag, _)| *flag)
        .collect();
    if to_stdout.len() > 1 {
        anyhow::bail!(
            "{} all write to standard output (`-`); only one output can go there: give the others a file name",
            to_stdout.join(", ")
        );
    }
    Ok(!to_stdout.is_empty())
}
