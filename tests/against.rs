//! `scan --against IDX` reports the pairs a scan of index ∪ inputs reports that touch the
//! inputs, with the same relations and figures (issue 15, item 4): built from part of a
//! generated corpus, the rest scanned against it, compared with a scan of the whole.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;
use stemma::fuzzing::hash::SplitMix64;

mod common;
use common::{scratch, stemma_ok};

/// `(id, text)` pairs.
type Docs = Vec<(String, String)>;

fn words(g: &mut SplitMix64, n: usize) -> Vec<String> {
    (0..n).map(|_| format!("w{}", g.next() % 5000)).collect()
}

/// `(id, text)` of the indexed part and of the batch. Planted across the split: a rewrite with
/// no shared 5-gram, identical copies (first copy indexed, and first copy in the batch) with an
/// excerpt, and a 30-word phrase in 7 indexed and 7 batch documents: common (above
/// `boilerplate_max_df` = 10) only when both are counted.
fn corpus() -> (Docs, Docs) {
    let mut g = SplitMix64::new(15);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for i in 0..30 {
        x.push((format!("x-{i:02}"), words(&mut g, 120).join(" ")));
    }
    for i in 0..20 {
        y.push((format!("y-{i:02}"), words(&mut g, 120).join(" ")));
    }
    // A rewrite: every fourth word replaced, so no 5 words in a row are shared.
    let source = words(&mut g, 160);
    let rewrite: Vec<String> = source
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i % 4 == 3 {
                format!("r{i}")
            } else {
                w.clone()
            }
        })
        .collect();
    x.push(("x-source".into(), source.join(" ")));
    y.push(("y-rewrite".into(), rewrite.join(" ")));
    // Identical copies across the split, each with an excerpt in the batch.
    let copied = words(&mut g, 140);
    x.push(("x-copied".into(), copied.join(" ")));
    y.push(("y-copy".into(), copied.join(" ")));
    y.push(("y-excerpt".into(), copied[..110].join(" ")));
    let second = words(&mut g, 140);
    x.push(("x-second".into(), second.join(" ")));
    y.push(("a-second".into(), second.join(" ")));
    y.push(("y-second-excerpt".into(), second[..110].join(" ")));
    // The phrase common over the union only.
    let phrase = words(&mut g, 30).join(" ");
    for i in 0..7 {
        x.push((
            format!("x-phrase-{i}"),
            format!("{} {phrase}", words(&mut g, 100).join(" ")),
        ));
        y.push((
            format!("y-phrase-{i}"),
            format!("{} {phrase}", words(&mut g, 100).join(" ")),
        ));
    }
    (x, y)
}

