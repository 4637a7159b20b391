//! Criterion benchmarks of the per-document hot path: tokenize (normalize + hash), its stages,
//! the full profile (tokenize + shingle + MinHash-128 + SimHash + winnowing) with the default
//! (fast similarity sketch) and OPH families, and the dedup key (text to MinHash-128 signature,
//! what `stemma dedup` computes), in bytes of text per second on one core; MinHash-128 alone
//! in shingles per second for each family. Run: `cargo bench --bench fingerprint`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use stemma::fingerprint::Profiler;
use stemma::fuzzing::sketch::minhash::{MinHasher, PermutationFamily};
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

/// The seed documents one by one: English (the first two) and Vietnamese (the rest).
fn documents() -> Vec<(&'static str, Vec<String>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let texts: Vec<String> = entries
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    vec![
        ("english", texts[..2].to_vec()),
        ("vietnamese", texts[2..].to_vec()),
    ]
}

fn bench(c: &mut Criterion) {
    let params = FingerprintParams::default();
    let profiler = Profiler::new(&params);
    let oph_profiler = Profiler::new(&FingerprintParams {
        permutation_family: PermutationFamily::OphDensified,
        ..params.clone()
    });
    let mut group = c.benchmark_group("fingerprint");
    group.sample_size(20);
    for (name, text) in corpus() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("tokenize/{name}"), |b| {
            let mut tokens = Vec::new();
            b.iter(|| {
                stemma::fuzzing::text::tokenize(black_box(&text), &params, &mut tokens);
                tokens.len()
            })
        });
        group.bench_function(format!("profile/{name}"), |b| {
            b.iter(|| profiler.profile(black_box(&text)))
        });
        group.bench_function(format!("profile-oph/{name}"), |b| {
            b.iter(|| oph_profiler.profile(black_box(&text)))
        });
    }
    // The repeated corpus has few distinct shingles, which hides the cost of MinHash; real
    // documents have about one distinct shingle per token. Profile each seed document on its own.
    for (name, docs) in documents() {
        let bytes: usize = docs.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        // Text to MinHash-128 signature, what `stemma dedup` computes per record (default family).
        group.bench_function(format!("dedup-key-docs/{name}"), |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| profiler.dedup_key(black_box(d)).tokens)
                    .sum::<usize>()
            })
        });
        for (label, p) in [
            ("profile-docs", &profiler),
            ("profile-docs-oph", &oph_profiler),
        ] {
            group.bench_function(format!("{label}/{name}"), |b| {
                b.iter(|| {
                    docs.iter()
                        .map(|d| p.profile(black_box(d)).shingles.len())
                        .sum::<usize>()
                })
            });
        }
    }
    stages(&mut group, &params, &corpus()[0].1);
    let shingles: Vec<u64> = (0..100_000u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    group.throughput(Throughput::Elements(shingles.len() as u64));
    for (label, family) in [
        ("minhash128", PermutationFamily::MulAddMod61),
        ("minhash128-oph", PermutationFamily::OphDensified),
        ("minhash128-fss", PermutationFamily::FastSimilaritySketch),
    ] {
        let hasher = MinHasher::of_family(family, 128, params.seed);
        group.bench_function(format!("{label}/100k-shingles"), |b| {
            b.iter(|| hasher.sign(black_box(&shingles)))
        });
    }
    group.finish();
}

/// The stages of `Profiler::profile` one at a time on the same text, each timed on its own
/// input and reported in bytes of the text per second, so their costs add up (roughly) to the
/// profile's.
fn stages(
    group: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    params: &FingerprintParams,
    text: &str,
) {
    use stemma::fuzzing::shingle::{shingle_hashes, to_set};
    group.throughput(Throughput::Bytes(text.len() as u64));
    let mut tokens = Vec::new();
    stemma::fuzzing::text::tokenize(text, params, &mut tokens);
    let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
    let mut seq = Vec::new();
    shingle_hashes(&hashes, params.shingle.k, params.seed, &mut seq);
    let set = to_set(seq.clone());
    group.bench_function("stage/shingle-hashes/english", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            shingle_hashes(black_box(&hashes), params.shingle.k, params.seed, &mut out);
            out.len()
        })
    });
    group.bench_function("stage/to-set/english", |b| {
        b.iter(|| to_set(black_box(seq.clone())).len())
    });
    group.bench_function("stage/simhash/english", |b| {
        b.iter(|| stemma::fuzzing::sketch::simhash(black_box(&seq)))
    });
    group.bench_function("stage/winnow/english", |b| {
        let mut fps = Vec::new();
        b.iter(|| {
            stemma::fuzzing::sketch::winnow(black_box(&seq), params.winnow_w, &mut fps);
            fps.len()
        })
    });
    for family in PermutationFamily::ALL {
        let hasher = MinHasher::of_family(family, params.num_perm, params.seed);
        group.bench_function(format!("stage/sign-{family}/english"), |b| {
            b.iter(|| hasher.sign(black_box(&set)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
