//! The Rust side of the signing-speed comparison (python/bench/sign_speed.py): signs every line
//! of a file as `MinHasher.signatures_bytes` does (rayon over `Profiler::dedup_key`), best of
//! five runs, and prints texts per second.
//!
//! `cargo run --release -p stemma-python --example sign_speed -- FILE`

use std::time::Instant;

use rayon::prelude::*;
use stemma::fingerprint::Profiler;
use stemma::Config;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: sign_speed FILE (one text per line)");
    let data = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let texts: Vec<&str> = data.lines().collect();
    let profiler = Profiler::new(&Config::default().fingerprint);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let sigs: Vec<Vec<u32>> = texts
            .par_iter()
            .map(|t| profiler.dedup_key(t).signature.0)
            .collect();
        let bytes: Vec<u8> = sigs
            .iter()
            .flat_map(|s| s.iter().flat_map(|v| v.to_le_bytes()))
            .collect();
        std::hint::black_box(bytes);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{{\"texts\": {}, \"seconds\": {best:.4}, \"texts_per_second\": {:.0}}}",
        texts.len(),
        texts.len() as f64 / best
    );
}