fn write_jsonl(path: &Path, docs: &[(String, String)]) {
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Pair lines by (a, b), without what names the report they come from.
fn by_pair(lines: impl IntoIterator<Item = Value>) -> BTreeMap<(String, String), Value> {
    lines
        .into_iter()
        .map(|mut p| {
            let o = p.as_object_mut().unwrap();
            o.remove("input");
            o.remove("indexed");
            let key = (
                o["a"].as_str().unwrap().to_string(),
                o["b"].as_str().unwrap().to_string(),
            );
            (key, p)
        })
        .collect()
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn array(v: &Value, field: &str) -> Vec<Value> {
    v[field].as_array().cloned().unwrap_or_default()
}

#[test]
fn scan_against_an_index_equals_the_scan_of_the_union() {
    let dir = scratch("union");
    let (x, y) = corpus();
    let (xs, ys, all) = (
        dir.join("x.jsonl"),
        dir.join("y.jsonl"),
        dir.join("all.jsonl"),
    );
    write_jsonl(&xs, &x);
    write_jsonl(&ys, &y);
    write_jsonl(&all, &[x.clone(), y.clone()].concat());
    let s = |p: &Path| p.display().to_string();
    let idx = dir.join("idx");
    stemma_ok(&["index", "build", "-o", &s(&idx), &s(&xs)]);
    let (union_json, against_json, batch_json) = (
        dir.join("union.json"),
        dir.join("against.json"),
        dir.join("batch.json"),
    );
    stemma_ok(&["scan", &s(&all), "--json", &s(&union_json), "-q"]);
    stemma_ok(&[
        "scan",
        &s(&ys),
        "--against",
        &s(&idx),
        "--json",
        &s(&against_json),
        "-q",
    ]);
    stemma_ok(&["scan", &s(&ys), "--json", &s(&batch_json), "-q"]);

    let in_y = |id: &str| y.iter().any(|(i, _)| i == id);
    let union = report(&union_json);
    let want = by_pair(
        array(&union, "pairs")
            .into_iter()
            .filter(|p| in_y(p["a"].as_str().unwrap()) || in_y(p["b"].as_str().unwrap())),
    );
    let against = report(&against_json);
    let got = by_pair(
        array(&against, "pairs")
            .into_iter()
            .chain(array(&against, "index_matches")),
    );
    let keys = |m: &BTreeMap<(String, String), Value>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&got), keys(&want), "the same pairs");
    assert_eq!(got, want, "the same relations and figures");

    // What the corpus plants is there: the rewrite (no shared 5-gram), the copies paired
    // through their first copy (and an excerpt with it alone), and the phrase not reuse.
    let pair = |a: &str, b: &str| want.get(&(a.to_string(), b.to_string()));
    let rewrite = pair("x-source", "y-rewrite").expect("the rewrite across the split");
    assert_eq!(rewrite["shared_shingles"], 0, "{rewrite}");
    assert_eq!(pair("x-copied", "y-copy").unwrap()["relation"], "duplicate");
    assert_eq!(
        pair("x-copied", "y-excerpt").unwrap()["relation"],
        "excerpt"
    );
    assert!(
        pair("y-copy", "y-excerpt").is_none(),
        "paired through x-copied"
    );
    assert_eq!(
        pair("a-second", "x-second").unwrap()["relation"],
        "duplicate"
    );
    assert_eq!(
        pair("a-second", "y-second-excerpt").unwrap()["relation"],
        "excerpt"
    );
    assert!(pair("x-second", "y-second-excerpt").is_none());
    let phrase_pairs = |pairs: &[Value]| {
        pairs
            .iter()
            .filter(|p| {
                p["a"].as_str().unwrap().starts_with("y-phrase")
                    && p["b"].as_str().unwrap().starts_with("y-phrase")
            })
            .count()
    };
    // Alone, the batch holds the phrase in 7 documents: below the cap, it relates them.
    assert!(phrase_pairs(&array(&report(&batch_json), "pairs")) > 0);
    assert_eq!(phrase_pairs(&array(&against, "pairs")), 0);

    // `query` finds the same pairs between the batch and the index (every copy compared).
    let q = dir.join("q.jsonl");
    stemma_ok(&[
        "query",
        &s(&idx),
        &s(&ys),
        "--json",
        &s(&q),
        "--no-trace",
        "-q",
    ]);
    let queried: Vec<(String, String)> = fs::read_to_string(&q)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["a"].as_str().unwrap().to_string(),
                v["b"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (a, b) in want.keys() {
        if in_y(a) != in_y(b) {
            assert!(queried.contains(&(a.clone(), b.clone())), "query: {a} {b}");
        }
    }
    assert!(queried.contains(&("x-source".into(), "y-rewrite".into())));
    fs::remove_dir_all(&dir).unwrap();
}

/// A corpus with planted reuse of every kind across any split: sources, identical copies,
/// excerpts, mixtures, rewrites with no shared 5-gram, and a sentence in many documents.
fn planted(seed: u64) -> Vec<stemma::Document> {
    let mut g = SplitMix64::new(seed);
    let vocab: Vec<String> = (0..400).map(|i| format!("v{i}")).collect();
    let pick = |g: &mut SplitMix64| vocab[(g.next() % 400) as usize].clone();
    let boiler = "this story was first published by our partners and is shared here with thanks";
    let sources: Vec<Vec<String>> = (0..14)
        .map(|_| (0..60 + g.next() % 100).map(|_| pick(&mut g)).collect())
        .collect();
    let mut docs = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        docs.push(stemma::Document::new(format!("s{i:02}"), s.join(" ")));
    }
    for j in 0..50 {
        let a = &sources[(g.next() % 14) as usize];
        let b = &sources[(g.next() % 14) as usize];
        let mut words: Vec<String> = match g.next() % 5 {
            0 => a.clone(),
            1 => a[..a.len() / 2].to_vec(),
            2 => a[..a.len() / 2]
                .iter()
                .chain(&b[b.len() / 2..])
                .cloned()
                .collect(),
            3 => a
                .iter()
                .enumerate()
                .map(|(i, w)| if i % 4 == 3 { pick(&mut g) } else { w.clone() })
                .collect(),
            _ => (0..80).map(|_| pick(&mut g)).collect(),
        };
        if g.next() % 3 == 0 {
            words.push(boiler.to_string());
        }
        docs.push(stemma::Document::new(format!("d{j:02}"), words.join(" ")));
    }
    docs
}

