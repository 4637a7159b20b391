//! Dumps the figures of every labelled pair of a corpus as JSON lines, for the calibration
//! script (`benches/calibrate/fit.py`), which fits and cross-validates the relation decision.
//! Not part of the test suite: the labelled data is research-only and lives outside the
//! repository.
//!
//! ```text
//! cargo run --release --example features -- ../shared/data/counter-dev > counter.jsonl
//! ```
//!
//! Each line: the pair (`a` = the source where the label gives a direction), its label, its
//! group (the source story: cross-validation folds never split one), the figures scan measures
//! (with the corpus's common bigrams and boilerplate shingles, as scan has them), the relation
//! and confidence stemma gives today, and whether a whole-corpus scan relates the pair.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use stemma::config::Config;
use stemma::corpus::{read_inputs, ReadOptions};
use stemma::pipeline::{common_bigrams, common_fingerprints};
use stemma::profile::Profiler;
use stemma::relate::{judge, measure};
use stemma::{analyze, Silent};

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: features DATA_DIR (a folder with docs.jsonl and truth.jsonl)");
        std::process::exit(2);
    };
    if !dir.join("docs.jsonl").exists() || !dir.join("truth.jsonl").exists() {
        eprintln!(
            "{}: expected docs.jsonl and truth.jsonl (the labelled corpora are in ../shared/data)",
            dir.display()
        );
        std::process::exit(2);
    }
    let corpus = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let docs = read_inputs(&[dir.join("docs.jsonl")], &ReadOptions::default())
        .expect("read")
        .documents;
    let config = Config::default();
    let profiler = Profiler::new(&config.fingerprint);
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let common = common_bigrams(&texts, &profiler, config.bigram_max_df);
    let fps = common_fingerprints(&texts, &profiler, config.boilerplate_max_df);
    let by_id: HashMap<&str, &str> = docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    let analysis = analyze(&docs, &config, &Silent).expect("analyze");
    let related: HashSet<(&str, &str)> = analysis
        .pairs
        .iter()
        .map(|p| {
            let (a, b) = (
                analysis.documents[p.a as usize].id.as_str(),
                analysis.documents[p.b as usize].id.as_str(),
            );
            (a.min(b), a.max(b))
        })
        .collect();
    let view = |id: &str| {
        let mut v = profiler.view(by_id[id]);
        v.drop_common_bigrams(&common);
        v.mark_boilerplate(|h| fps.binary_search(&h).is_ok());
        v
    };
    let truth = std::fs::read_to_string(dir.join("truth.jsonl")).expect("truth.jsonl");
    for line in truth.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("truth line");
        let (Some(a), Some(b), Some(label)) =
            (v["a"].as_str(), v["b"].as_str(), v["label"].as_str())
        else {
            continue; // group lines
        };
        if v.get("basis").is_some() {
            continue; // computed, not annotated
        }
        let f = measure(
            &view(a),
            &view(b),
            config.fingerprint.shingle.k,
            &config.relations,
        );
        let j = judge(&f, &config.relations, docs.len() > config.bigram_max_df);
        let out = serde_json::json!({
            "corpus": corpus,
            "group": a,
            "a": a,
            "b": b,
            "label": label,
            "figures": f,
            "relation": j.relation.map(|r| r.as_str()).unwrap_or("none"),
            "rule": j.rule,
            "confidence": j.confidence,
            "scan_relates": related.contains(&(a.min(b), a.max(b))),
        });
        println!("{out}");
    }
}
