//! How fast the corpus layer reads an input, without any analysis: every document is read
//! through `stemma::corpus::stream_inputs` (as `scan`, `trace` and `index build` read) and
//! dropped. Prints documents, text bytes, file bytes, the best of `--runs` wall times, and MB/s
//! of text and of file. For comparing formats of one corpus (benches/runs/2026-12-07-parquet-csv.md):
//!
//! ```text
//! cargo run --release --example read_speed -- docs.jsonl docs.parquet docs.csv
//! ```

use std::path::PathBuf;
use std::time::Instant;

use stemma::corpus::{stream_inputs, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut runs = 5usize;
    let mut inputs: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().ok_or("--runs needs a number")?.parse()?;
        } else {
            inputs.push(arg.into());
        }
    }
    if inputs.is_empty() {
        return Err("usage: read_speed [--runs N] FILE...".into());
    }
    let opts = ReadOptions::default();
    println!(
        "| input | documents | text MB | file MB | best of {runs} (s) | text MB/s | file MB/s |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for input in &inputs {
        let file_bytes = std::fs::metadata(input)?.len() as f64;
        let (mut best, mut docs, mut text) = (f64::INFINITY, 0u64, 0u64);
        for _ in 0..runs {
            let (mut d, mut t) = (0u64, 0u64);
            let start = Instant::now();
            stream_inputs(std::slice::from_ref(input), &opts, &mut |doc| {
                d += 1;
                t += doc.text.len() as u64;
                Ok(())
            })?;
            best = best.min(start.elapsed().as_secs_f64());
            (docs, text) = (d, t);
        }
        let mb = |b: f64| b / 1e6;
        println!(
            "| {} | {docs} | {:.1} | {:.1} | {best:.3} | {:.0} | {:.0} |",
            input.display(),
            mb(text as f64),
            mb(file_bytes),
            mb(text as f64) / best,
            mb(file_bytes) / best,
        );
    }
    Ok(())
}
