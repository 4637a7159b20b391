//! Command-line parsing and dispatch. One file per command; raw clap arguments are turned into
//! a validated [`Config`] and read options once, here, before any work starts.

mod audit;
mod compare;
mod dedup;
mod index;
mod progress;
mod query;
mod scan;
mod trace;

use std::io::Write as _;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use stemma::config::{Banding, FingerprintParams};
use stemma::corpus::{stream_inputs, OnDuplicateId, ReadOptions, ReadReport};
use stemma::pipeline::Ingest;
use stemma::scratch::{Scratch, TextStore};
use stemma::{Analysis, Config, Document, Progress, ShingleSpec};

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
    /// Drop near-duplicate records from a JSONL corpus, keeping one per duplicate group.
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

/// Where documents come from and how JSONL records map to documents.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// JSONL field holding the text.
    #[arg(long, default_value = "text", value_name = "FIELD")]
    text_field: String,
    /// JSONL field holding the document id (a record without it gets FILE:LINE as id).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    id_field: String,
    /// A document whose id was seen before: error (stop), rename (to ID#2, ID#3, ...) or
    /// keep-first (skip it); renamed and skipped ones are warned about.
    #[arg(long, default_value = "error", value_name = "POLICY")]
    on_duplicate_id: OnDuplicateId,
    /// JSONL field holding the outlet name.
    #[arg(long, default_value = "outlet", value_name = "FIELD")]
    outlet_field: String,
    /// JSONL field holding the publication date (falls back to `date` when absent).
    #[arg(long, default_value = "published_at", value_name = "FIELD")]
    published_at_field: String,
    /// JSONL field holding the URL.
    #[arg(long, default_value = "url", value_name = "FIELD")]
    url_field: String,
    /// JSONL field holding the title.
    #[arg(long, default_value = "title", value_name = "FIELD")]
    title_field: String,
    /// JSONL field holding the language.
    #[arg(long, default_value = "lang", value_name = "FIELD")]
    lang_field: String,
    /// Skip malformed JSONL records (counted and reported) instead of stopping at the first.
    #[arg(long)]
    skip_bad: bool,
    /// Read standard input (`-`) as one plain-text document instead of JSONL.
    #[arg(long)]
    stdin_text: bool,
    /// Documents longer than this many bytes are truncated (and counted).
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES")]
    max_doc_bytes: usize,
    /// JSONL lines longer than this many bytes are bad records (never buffered whole).
    #[arg(long, default_value_t = 256 << 20, value_name = "BYTES")]
    max_line_bytes: usize,
}

impl InputArgs {
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            text_field: self.text_field.clone(),
            id_field: self.id_field.clone(),
            outlet_field: self.outlet_field.clone(),
            url_field: self.url_field.clone(),
            title_field: self.title_field.clone(),
            published_at_field: self.published_at_field.clone(),
            lang_field: self.lang_field.clone(),
            skip_bad: self.skip_bad,
            max_doc_bytes: self.max_doc_bytes,
            max_line_bytes: self.max_line_bytes,
            stdin_as_text: self.stdin_text,
            on_duplicate_id: self.on_duplicate_id,
        }
    }
}

/// How much memory the text-sized data of a run may take, and where the rest goes.
#[derive(Debug, Args)]
pub struct ScratchArgs {
    /// About how much memory (MiB) the text-sized data may take: texts, winnowed fingerprints,
    /// bigrams and the views of the pairs being verified. Beyond it, they go to temporary files
    /// in --temp-dir, with the same results. About 1.3 KB per document (ids, signatures) comes
    /// on top.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    memory: usize,
    /// Directory for temporary files (unnamed: nothing is left behind) [default: $TMPDIR or
    /// /tmp].
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<std::path::PathBuf>,
}

impl ScratchArgs {
    /// The scratch settings: a quarter of --memory for each of the four kinds of buffer.
    fn scratch(&self) -> Result<Scratch> {
        anyhow::ensure!(self.memory >= 16, "--memory must be at least 16 (MiB)");
        let dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
        let scratch = Scratch::on_disk(dir, self.memory.saturating_mul(1 << 20) / 4);
        scratch.check()?;
        Ok(scratch)
    }
}

/// Documents read as a stream and analysed with bounded memory.
pub struct Streamed {
    /// What was read; `read.documents` hold ids, origins and metadata, their texts are empty.
    pub read: ReadReport,
    /// The analysis.
    pub analysis: Analysis,
    /// The texts, by input position.
    pub texts: TextStore<'static>,
    /// Where temporary data went.
    pub scratch: Scratch,
}

/// Documents are fingerprinted in batches of this many, or of an eighth of a buffer's budget
/// of text (between 1 and 32 MiB): a batch's fingerprints take several times its text.
const BATCH_DOCS: usize = 4096;

