//! `stemma compare A B`: two documents side by side in the terminal: figures, relation,
//! aligned passages, cues and direction evidence (`stemma::report::compare`), and when the
//! two are not related, which rule failed and by how much.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use stemma::corpus::{read_inputs, Document};
use stemma::provenance::compare;
use stemma::provenance::cues::AgencyTable;
use stemma::report::compare::render;

use super::{InputArgs, MatchArgs};

/// Arguments of `stemma compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first document (a text file, or a record file — JSONL, CSV, TSV, Parquet — holding
    /// exactly one record).
    #[arg(value_name = "A")]
    a: PathBuf,
    /// The second document.
    #[arg(value_name = "B")]
    b: PathBuf,
    /// Width of each side of a passage, in characters.
    #[arg(long, default_value_t = 60, value_name = "CHARS")]
    width: usize,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

fn one(path: &PathBuf, args: &InputArgs) -> Result<Document> {
    let mut read = read_inputs(std::slice::from_ref(path), &args.read_options())?;
    match read.documents.len() {
        1 => Ok(read.documents.remove(0)),
        n => bail!(
            "{}: holds {n} documents; compare takes exactly one document per argument",
            path.display()
        ),
    }
}

/// Runs `stemma compare`.
pub fn run(args: CompareArgs) -> Result<i32> {
    args.matching.init_threads()?;
    let config = args.matching.config()?;
    let (a, b) = (one(&args.a, &args.input)?, one(&args.b, &args.input)?);
    let c = compare(&a, &b, &config, &AgencyTable::builtin());
    super::write_stdout(render(&a, &b, &c, &config, args.width).as_bytes())?;
    Ok(0)
}
