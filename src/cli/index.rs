//! `stemma index build|add|remove|stats|verify|compact`: manage a persistent fingerprint index
//! (see `stemma::index` for the layout and its guarantees).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use stemma::index::{self, Index, Stats};

use super::progress::Bar;
use super::{InputArgs, MatchArgs};

/// Arguments of `stemma index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
    /// Build a new index from inputs (texts stored zstd-compressed unless --no-text).
    Build {
        /// Files, directories, record files (JSONL, CSV, TSV, Parquet), or `-`.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// The index directory to create (new or empty).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Keep only fingerprints and metadata (no passages or direction in `query`).
        #[arg(long)]
        no_text: bool,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        matching: MatchArgs,
    },
    /// Add documents (a new segment); ids already in the index are refused.
    Add {
        /// The index directory.
        #[arg(value_name = "DIR")]
        index: PathBuf,
        /// Files, directories, record files (JSONL, CSV, TSV, Parquet), or `-`.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        matching: MatchArgs,
    },
    /// Remove documents by id (tombstones until `compact`).
    Remove {
        /// The index directory.
        #[arg(value_name = "DIR")]
        index: PathBuf,
        /// Document ids.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Print documents, segments, size and settings.
    Stats {
        /// The index directory.
        #[arg(value_name = "DIR")]
        index: PathBuf,
        /// Also list the live document ids.
        #[arg(long)]
        ids: bool,
    },
    /// Check every checksum and every stored document; exit 2 on the first problem.
    Verify {
        /// The index directory.
        #[arg(value_name = "DIR")]
        index: PathBuf,
    },
    /// Merge the segments, dropping removed documents (one segment per 250 000 documents or
    /// 256 MiB of document data; one for most indexes).
    Compact {
        /// The index directory.
        #[arg(value_name = "DIR")]
        index: PathBuf,
    },
}

fn print_stats(dir: &std::path::Path, s: &Stats) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} documents{}, {} segments, {} bytes, texts {}, generation {}, shingles {}, {} permutations, banding {}x{}",
        dir.display(),
        s.documents,
        // Said only when there are some: right after `compact` there are none to speak of.
        match s.deleted {
            0 => String::new(),
            n => format!(" ({n} removed, not yet compacted: `stemma index compact` drops them)"),
        },
        s.segments,
        s.bytes,
        if s.texts { "stored" } else { "not stored" },
        s.generation,
        s.params.shingle,
        s.params.num_perm,
        s.banding.bands,
        s.banding.rows
    )?;
    Ok(())
}

/// Streams the inputs into `writer` (one segment per batch), with a progress bar.
fn write_inputs(writer: &mut index::Writer, inputs: &[PathBuf], input: &InputArgs) -> Result<()> {
    let report = writer.write_inputs(inputs, &input.read_options(), &Bar::new(true))?;
    super::warn(&report.warnings);
    Ok(())
}

/// Runs `stemma index ...`.
pub fn run(args: IndexArgs) -> Result<i32> {
    match args.command {
        IndexCommand::Build {
            inputs,
            output,
            no_text,
            input,
            matching,
        } => {
            matching.init_threads()?;
            let config = matching.config()?;
            let mut writer = index::Writer::create(&output, &config, !no_text)?;
            write_inputs(&mut writer, &inputs, &input)?;
            print_stats(&output, &writer.commit()?)?;
        }
        IndexCommand::Add {
            index: dir,
            inputs,
            input,
            matching,
        } => {
            matching.init_threads()?;
            let config = matching.config_for_index(&index::read_manifest(&dir)?)?;
            let mut writer = index::Writer::append(&dir, &config)?;
            write_inputs(&mut writer, &inputs, &input)?;
            print_stats(&dir, &writer.commit()?)?;
        }
        IndexCommand::Remove { index: dir, ids } => {
            let s = index::remove(&dir, &ids)?;
            print_stats(&dir, &s)?;
        }
        IndexCommand::Stats { index: dir, ids } => {
            let idx = Index::open(&dir)?;
            print_stats(&dir, &idx.stats())?;
            if ids {
                let mut out = std::io::stdout().lock();
                for id in idx.ids_in_order()? {
                    writeln!(out, "{}", stemma::report::terminal_safe(&id))?;
                }
            }
        }
        IndexCommand::Verify { index: dir } => {
            let idx = Index::open(&dir)?;
            let n = idx.verify()?;
            println!(
                "{}: ok ({} segments, {n} documents checked, every checksum matches)",
                dir.display(),
                idx.stats().segments
            );
        }
        IndexCommand::Compact { index: dir } => {
            let s = index::compact_with_progress(&dir, &Bar::new(true))?;
            print_stats(&dir, &s)?;
        }
    }
    Ok(0)
}
