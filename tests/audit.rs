//! Integration tests of `stemma audit`: every check, every output format and every exit code,
//! on small corpora written by each test (plus the seeds for `uncredited`). Self-contained: it
//! shares no helper with `tests/cli.rs`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;

mod common;
use common::scratch;

fn audit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stemma"))
        .arg("audit")
        .arg("-q")
        .args(args)
        .output()
        .expect("run stemma")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

/// A text of `n` sentences of pseudo-random words seeded by `topic`: texts of different topics
/// share (almost) no word pair.
fn story(topic: &str, n: usize) -> String {
    let mut x: u64 = topic.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut out = String::new();
    for _ in 0..n {
        for _ in 0..12 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            out.push_str(&format!("w{} ", (x >> 33) % 20_000));
        }
        out.push_str("end.\n");
    }
    out
}

/// `in/a.txt` and `in/b.txt` near-duplicates, `in/c.txt` unrelated; `train/` holds a copy of
/// `c.txt` and an unrelated text.
fn fixture(name: &str) -> PathBuf {
    let dir = scratch(name);
    fs::create_dir_all(dir.join("in")).unwrap();
    fs::create_dir_all(dir.join("train")).unwrap();
    let a = story("harbour", 30);
    fs::write(dir.join("in/a.txt"), &a).unwrap();
    fs::write(
        dir.join("in/b.txt"),
        format!("{a}\nOne more closing line.\n"),
    )
    .unwrap();
    fs::write(dir.join("in/c.txt"), story("orchard", 30)).unwrap();
    fs::write(dir.join("train/c-copy.txt"), story("orchard", 30)).unwrap();
    fs::write(dir.join("train/other.txt"), story("glacier", 30)).unwrap();
    dir
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

fn seeds() -> String {
    p(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
}

#[derive(Debug, Deserialize)]
struct Report {
    schema: String,
    schema_version: u32,
    summary: Summary,
    findings: Vec<Finding>,
    stale: Vec<Entry>,
    credits: Vec<CreditNote>,
}

#[derive(Debug, Deserialize)]
struct Summary {
    new: usize,
    unchanged: usize,
    stale: usize,
    exit_code: i32,
}

#[derive(Debug, Deserialize)]
struct Finding {
    check: String,
    key: String,
    relation: String,
    state: String,
    occurrences: Vec<Occurrence>,
}

#[derive(Debug, Deserialize)]
struct Occurrence {
    subject: DocRef,
    other: Option<DocRef>,
}

#[derive(Debug, Deserialize)]
struct DocRef {
    id: String,
    #[serde(default)]
    against: bool,
}

#[derive(Debug, Deserialize)]
struct Entry {
    key: String,
    check: String,
    ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Baseline {
    schema: String,
    schema_version: u32,
    entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct CreditNote {
    id: String,
    status: String,
    reported: bool,
    reason: String,
}

fn json(args: &[&str]) -> (i32, Report) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = audit(&all);
    let report: Report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}\n{}",
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(report.schema, "stemma.audit");
    assert_eq!(report.schema_version, 1);
    assert_eq!(report.summary.exit_code, code(&out));
    (code(&out), report)
}

#[test]
fn duplicates_exit_1_on_a_near_duplicate_and_0_above_the_threshold() {
    let dir = fixture("dup");
    let input = p(&dir.join("in"));
    let (c, r) = json(&[&input]);
    assert_eq!(c, 1);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.check, "duplicates");
    assert_eq!(f.relation, "near-duplicate");
    assert!(f.key.starts_with("duplicates:"));
    assert_eq!(f.occurrences[0].subject.id, "b.txt");
    assert_eq!(f.occurrences[0].other.as_ref().unwrap().id, "a.txt");
    // Only identical texts at --fail-on duplicate: a pass.
    let (c, r) = json(&[&input, "--fail-on", "duplicate"]);
    assert_eq!((c, r.findings.len()), (0, 0));
}

#[test]
fn usage_and_input_errors_exit_2() {
    let dir = fixture("usage");
    let input = p(&dir.join("in"));
    for args in [
        vec![input.as_str(), "--check", "nonsense"],
        vec![input.as_str(), "--check", "contamination"],
        vec![input.as_str(), "--fail-on", "similar"],
        vec![input.as_str(), "--min-confidence", "1.5"],
        vec!["/nonexistent/stemma-audit-input"],
    ] {
        let out = audit(&args);
        assert_eq!(
            code(&out),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A missing baseline is an error unless it is being created.
    let missing = p(&dir.join("missing.json"));
    let out = audit(&[&input, "--baseline", &missing]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--update-baseline"));
    let out = audit(&[
        &input,
        "--baseline",
        &dir.join("bad.json").display().to_string(),
    ]);
    assert_eq!(code(&out), 2);
    fs::write(dir.join("bad.json"), "{\"schema\": \"something else\"}").unwrap();
    let out = audit(&[&input, "--baseline", &p(&dir.join("bad.json"))]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

#[test]
fn contamination_reports_only_pairs_across_inputs_and_against() {
    let dir = fixture("contamination");
    let (input, train) = (p(&dir.join("in")), p(&dir.join("train")));
    let (c, r) = json(&[&input, "--against", &train, "--check", "contamination"]);
    assert_eq!(c, 1);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.check, "contamination");
    assert_eq!(f.relation, "duplicate");
    assert_eq!(f.occurrences[0].subject.id, "c.txt");
    let other = f.occurrences[0].other.as_ref().unwrap();
    assert_eq!(other.id, "against:c-copy.txt");
    assert!(other.against && !f.occurrences[0].subject.against);
    // --against alone turns contamination on next to duplicates.
    let (_, r) = json(&[&input, "--against", &train]);
    let checks: Vec<&str> = r.findings.iter().map(|f| f.check.as_str()).collect();
    assert_eq!(checks, ["duplicates", "contamination"]);
    // A clean input against the reference: exit 0.
    let (c, r) = json(&[&p(&dir.join("in/a.txt")), "--against", &train]);
    assert_eq!((c, r.findings.len()), (0, 0));
}

#[test]
fn uncredited_on_the_seeds_explains_credits_and_respects_min_confidence() {
    let (c, r) = json(&[&seeds(), "--check", "uncredited"]);
    assert_eq!(c, 0, "{:?}", r.findings);
    assert!(r.findings.is_empty());
    let status = |id: &str| {
        r.credits
            .iter()
            .find(|n| n.id.starts_with(id))
            .unwrap_or_else(|| panic!("no note for {id}: {:?}", r.credits))
    };
    assert_eq!(status("004").status, "credited");
    assert!(status("004").reason.contains("Theo TTXVN"));
    for id in ["002", "003"] {
        let n = status(id);
        assert_eq!(n.status, "picture-credit-only", "{n:?}");
        assert!(!n.reported);
        assert!(n.reason.contains("Ảnh: TTXVN") && n.reason.contains("below --min-confidence"));
    }
    // SEEDS.md: 003 derives from 004's text or from the same source as 004 (VNA).
    let reason = &status("003").reason;
    assert!(
        reason.contains("004_7b6a29778a7fc8e6.txt") || reason.contains("external:VNA"),
        "{reason}"
    );
    // Lowering the bar reports both picture-only credits.
    let (c, r) = json(&[&seeds(), "--check", "uncredited", "--min-confidence", "0.2"]);
    assert_eq!(c, 1);
    let subjects: Vec<&str> = r
        .findings
        .iter()
        .map(|f| &f.occurrences[0].subject.id[..3])
        .collect();
    assert_eq!(subjects, ["002", "003"]);
    assert!(r.findings.iter().all(|f| f.key.starts_with("uncredited:")));
}

#[test]
fn baseline_survives_a_rename_lists_stale_entries_and_fails_on_new_findings() {
    let dir = fixture("baseline");
    let input = p(&dir.join("in"));
    let base = p(&dir.join("baseline.json"));
    // Create it: exit 0, every finding accepted.
    let (c, r) = json(&[&input, "--baseline", &base, "--update-baseline"]);
    assert_eq!((c, r.summary.new, r.summary.unchanged), (0, 0, 1));
    let first = fs::read(&base).unwrap();
    let b: Baseline = serde_json::from_slice(&first).unwrap();
    assert_eq!(
        (b.schema.as_str(), b.schema_version),
        ("stemma.audit.baseline", 1)
    );
    assert_eq!(b.entries.len(), 1);
    assert_eq!(b.entries[0].check, "duplicates");
    assert_eq!(b.entries[0].ids, ["b.txt", "a.txt"]);
    // Rename a file: the key is the content's, so nothing is new or stale.
    fs::rename(dir.join("in/b.txt"), dir.join("in/renamed.txt")).unwrap();
    let (c, r) = json(&[&input, "--baseline", &base]);
    assert_eq!(
        (c, r.summary.new, r.summary.unchanged, r.summary.stale),
        (0, 0, 1, 0)
    );
    assert_eq!(r.findings[0].state, "unchanged");
    assert_eq!(r.findings[0].key, b.entries[0].key);
    // A stale entry: listed, exit 0; with --fail-on-stale, exit 1.
    let mut text = String::from_utf8(first).unwrap();
    text = text.replacen(
        "\"entries\": [",
        "\"entries\": [\n    {\"key\": \"duplicates:0000000000000000-0000000000000000\", \"check\": \"duplicates\", \"ids\": [\"gone.txt\"], \"relation\": \"duplicate\", \"note\": \"old\"},",
        1,
    );
    fs::write(&base, &text).unwrap();
    let (c, r) = json(&[&input, "--baseline", &base]);
    assert_eq!((c, r.summary.stale), (0, 1));
    assert_eq!(r.stale[0].ids, ["gone.txt"]);
    let out = audit(&[&input, "--baseline", &base, "--fail-on-stale"]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("1 stale baseline entry"));
    // A new duplicate fails the build; the baselined one stays accepted.
    fs::write(dir.join("in/d.txt"), story("orchard", 30)).unwrap();
    let (c, r) = json(&[&input, "--baseline", &base]);
    assert_eq!((c, r.summary.new, r.summary.unchanged), (1, 1, 1));
    // --update-baseline drops the stale entry and accepts the new one; output is stable.
    let (c, _) = json(&[&input, "--baseline", &base, "--update-baseline"]);
    assert_eq!(c, 0);
    let once = fs::read(&base).unwrap();
    let b: Baseline = serde_json::from_slice(&once).unwrap();
    assert_eq!(b.entries.len(), 2);
    assert!(b
        .entries
        .iter()
        .all(|e| e.key != "duplicates:0000000000000000-0000000000000000"));
    json(&[&input, "--baseline", &base, "--update-baseline"]);
    assert_eq!(fs::read(&base).unwrap(), once);
}

#[test]
fn sarif_has_rules_locations_fingerprints_and_baseline_state() {
    let dir = fixture("sarif");
    let input = p(&dir.join("in"));
    let out = audit(&[&input, "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "stemma");
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert_eq!(driver["rules"][0]["id"], "duplicates");
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "duplicates");
    assert_eq!(r["level"], "error");
    assert_eq!(r["baselineState"], "new");
    let loc = &r["locations"][0]["physicalLocation"];
    assert!(loc["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("in/b.txt"));
    assert_eq!(loc["region"]["startLine"], 1);
    assert!(r["partialFingerprints"]["stemmaContentKey/v1"]
        .as_str()
        .unwrap()
        .starts_with("duplicates:"));
    // Baselined: unchanged and suppressed.
    let base = p(&dir.join("b.json"));
    audit(&[&input, "--baseline", &base, "--update-baseline"]);
    let out = audit(&[&input, "--baseline", &base, "--format", "sarif"]);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["runs"][0]["results"][0];
    assert_eq!(r["baselineState"], "unchanged");
    assert_eq!(r["suppressions"][0]["kind"], "external");
}

#[test]
fn sarif_region_of_a_jsonl_record_is_its_line() {
    let dir = scratch("jsonl");
    let s = story("harbour", 30).replace('\n', " ");
    fs::write(
        dir.join("c.jsonl"),
        format!("{{\"id\":\"x\",\"text\":\"other words entirely\"}}\n{{\"id\":\"r1\",\"text\":\"{s}\"}}\n{{\"id\":\"r2\",\"text\":\"{s} end\"}}\n"),
    )
    .unwrap();
    let out = audit(&[&p(&dir.join("c.jsonl")), "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["region"]["startLine"], 3);
    assert!(loc["region"].get("startColumn").is_none());
}

#[test]
fn junit_has_a_suite_per_check_and_escapes_ids() {
    let dir = fixture("junit");
    fs::rename(dir.join("in/b.txt"), dir.join("in/b <&\"x\">.txt")).unwrap();
    let out = audit(&[
        &p(&dir.join("in")),
        "--against",
        &p(&dir.join("train")),
        "--format",
        "junit",
    ]);
    assert_eq!(code(&out), 1);
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert!(xml.contains("<testsuite name=\"stemma.audit.duplicates\" tests=\"1\" failures=\"1\""));
    assert!(
        xml.contains("<testsuite name=\"stemma.audit.contamination\" tests=\"1\" failures=\"1\"")
    );
    assert!(xml.contains("b &lt;&amp;&quot;x&quot;&gt;.txt"), "{xml}");
    assert!(!xml.contains("b <&"));
    // Nothing to report: one passing case per check.
    let out = audit(&[&p(&dir.join("in/a.txt")), "--format", "junit"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("<testcase name=\"no findings\""));
}

#[test]
fn github_annotations_point_at_files_and_escape_commands() {
    let dir = fixture("github");
    fs::rename(dir.join("in/b.txt"), dir.join("in/b,1:2%.txt")).unwrap();
    let out = audit(&[&p(&dir.join("in")), "--format", "github"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect(&text);
    assert!(line.contains("b%2C1%3A2%25.txt,line=1,col=1"), "{line}");
    assert!(
        line.contains(",title=stemma duplicates%3A near-duplicate::"),
        "{line}"
    );
    assert!(text
        .lines()
        .last()
        .unwrap()
        .starts_with("stemma audit: 1 new finding,"));
}

#[test]
fn text_is_the_default_and_output_writes_a_file() {
    let dir = fixture("text");
    let input = p(&dir.join("in"));
    let out = audit(&[&input]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("FAIL: 1 new finding,"), "{text}");
    assert!(text.contains("duplicates [NEW]"));
    let file = dir.join("report.txt");
    let out2 = audit(&[&input, "--output", &p(&file)]);
    assert_eq!(code(&out2), 1);
    assert!(out2.stdout.is_empty());
    assert_eq!(fs::read(&file).unwrap(), out.stdout);
}

#[test]
fn reports_are_byte_identical_across_runs_and_input_order() {
    let dir = fixture("determinism");
    let (a, c) = (p(&dir.join("in/a.txt")), p(&dir.join("in/c.txt")));
    let b = p(&dir.join("in/b.txt"));
    let train = p(&dir.join("train"));
    for format in ["text", "json", "sarif", "junit", "github"] {
        let run = |files: [&str; 3], threads: &str| {
            let mut args: Vec<&str> = files.to_vec();
            args.extend([
                "--against",
                &train,
                "--check",
                "duplicates",
                "--check",
                "contamination",
                "--check",
                "uncredited",
                "--format",
                format,
                "--threads",
                threads,
            ]);
            audit(&args).stdout
        };
        let one = run([&a, &b, &c], "1");
        assert!(!one.is_empty());
        assert_eq!(one, run([&a, &b, &c], "1"), "{format}");
        assert_eq!(one, run([&c, &b, &a], "3"), "{format}");
    }
}

#[test]
fn contamination_against_an_index_matches_contamination_against_the_documents() {
    let dir = fixture("contamination-index");
    let (input, train) = (p(&dir.join("in")), p(&dir.join("train")));
    let idx = dir.join("idx");
    let built = Command::new(env!("CARGO_BIN_EXE_stemma"))
        .args(["index", "build", &train, "-o", &p(&idx)])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let (c_docs, r_docs) = json(&[&input, "--against", &train, "--check", "contamination"]);
    let (c_idx, r_idx) = json(&[&input, "--against", &p(&idx), "--check", "contamination"]);
    assert_eq!(c_idx, c_docs);
    assert_eq!(c_idx, 1);
    let summary = |r: &Report| -> Vec<(String, String, String)> {
        r.findings
            .iter()
            .map(|f| {
                let o = &f.occurrences[0];
                (
                    f.relation.clone(),
                    o.subject.id.clone(),
                    o.other.as_ref().unwrap().id.clone(),
                )
            })
            .collect()
    };
    // The indexed documents are named by their id in the index (the path given to `index build`).
    let docs_side: Vec<_> = summary(&r_docs)
        .into_iter()
        .map(|(r, s, o)| (r, s, o.replace("against:", "")))
        .collect();
    let idx_side: Vec<_> = summary(&r_idx)
        .into_iter()
        .map(|(r, s, o)| {
            (
                r,
                s,
                o.replace("against:", "")
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(idx_side, docs_side);
}

/// Issue #15 item 3: an outlet reusing its own copy is not uncredited reuse; the same copy in
/// another outlet's paper is.
#[test]
fn an_outlet_reusing_its_own_copy_is_not_uncredited() {
    let dir = scratch("own-outlet");
    fs::create_dir_all(&dir).unwrap();
    let source = story("harbour", 20);
    let copy = format!(
        "{}\nA closing line of our own.\n",
        &source[..source.len() * 3 / 4]
    );
    let line = |id: &str, outlet: &str, date: &str, text: &str| {
        serde_json::json!({"id": id, "outlet": outlet, "date": date, "text": text}).to_string()
    };
    let write = |name: &str, copy_outlet: &str| {
        let path = dir.join(name);
        fs::write(
            &path,
            format!(
                "{}\n{}\n",
                line("first", "Wire", "2020-01-01", &source),
                line("second", copy_outlet, "2020-01-03", &copy)
            ),
        )
        .unwrap();
        p(&path)
    };
    let note = |r: &Report| -> (String, String) {
        let n = r
            .credits
            .iter()
            .find(|n| n.id == "second")
            .unwrap_or_else(|| panic!("no note for the copy: {:?}", r.credits));
        (n.status.clone(), n.reason.clone())
    };
    let (c, r) = json(&[&write("same.jsonl", "Wire"), "--check", "uncredited"]);
    assert_eq!((c, r.findings.len()), (0, 0), "{:?}", r.findings);
    let (status, reason) = note(&r);
    assert_eq!(status, "own-outlet", "{reason}");
    assert!(reason.contains("Wire"), "{reason}");
    let (c, r) = json(&[&write("other.jsonl", "Gazette"), "--check", "uncredited"]);
    assert_eq!(c, 1, "{:?}", r.credits);
    assert_eq!(note(&r).0, "uncredited");
}
