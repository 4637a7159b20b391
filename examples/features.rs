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
use stemma::fingerprint::Profiler;
use stemma::fuzzing::pipeline::{common_bigrams, common_fingerprints};
use stemma::fuzzing::relate::{judge, measure};
use stemma::{analyze, Silent};

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: features DATA_DIR [TRUTH] (DATA_DIR holds docs.jsonl[.zst]; TRUTH defaults to DATA_DIR/truth.jsonl)");
        std::process::exit(2);
    };
    let truth_path = std::env::args()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("truth.jsonl"));
    let docs_path = ["docs.jsonl", "docs.jsonl.zst"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists());
    let (Some(docs_path), true) = (docs_path, truth_path.exists()) else {
        eprintln!(
            "{}: expected docs.jsonl[.zst] and {} (the labelled corpora are in ../shared/data)",
            dir.display(),
            truth_path.display()
        );
        std::process::exit(2);
    };
    let corpus = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let docs = read_inputs(&[docs_path], &ReadOptions::default())
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
                analysis.documents[p.a].id.as_str(),
                analysis.documents[p.b].id.as_str(),
            );
            (a.min(b), a.max(b))
        })
        .collect();
    // Document frequency of every bigram, for the idf weights scan gives its views.
    let mut bigram_df: HashMap<u64, usize> = HashMap::new();
    for t in &texts {
        for h in stemma::fuzzing::profile::kgram_set(&profiler, t, 2) {
            *bigram_df.entry(h).or_default() += 1;
        }
    }
    let statistics = docs.len() > config.bigram_max_df;
    let view = |id: &str| {
        let mut v = stemma::fuzzing::profile::view(&profiler, by_id[id]);
        v.drop_common_bigrams(&common);
        if statistics {
            v.weigh_bigrams(docs.len(), |h| bigram_df.get(&h).copied().unwrap_or(1));
        }
        v.mark_boilerplate(|h| fps.binary_search(&h).is_ok());
        v
    };
    let truth = std::fs::read_to_string(&truth_path).expect("truth file");
    for line in truth.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("truth line");
        // A judged pair (benches/calibrate/*-judged-*.jsonl) has a verdict instead of a label.
        let label = v["label"].as_str().or(match v["verdict"].as_str() {
            Some("shared-passage") => Some("judged-derived"),
            Some(_) => Some("non-derived"),
            None => None,
        });
        let (Some(a), Some(b), Some(label)) = (v["a"].as_str(), v["b"].as_str(), label) else {
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
