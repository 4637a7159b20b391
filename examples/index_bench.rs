//! End-to-end index benchmark (not a test): builds an index of generated short documents in
//! batches (one `add` per batch), then measures single-document query latency and memory.
//!
//! ```sh
//! cargo run --release --example index_bench -- build 100000 /tmp/idx   # build time, size
//! cargo run --release --example index_bench -- query /tmp/idx 300      # latency, RSS
//! ```

use std::time::Instant;

use stemma::fuzzing::hash::SplitMix64;
use stemma::index::{self, query::query, Index};
use stemma::{Config, Document};

/// Document `i`: ~60 words from a 20 000-word vocabulary; every 10th copies half of an earlier
/// document (so queries find matches).
fn doc(i: u64) -> Document {
    let mut g = SplitMix64::new(i);
    let mut words: Vec<String> = (0..60).map(|_| format!("w{}", g.next() % 20_000)).collect();
    if i % 10 == 9 {
        let mut h = SplitMix64::new(i / 2);
        for w in words.iter_mut().take(30) {
            *w = format!("w{}", h.next() % 20_000);
        }
    }
    Document::new(format!("doc{i:08}"), words.join(" "))
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let config = Config::default();
    match args.get(1).map(String::as_str) {
        Some("build") => {
            let n: u64 = args[2].parse().unwrap();
            let dir = std::path::Path::new(&args[3]);
            let batch = 100_000u64;
            let t = Instant::now();
            let mut start = 0;
            while start < n {
                let docs: Vec<Document> = (start..(start + batch).min(n)).map(doc).collect();
                if start == 0 {
                    index::build(dir, &docs, &config, true).unwrap();
                } else {
                    index::add(dir, &docs, &config).unwrap();
                }
                start += batch;
                eprintln!("{start} documents, {:.1} s", t.elapsed().as_secs_f64());
            }
            let secs = t.elapsed().as_secs_f64();
            let stats = Index::open(dir).unwrap().stats();
            println!(
                "built {n} documents in {secs:.1} s ({:.0} docs/s); {} segments, {:.1} MB ({:.0} bytes/doc, {:.2} GB per million); peak RSS {} MiB",
                n as f64 / secs,
                stats.segments,
                stats.bytes as f64 / 1e6,
                stats.bytes as f64 / n as f64,
                stats.bytes as f64 / n as f64 * 1e6 / 1e9,
                rss_kib("VmHWM:") / 1024
            );
        }
        Some("query") => {
            let dir = std::path::Path::new(&args[2]);
            let q: u64 = args[3].parse().unwrap();
            let t = Instant::now();
            let index = Index::open(dir).unwrap();
            let open_s = t.elapsed().as_secs_f64();
            println!(
                "after open: RSS {} MiB ({} MiB anonymous + {} MiB mapped file pages)",
                rss_kib("VmRSS:") / 1024,
                rss_kib("RssAnon:") / 1024,
                rss_kib("RssFile:") / 1024
            );
            let n = index.live();
            let mut lat = Vec::new();
            let mut matches = 0;
            for j in 0..q {
                // Half the queries are derived from indexed documents, half are fresh.
                let i = if j % 2 == 0 { (j * 7919) % n } else { n + j };
                let mut d = doc(i);
                d.id = format!("query{j}");
                let t = Instant::now();
                let r = query(&index, &[d], &config).unwrap();
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                if j == 0 {
                    println!(
                        "after the first query: RSS {} MiB ({} MiB anonymous + {} MiB mapped file pages)",
                        rss_kib("VmRSS:") / 1024,
                        rss_kib("RssAnon:") / 1024,
                        rss_kib("RssFile:") / 1024
                    );
                }
                matches += r[0].matches.len();
            }
            lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
            println!(
                "{n} indexed documents: open {open_s:.2} s; {q} single-document queries: median {:.2} ms, p99 {:.2} ms, max {:.2} ms; {matches} matches; RSS {} MiB (peak {} MiB; now {} MiB anonymous + {} MiB mapped file pages)",
                pct(0.5),
                pct(0.99),
                lat[lat.len() - 1],
                rss_kib("VmRSS:") / 1024,
                rss_kib("VmHWM:") / 1024,
                rss_kib("RssAnon:") / 1024,
                rss_kib("RssFile:") / 1024
            );
        }
        _ => eprintln!("usage: index_bench build N DIR | query DIR Q"),
    }
}