/// The same on generated corpora with small document-frequency caps (so the union's counts
/// decide), library calls: every pair of a scan of the union touching the batch, with its
/// relation, figures, sources, confidence and rule, and no other.
#[test]
fn batch_pairs_and_index_matches_equal_the_union_under_small_caps() {
    use stemma::{analyze, Config, Silent};
    // A pair and an index match have the same fields: one line for both.
    macro_rules! line {
        ($a:expr, $b:expr, $p:expr) => {
            format!(
                "{} {} {} {:?} {:?} {} {} {:?} {} {}",
                $a,
                $b,
                $p.relation,
                $p.figures,
                $p.sources.names(),
                $p.estimated_jaccard,
                $p.simhash_distance,
                $p.confidence,
                $p.rule,
                $p.figures.identical,
            )
        };
    }
    let (mut rewrites, mut compared) = (0, 0);
    for seed in 0..8u64 {
        let docs = planted(seed);
        let config = Config {
            max_df: 3 + seed as usize % 4,
            boilerplate_max_df: 2 + seed as usize % 3,
            bigram_max_df: 4 + seed as usize % 5,
            bigram_candidates_per_document: 1 + seed as usize % 3,
            bigram_candidates_min_shared: 2 + seed as usize % 3,
            bigram_candidates_max_df: 3 + seed as usize % 4,
            ..Config::default()
        };
        let mut g = SplitMix64::new(seed ^ 31);
        let (x, y): (Vec<_>, Vec<_>) = docs.into_iter().partition(|_| g.next() % 3 != 0);
        let all: Vec<stemma::Document> = x.iter().chain(&y).cloned().collect();
        let union = analyze(&all, &config, &Silent).unwrap();
        let id = |d: stemma::DocIndex| union.documents[d].id.as_str();
        let in_y = |s: &str| y.iter().any(|d| d.id == s);
        let mut want: Vec<String> = union
            .pairs
            .iter()
            .filter(|p| in_y(id(p.a)) || in_y(id(p.b)))
            .map(|p| line!(id(p.a), id(p.b), p))
            .collect();
        want.sort();
        rewrites += union
            .pairs
            .iter()
            .filter(|p| p.sources == stemma::pipeline::Sources::BIGRAMS)
            .count();

        let dir = scratch(&format!("caps-{seed}"));
        let idx = dir.join("idx");
        stemma::index::build(&idx, &x, &config, seed % 2 == 0).unwrap();
        let ys = dir.join("y.jsonl");
        let pairs: Vec<(String, String)> =
            y.iter().map(|d| (d.id.clone(), d.text.clone())).collect();
        write_jsonl(&ys, &pairs);
        let index = stemma::Index::open(&idx).unwrap();
        let (streamed, matches) = stemma::analyze_streamed_against(
            &[ys],
            &Default::default(),
            &stemma::Scratch::in_memory(),
            &index,
            &config,
            &Silent,
        )
        .unwrap();
        let a = &streamed.analysis;
        let mut got: Vec<String> = a
            .pairs
            .iter()
            .map(|p| {
                let (ia, ib) = (&a.documents[p.a].id, &a.documents[p.b].id);
                line!(ia, ib, p)
            })
            .collect();
        for r in matches {
            for m in r.matches {
                let (ia, ib) = if m.query_is_a {
                    (&r.id, &m.id)
                } else {
                    (&m.id, &r.id)
                };
                got.push(line!(ia, ib, m));
            }
        }
        got.sort();
        compared += want.len();
        let short = |v: &[String], w: &[String]| -> Vec<String> {
            v.iter()
                .filter(|p| !w.contains(p))
                .map(|p| p.split(" PairFigures").next().unwrap().to_string())
                .collect()
        };
        assert!(
            got == want,
            "seed {seed}: missing {:?}, extra {:?}",
            short(&want, &got),
            short(&got, &want)
        );
        fs::remove_dir_all(&dir).unwrap();
    }
    assert!(
        rewrites > 5 && compared > 200,
        "{compared} pairs compared, {rewrites} proposed by rare bigrams only"
    );
}
