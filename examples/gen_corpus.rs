//! Writes a generated JSONL corpus to standard output (benchmarks, not tests): `docs` documents
//! of about `bytes` bytes each, words drawn from a 50 000-word vocabulary; every 10th document
//! repeats a stretch of an earlier one with a few words changed, so there is reuse to find.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- 100000 10000 > /tmp/1g.jsonl   # ~1 GB
//! cargo run --release --example gen_corpus -- 100000 40000 > /tmp/4g.jsonl   # ~4 GB
//! ```

use std::io::{BufWriter, Write};

use stemma::fuzzing::hash::SplitMix64;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(docs), Some(bytes)) = (
        args.get(1).and_then(|a| a.parse::<u64>().ok()),
        args.get(2).and_then(|a| a.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_corpus DOCS BYTES_PER_DOC [SEED] > corpus.jsonl");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut g = SplitMix64::new(seed);
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let vocab: Vec<String> = (0..50_000)
        .map(|_| {
            let len = 2 + (g.next() % 9) as usize;
            (0..len)
                .map(|_| letters[(g.next() % 26) as usize] as char)
                .collect()
        })
        .collect();
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    let mut text = String::with_capacity(bytes + 64);
    for d in 0..docs {
        text.clear();
        if d % 10 == 9 {
            // A stretch of an earlier document, regenerated from its seed, lightly edited.
            let mut h = SplitMix64::new(seed ^ (d / 2).wrapping_mul(0x9E37_79B9));
            while text.len() < bytes {
                let w = if g.next() % 20 == 0 {
                    &vocab[(g.next() % 50_000) as usize]
                } else {
                    &vocab[(h.next() % 50_000) as usize]
                };
                text.push_str(w);
                text.push(' ');
            }
        } else {
            let mut h = SplitMix64::new(seed ^ d.wrapping_mul(0x9E37_79B9));
            while text.len() < bytes {
                text.push_str(&vocab[(h.next() % 50_000) as usize]);
                text.push(' ');
            }
        }
        writeln!(w, "{{\"id\":\"g{d:08}\",\"text\":\"{}\"}}", text.trim_end()).expect("write");
    }
    w.flush().expect("write");
}
