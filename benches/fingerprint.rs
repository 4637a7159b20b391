//! Criterion benchmarks of the per-document hot path: tokenize (normalize + hash) and the full
//! profile (tokenize + shingle + MinHash-128 + SimHash + winnowing), in bytes of text per second
//! on one core. Run: `cargo bench --bench fingerprint`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use stemma::profile::Profiler;
use stemma::sketch::minhash::MinHasher;
use stemma::FingerprintParams;

/// English-like and Vietnamese-like text: the seeds, repeated to about 1 MB.
fn corpus() -> Vec<(&'static str, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut en = String::new();
    let mut vi = String::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for (i, p) in entries.iter().enumerate() {
        let t = std::fs::read_to_string(p).unwrap();
        if i < 2 {
            en.push_str(&t);
        } else {
            vi.push_str(&t);
        }
    }
    let grow = |s: &str| s.repeat((1 << 20) / s.len().max(1) + 1);
    vec![("english", grow(&en)), ("vietnamese", grow(&vi))]
}

fn bench(c: &mut Criterion) {
    let params = FingerprintParams::default();
    let profiler = Profiler::new(&params);
    let mut group = c.benchmark_group("fingerprint");
    group.sample_size(20);
    for (name, text) in corpus() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("tokenize/{name}"), |b| {
            let mut tokens = Vec::new();
            b.iter(|| {
                stemma::text::tokenize(black_box(&text), &params, &mut tokens);
                tokens.len()
            })
        });
        group.bench_function(format!("profile/{name}"), |b| {
            b.iter(|| profiler.profile(black_box(&text)))
        });
    }
    let hasher = MinHasher::new(128, params.seed);
    let shingles: Vec<u64> = (0..100_000u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    group.throughput(Throughput::Elements(shingles.len() as u64));
    group.bench_function("minhash128/100k-shingles", |b| {
        b.iter(|| hasher.sign(black_box(&shingles)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
