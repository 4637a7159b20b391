//! Calibration of the relation thresholds on labelled real data (not part of the test suite:
//! the data is research-only and lives outside the repository).
//!
//! ```text
//! cargo run --release --example calibrate            # reads ../shared/data
//! cargo run --release --example calibrate -- DIR     # or another data directory
//! ```
//!
//! Prints, for Clough & Stevenson, the relation stemma gives each labelled (source, answer)
//! pair against its label, and the figures' distribution per label; for Reuters-21578, the
//! recall of the computed exact-duplicate groups by `scan` (pairs related as duplicate or
//! near-duplicate) and by `dedup` (records grouped together).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use stemma::config::Config;
use stemma::corpus::{read_inputs, ReadOptions};
use stemma::dedup::{dedup, KeepPolicy, Record};
use stemma::fingerprint::Profiler;
use stemma::fuzzing::relate::{measure, relate};
use stemma::{analyze, Silent};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if !dir.join("clough/docs.jsonl").exists() {
        eprintln!("calibration data not found under {} (expected clough/ and reuters21578/); pass the data directory as the first argument", dir.display());
        std::process::exit(2);
    }
    clough(&dir.join("clough"));
    reuters(&dir.join("reuters21578"));
}

fn read(path: &Path) -> Vec<stemma::Document> {
    read_inputs(&[path.to_path_buf()], &ReadOptions::default())
        .expect("read")
        .documents
}

fn clough(dir: &Path) {
    let docs = read(&dir.join("docs.jsonl"));
    let by_id: HashMap<&str, &str> = docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    let mut config = Config::default();
    if let Ok(v) = std::env::var("CAL_MAX_DF") {
        config.bigram_max_df = v.parse().unwrap();
    }
    let profiler = Profiler::new(&config.fingerprint);
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let common = stemma::fuzzing::pipeline::common_bigrams(&texts, &profiler, config.bigram_max_df);
    let mut table: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut figures: BTreeMap<String, Vec<(f64, f64, f64, usize)>> = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("truth.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (Some(a), Some(b), Some(label)) =
            (v["a"].as_str(), v["b"].as_str(), v["label"].as_str())
        else {
            continue; // group lines
        };
        let (mut va, mut vb) = (
            stemma::fuzzing::profile::view(&profiler, by_id[a]),
            stemma::fuzzing::profile::view(&profiler, by_id[b]),
        );
        va.drop_common_bigrams(&common);
        vb.drop_common_bigrams(&common);
        let f = measure(&va, &vb, config.fingerprint.shingle.k, &config.relations);
        let rel = relate(&f, &config.relations)
            .map(|r| r.to_string())
            .unwrap_or_else(|| "none".into());
        *table
            .entry(label.to_string())
            .or_default()
            .entry(rel)
            .or_default() += 1;
        figures.entry(label.to_string()).or_default().push((
            f.containment_b_in_a,
            f.bigram_containment_b_in_a,
            f.verbatim_coverage_b(),
            f.longest_run_tokens,
        ));
    }
    println!("== Clough & Stevenson: label -> relation (answer vs its source)");
    for (label, row) in &table {
        println!("{label:>15}: {row:?}");
    }
    println!("\n   label: median [containment5, bigram containment, verbatim coverage, longest run] of the answer");
    for (label, mut v) in figures {
        let med = |i: usize, v: &mut Vec<(f64, f64, f64, usize)>| {
            let mut xs: Vec<f64> = v.iter().map(|t| [t.0, t.1, t.2, t.3 as f64][i]).collect();
            xs.sort_by(f64::total_cmp);
            (xs[xs.len() / 4], xs[xs.len() / 2], xs[xs.len() * 3 / 4])
        };
        println!(
            "{label:>15}: c5 {:.3?}  bigram {:.3?}  verbatim {:.3?}  run {:.0?}",
            med(0, &mut v),
            med(1, &mut v),
            med(2, &mut v),
            med(3, &mut v)
        );
    }
    // Whole-corpus view: which answers of one task get related to each other (hard negatives).
    let analysis = analyze(&docs, &config, &Silent).unwrap();
    let mut by_rel: BTreeMap<String, usize> = BTreeMap::new();
    for p in &analysis.pairs {
        *by_rel.entry(p.relation.to_string()).or_default() += 1;
    }
    println!(
        "\nwhole-corpus scan: {} related pairs {by_rel:?}, {} families",
        analysis.pairs.len(),
        analysis.families.len()
    );
}

fn reuters(dir: &Path) {
    let docs = read(&dir.join("docs.jsonl"));
    let mut config = Config::default();
    if let Ok(v) = std::env::var("CAL_MAX_DF") {
        config.bigram_max_df = v.parse().unwrap();
    }
    let t = std::time::Instant::now();
    let analysis = analyze(&docs, &config, &Silent).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let index: HashMap<&str, u32> = analysis
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u32))
        .collect();
    // Every pair, including those implied by identical copies (a copy of a copy is related
    // through the group's first document).
    let related: std::collections::HashSet<(u32, u32)> = analysis
        .all_pairs()
        .into_iter()
        .filter(|p| {
            matches!(
                analysis.pairs[p.pair].relation,
                stemma::Relation::Duplicate | stemma::Relation::NearDuplicate
            )
        })
        .map(|p| (p.a.0, p.b.0))
        .collect();
    let profiler = Profiler::new(&config.fingerprint);
    let records: Vec<Record> = docs
        .iter()
        .map(|d| Record {
            profile: profiler.profile(&d.text),
            published_at: None,
        })
        .collect();
    let decision = dedup(&records, &config, KeepPolicy::First);
    let pos: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let root = |i: usize| decision.duplicate_of[i].map(|(k, _)| k).unwrap_or(i);
    let (mut pairs, mut found, mut grouped) = (0, 0, 0);
    for line in std::fs::read_to_string(dir.join("truth.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let group: Vec<&str> = v["group"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        for (i, x) in group.iter().enumerate() {
            for y in &group[i + 1..] {
                pairs += 1;
                let (a, b) = (index[x], index[y]);
                if related.contains(&(a.min(b), a.max(b))) {
                    found += 1;
                }
                if root(pos[x]) == root(pos[y]) {
                    grouped += 1;
                }
            }
        }
    }
    let mut by_rel: BTreeMap<String, usize> = BTreeMap::new();
    for p in &analysis.pairs {
        *by_rel.entry(p.relation.to_string()).or_default() += 1;
    }
    println!(
        "\n== Reuters-21578: {} documents, scan in {secs:.1} s",
        docs.len()
    );
    println!("exact-duplicate pairs in truth: {pairs}; related as duplicate/near-duplicate by scan: {found} ({:.2}%); grouped by dedup: {grouped} ({:.2}%)",
        100.0 * found as f64 / pairs as f64, 100.0 * grouped as f64 / pairs as f64);
    println!(
        "scan relations: {by_rel:?}; families: {}; largest family: {}",
        analysis.families.len(),
        analysis
            .families
            .iter()
            .map(|f| f.members.len())
            .max()
            .unwrap_or(0)
    );
    println!("candidates: {:?}", analysis.stats);
}
