//! Regression tests of the reuse judgment (issue #13), on small texts written for them: a
//! rewrite that shares no word 5-gram is still found, and daily template columns of different
//! days are not reuse, nor is a template filled again with other numbers.

use stemma::fuzzing::hash::SplitMix64;
use stemma::pipeline::Sources;
use stemma::{analyze, Config, Document, Relation, Silent};

/// `n` words drawn from a vocabulary of `vocab` made-up words starting with `prefix`.
fn words(g: &mut SplitMix64, prefix: &str, vocab: u64, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| format!("{prefix}{}", g.next() % vocab))
        .collect()
}

/// Unrelated filler documents, so the corpus has document frequencies to judge by.
fn filler(g: &mut SplitMix64, n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| Document::new(format!("filler{i:03}"), words(g, "f", 3000, 150).join(" ")))
        .collect()
}

fn pair<'a>(
    analysis: &'a stemma::Analysis,
    x: &str,
    y: &str,
) -> Option<&'a stemma::pipeline::Pair> {
    let pos = |id: &str| {
        analysis
            .documents
            .iter()
            .position(|d| d.id == id)
            .expect("document") as u32
    };
    let pos = |id: &str| stemma::DocIndex(pos(id));
    let (a, b) = (pos(x).min(pos(y)), pos(x).max(pos(y)));
    analysis.pairs.iter().find(|p| p.a == a && p.b == b)
}

#[test]
fn a_rewritten_pair_with_no_shared_five_gram_is_found() {
    let mut g = SplitMix64::new(13);
    let mut docs = filler(&mut g, 60);
    // The source: 240 words of its own vocabulary. The rewrite keeps its word pairs but
    // inserts a new word after every third word, so no 5 consecutive words survive.
    let source = words(&mut g, "s", 5000, 240);
    let mut rewrite = Vec::new();
    for (i, w) in source.iter().enumerate() {
        rewrite.push(w.clone());
        if i % 3 == 2 {
            rewrite.push(format!("r{}", g.next() % 5000));
        }
    }
    docs.push(Document::new("agency", source.join(" ")));
    docs.push(Document::new("paper", rewrite.join(" ")));
    let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
    let p = pair(&analysis, "agency", "paper").expect("the rewrite is related to its source");
    assert_eq!(
        p.figures.shared_shingles, 0,
        "no shared 5-gram: {:?}",
        p.figures
    );
    assert!(
        p.sources.names().contains(&"bigrams"),
        "found by the rare-bigram generator: {:?}",
        p.sources.names()
    );
    assert!(
        matches!(p.relation, Relation::Rewrite | Relation::PartialReuse),
        "{:?}",
        p.relation
    );
    assert!(
        p.confidence >= 0.5 && !p.rule.is_empty(),
        "{} {}",
        p.confidence,
        p.rule
    );
    // Off, the generator proposes nothing: no other generator sees the pair.
    let off = Config {
        bigram_candidates_per_document: 0,
        ..Config::default()
    };
    let analysis = analyze(&docs, &off, &Silent).unwrap();
    assert!(pair(&analysis, "agency", "paper").is_none());
    assert!(analysis.pairs.iter().all(|p| p.sources != Sources::BIGRAMS));
}

#[test]
fn template_columns_of_different_days_are_not_reuse() {
    let mut g = SplitMix64::new(14);
    // 40 daily columns: the same 45-word template in three parts around each day's own
    // figures and text (different every day).
    let template: Vec<Vec<String>> = (0..3).map(|_| words(&mut g, "t", 10_000, 15)).collect();
    let mut docs = Vec::new();
    for day in 0..40 {
        let mut text = Vec::new();
        for part in &template {
            text.extend(part.iter().cloned());
            text.extend(words(&mut g, "d", 20_000, 35));
            text.push(format!("{}", g.next() % 100_000));
        }
        docs.push(Document::new(format!("column{day:03}"), text.join(" ")));
    }
    let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
    let related: Vec<String> = analysis
        .pairs
        .iter()
        .map(|p| {
            format!(
                "{} {} {} ({})",
                analysis.documents[p.a].id, analysis.documents[p.b].id, p.relation, p.rule
            )
        })
        .collect();
    assert!(related.is_empty(), "{related:#?}");
    // The template is what is shared: with no document-frequency cap it would read as reuse.
    let uncapped = Config {
        boilerplate_max_df: 1000,
        ..Config::default()
    };
    let analysis = analyze(&docs, &uncapped, &Silent).unwrap();
    assert!(analysis.pairs.len() > 100, "{}", analysis.pairs.len());
    // Nor are they with the candidate cap alone: the template is below it.
    assert_eq!(analysis.stats.boilerplate_fingerprints, 0);
}

#[test]
fn a_template_filled_again_with_other_numbers_is_not_reuse() {
    let mut g = SplitMix64::new(15);
    // Words of letters only: the figures are the only numbers.
    let letters = |w: String| -> String {
        w.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => (b'a' + d as u8) as char,
                None => c,
            })
            .collect()
    };
    let mut docs: Vec<Document> = filler(&mut g, 60)
        .into_iter()
        .map(|d| Document::new(d.id.clone(), letters(d.text.to_string())))
        .collect();
    // A weekly report: 30 stock phrases of five words, each followed by that week's figure,
    // so no verbatim run is longer than the phrase (no passage), while most word pairs agree.
    let phrases: Vec<Vec<String>> = (0..30)
        .map(|_| {
            words(&mut g, "t", 10_000, 5)
                .into_iter()
                .map(letters)
                .collect()
        })
        .collect();
    let week = |g: &mut SplitMix64| -> Vec<String> {
        phrases
            .iter()
            .flat_map(|p| {
                let mut p = p.clone();
                p.push(format!("{}.{}", 10 + g.next() % 9_000, g.next() % 10));
                p
            })
            .collect()
    };
    let (one, two) = (week(&mut g), week(&mut g));
    // Another outlet's copy of week one: every tenth word changed, the figures kept.
    let copy: Vec<String> = one
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i % 10 == 3 {
                letters(format!("c{i}"))
            } else {
                w.clone()
            }
        })
        .collect();
    docs.push(Document::new("week1", one.join(" ")));
    docs.push(Document::new("week2", two.join(" ")));
    docs.push(Document::new("copy", copy.join(" ")));
    let analysis = analyze(&docs, &Config::default(), &Silent).unwrap();
    assert!(
        pair(&analysis, "week1", "week2").is_none(),
        "{:?}",
        pair(&analysis, "week1", "week2").map(|p| (&p.rule, &p.figures))
    );
    let p = pair(&analysis, "week1", "copy").expect("the copy keeps its figures");
    let f = &p.figures;
    assert!(
        f.shared_numbers >= 20 && f.shared_numbers == f.numbers_a.min(f.numbers_b),
        "{f:?}"
    );
    // Without the numbers rule the two weeks read as reuse: the rule is what tells them apart.
    let mut no_rule = Config::default();
    no_rule.relations.numbers_min = usize::MAX;
    let analysis = analyze(&docs, &no_rule, &Silent).unwrap();
    let p = pair(&analysis, "week1", "week2").expect("same wording, other figures");
    assert_eq!(p.figures.shared_numbers, 0, "{:?}", p.figures);
    // And `compare` says why they are not related.
    let why = stemma::relate::shortfalls(&p.figures, &Config::default().relations, true);
    assert!(
        why.iter()
            .any(|s| s.figure == "share of the numbers that agree"),
        "{why:?}"
    );
}