/// Reads `inputs` as a stream, fingerprinting each batch as it arrives, and analyses them.
pub fn analyze_streamed(
    inputs: &[std::path::PathBuf],
    input: &InputArgs,
    scratch: &ScratchArgs,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Streamed> {
    let (opts, scratch) = (input.read_options(), scratch.scratch()?);
    let batch_bytes = (scratch.memory / 8).clamp(1 << 20, 32 << 20);
    let mut ingest = Ingest::new(config, &scratch)?;
    let mut heads: Vec<Document> = Vec::new();
    let mut batch: Vec<String> = Vec::new();
    let mut bytes = 0usize;
    let flush = |ingest: &mut Ingest, batch: &mut Vec<String>| -> stemma::Result<()> {
        let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
        ingest.add(&texts)?;
        progress.advance(batch.len() as u64);
        batch.clear();
        Ok(())
    };
    progress.start("fingerprint", 0);
    let mut read = stream_inputs(inputs, &opts, &mut |mut doc| {
        let text = std::mem::take(&mut doc.text);
        bytes += text.len();
        batch.push(text);
        heads.push(doc);
        if batch.len() >= BATCH_DOCS || bytes >= batch_bytes {
            flush(&mut ingest, &mut batch)?;
            bytes = 0;
        }
        Ok(())
    })?;
    flush(&mut ingest, &mut batch)?;
    progress.finish();
    let (analysis, texts) = ingest.finish(&heads, progress)?;
    read.documents = heads;
    Ok(Streamed {
        read,
        analysis,
        texts,
        scratch,
    })
}

impl Streamed {
    /// The texts the HTML page shows (whole) and the Markdown report quotes (passages), by
    /// canonical position: those of documents in a pair, read back from the store; empty for
    /// the rest. Memory grows with the texts of related documents, as the HTML page does.
    pub fn related_texts(&self) -> Result<Vec<String>> {
        let mut related = vec![false; self.analysis.documents.len()];
        for p in &self.analysis.pairs {
            related[p.a as usize] = true;
            related[p.b as usize] = true;
        }
        let mut out = Vec::with_capacity(related.len());
        for (d, r) in self.analysis.documents.iter().zip(related) {
            out.push(if r {
                self.texts.text(d.input_index)?.into_owned()
            } else {
                String::new()
            });
        }
        Ok(out)
    }
}

/// Fingerprint and matching settings shared by the commands.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Jaccard resemblance (0..1] at which two texts are near-duplicates [default: 0.8; with
    /// an index: the banding the index was built with].
    #[arg(long, value_name = "T")]
    threshold: Option<f64>,
    /// Shingles: `words:K` or `chars:K` [default: words:5; with an index: the index's].
    #[arg(long, value_name = "UNIT:K")]
    shingle: Option<ShingleSpec>,
    /// MinHash permutations [default: 128; with an index: the index's].
    #[arg(long, value_name = "K")]
    num_perm: Option<usize>,
    /// Fold diacritics away ("hòa" == "hoa"). Off by default (tone marks carry meaning); with
    /// an index: the index's setting.
    #[arg(long)]
    fold_diacritics: bool,
    /// Worker threads (default: all cores). Results are identical for any value.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

impl MatchArgs {
    /// The settings for work on inputs alone: defaults, then the flags given.
    fn config(&self) -> Result<Config> {
        self.config_from(FingerprintParams::default())
    }

    /// The settings for work against an existing index: the index's fingerprint parameters
    /// and banding, then the flags given (a flag that differs from the index is then refused
    /// by the index with what differs and what to do). So an index built with other settings,
    /// or by a stemma with other defaults, keeps working without repeating its flags.
    fn config_for_index(&self, manifest: &stemma::index::Manifest) -> Result<Config> {
        let mut config = self.config_from(manifest.params.clone())?;
        if self.threshold.is_none() {
            let (bands, rows) = manifest.banding;
            config.banding = Some(Banding { bands, rows });
        }
        config.validate()?;
        Ok(config)
    }

    fn config_from(&self, fingerprint: FingerprintParams) -> Result<Config> {
        let mut config = Config {
            fingerprint,
            ..Config::default()
        };
        if let Some(t) = self.threshold {
            config.relations.near_duplicate = t;
        }
        if let Some(s) = self.shingle {
            config.fingerprint.shingle = s;
        }
        if let Some(k) = self.num_perm {
            config.fingerprint.num_perm = k;
        }
        if self.fold_diacritics {
            config.fingerprint.fold_diacritics = true;
        }
        config.validate()?;
        Ok(config)
    }

    fn init_threads(&self) -> Result<()> {
        if let Some(n) = self.threads {
            anyhow::ensure!(n > 0, "invalid setting --threads: must be at least 1");
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .context("cannot start the worker threads")?;
        }
        Ok(())
    }
}

/// Parses the command line and runs the command; returns the exit code.
pub fn run() -> Result<i32> {
    let cli = match Cli::try_parse() {
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

/// The output files a command was asked for, each with the flag that names it, checked before
/// any work, so a bad path fails at once and no output is written: every location must be
/// writable ([`stemma::output::check_writable`]), no two outputs may be the same file, and at
/// most one may be `-` (standard output). Returns true when one is, so the command prints its
/// human summary to standard error instead, keeping standard output for the data
/// (`--pairs - | jq .`).
pub fn check_outputs(outputs: &[(&str, Option<&std::path::Path>)]) -> Result<bool> {
    let files: Vec<(&str, &std::path::Path)> = outputs
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
    let key = |p: &std::path::Path| {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
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
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

/// Writes the Markdown, HTML and DOT renderings that were asked for.
pub fn write_renderings(
    report: &stemma::report::json::Report,
    texts: &[&str],
    markdown: Option<&std::path::Path>,
    html: Option<&std::path::Path>,
    dot: Option<&std::path::Path>,
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
