//! Where a command's outputs go: checked before any work, written atomically, the human summary
//! kept off standard output when data goes there.

use std::io::Write as _;
use std::path::Path;

use anyhow::Result;

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

/// Writes the Markdown, HTML and DOT renderings that were asked for.
pub fn write_renderings(
    report: &stemma::report::json::Report,
    texts: &[&str],
    markdown: Option<&Path>,
    html: Option<&Path>,
    dot: Option<&Path>,
) -> Result<()> {
    use stemma::output::write_atomic;
    use stemma::report::{dot as dot_report, html as html_report, markdown as md_report};
    if let Some(path) = markdown {
        write_atomic(path, |w| {
            w.write_all(md_report::render(report, texts).as_bytes())
        })?;
    }
    if let Some(path) = html {
        write_atomic(path, |w| {
            w.write_all(html_report::render(report, texts).as_bytes())
        })?;
    }
    if let Some(path) = dot {
        write_atomic(path, |w| w.write_all(dot_report::render(report).as_bytes()))?;
    }
    Ok(())
}

/// Prints reading warnings on standard error, made safe for a terminal.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("stemma: warning: {}", stemma::report::terminal_safe(w));
    }
}
