use std::path::Path;

use super::baseline::{self, Baseline};
use super::format::{github_data, github_property, RenderOptions};
use super::junit::xml_escape;
use super::sarif::path_uri;
use super::*;
use crate::{analyze, Silent};

fn story(n: usize) -> String {
    (0..n)
        .map(|i| format!("word{} ", (i * 7919) % 1009))
        .collect::<String>()
}

fn corpus() -> (Vec<Document>, Vec<Role>) {
    let s = story(200);
    let docs = vec![
        Document::new("a.txt", s.clone()),
        Document::new("b.txt", format!("{s} and one more line at the end")),
        Document::new("c.txt", story(7) + "something else entirely different here"),
        Document::new("against:t.txt", s.clone()),
    ];
    (
        docs,
        vec![Role::Input, Role::Input, Role::Input, Role::Against],
    )
}

fn run(policy: &Policy) -> Audit {
    let (docs, roles) = corpus();
    let config = Config::default();
    let analysis = analyze(&docs, &config, &Silent).unwrap();
    audit(&docs, &roles, &analysis, None, &config, policy)
}

#[test]
fn duplicates_are_within_inputs_and_contamination_across() {
    let policy = Policy {
        checks: vec![Check::Duplicates, Check::Contamination],
        ..Policy::default()
    };
    let a = run(&policy);
    let dup: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.check == Check::Duplicates)
        .collect();
    assert_eq!(dup.len(), 1, "{:#?}", a.findings);
    assert_eq!(dup[0].occurrences[0].subject.id, "b.txt");
    let con: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.check == Check::Contamination)
        .collect();
    // a.txt is identical to the reference, b.txt nearly: two different keys.
    assert_eq!(con.len(), 2, "{:#?}", a.findings);
    assert!(con
        .iter()
        .all(|f| !f.occurrences[0].subject.against
            && f.occurrences[0].other.as_ref().unwrap().against));
}

#[test]
fn fail_on_is_a_strength_threshold() {
    let policy = Policy {
        fail_on: Relation::Duplicate,
        ..Policy::default()
    };
    assert!(run(&policy).findings.is_empty());
}

#[test]
fn identical_pairs_merge_into_one_finding() {
    let s = story(100);
    let docs: Vec<Document> = ["x", "y", "z"]
        .iter()
        .map(|id| Document::new(*id, s.clone()))
        .collect();
    let config = Config::default();
    let analysis = analyze(&docs, &config, &Silent).unwrap();
    let a = audit(
        &docs,
        &[Role::Input; 3],
        &analysis,
        None,
        &config,
        &Policy::default(),
    );
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].occurrences.len(), 3);
}

#[test]
fn baseline_marks_unchanged_and_finds_stale_entries() {
    let policy = Policy::default();
    let mut a = run(&policy);
    let key = a.findings[0].key.clone();
    let mut base = baseline::updated(&Baseline::default(), &a);
    base.entries[0].note = "accepted: same story".into();
    base.entries.push(baseline::Entry {
        key: "duplicates:gone".into(),
        check: Check::Duplicates,
        ids: vec!["old.txt".into()],
        relation: "duplicate".into(),
        note: String::new(),
    });
    base.entries.push(baseline::Entry {
        key: "uncredited:other-check".into(),
        check: Check::Uncredited,
        ids: vec![],
        relation: "rewrite".into(),
        note: String::new(),
    });
    let mut bytes = Vec::new();
    baseline::write(&base, &mut bytes).unwrap();
    let back = baseline::parse(&bytes, Path::new("b.json")).unwrap();
    baseline::apply(&mut a, &back);
    assert_eq!(a.findings[0].state, State::Unchanged);
    assert_eq!(a.new_findings(), 0);
    // The entry of a check that did not run is not stale.
    assert_eq!(a.stale.len(), 1);
    assert_eq!(a.stale[0].key, "duplicates:gone");
    assert_eq!(a.exit_code(false), 0);
    assert_eq!(a.exit_code(true), 1);
    // Update keeps notes and the other check's entries, drops the stale one.
    let up = baseline::updated(&back, &a);
    assert_eq!(up.entries.len(), 2);
    assert!(up
        .entries
        .iter()
        .any(|e| e.key == key && e.note == "accepted: same story"));
    assert!(up.entries.iter().any(|e| e.check == Check::Uncredited));
}

#[test]
fn bad_baselines_are_clear_errors() {
    let p = Path::new("base.json");
    for (bytes, needle) in [
        (&b"{"[..], "invalid JSON"),
        (
            br#"{"schema":"x","schema_version":1,"entries":[]}"#,
            "schema",
        ),
        (
            br#"{"schema":"stemma.audit.baseline","schema_version":9,"entries":[]}"#,
            "schema_version 9 is not 1",
        ),
        // Issue 15: a missing field is said so, not `"schema" is None`.
        (br#"{"entries":[]}"#, "no \"schema\" field"),
        (
            br#"{"schema":"stemma.audit.baseline","entries":[]}"#,
            "no \"schema_version\" field",
        ),
    ] {
        let err = baseline::parse(bytes, p).unwrap_err().to_string();
        assert!(err.contains("base.json") && err.contains(needle), "{err}");
        assert!(!err.contains("None") && !err.contains("Some("), "{err}");
    }
}

#[test]
fn line_and_column_count_code_points() {
    let t = "ab\nçd é\nx";
    assert_eq!(line_column(t, 0), (1, 1));
    assert_eq!(line_column(t, 3), (2, 1));
    let e = t.find('é').unwrap();
    assert_eq!(line_column(t, e), (2, 4));
    assert_eq!(line_column(t, t.len()), (3, 2));
}

#[test]
fn escaping_for_each_reader() {
    assert_eq!(github_data("50%\r\nx::y"), "50%25%0D%0Ax::y");
    assert_eq!(github_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    assert_eq!(
        xml_escape("<a href=\"x\">&'\u{1}\u{FFFF}"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1}\\u{ffff}"
    );
    assert_eq!(path_uri("dir/a b#1.txt"), "dir/a%20b%231.txt");
    assert_eq!(path_uri("/abs/ả.txt"), "file:///abs/%E1%BA%A3.txt");
}

#[test]
fn writers_are_deterministic_and_escape_ids() {
    let s = story(120);
    let evil = "e\u{1b}[31m<x>&\"\n::warning::.txt";
    let docs = vec![
        Document::new(evil, s.clone()),
        Document::new("plain.txt", s.clone()),
    ];
    let config = Config::default();
    let analysis = analyze(&docs, &config, &Silent).unwrap();
    let a = audit(
        &docs,
        &[Role::Input; 2],
        &analysis,
        None,
        &config,
        &Policy::default(),
    );
    assert_eq!(a.findings.len(), 1);
    let opts = RenderOptions::default();
    let text = String::from_utf8(format::text(&a, &opts)).unwrap();
    assert!(!text.contains('\u{1b}'), "{text}");
    let xml = String::from_utf8(junit::junit(&a, &opts)).unwrap();
    assert!(!xml.contains("<x>") && !xml.contains('\u{1b}'), "{xml}");
    let gh = String::from_utf8(format::github(&a, &opts)).unwrap();
    assert!(gh.lines().all(|l| !l.starts_with("::warning")), "{gh}");
    let sarif: serde_json::Value = serde_json::from_slice(&sarif::sarif(&a, &opts)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    for w in [
        format::json,
        format::text,
        format::github,
        sarif::sarif,
        junit::junit,
    ] {
        assert_eq!(w(&a, &opts), w(&a, &opts));
    }
}
