//! Integration tests: drive the built `stemma` binary on the seed corpus and on corpora generated
//! here, and decode its JSON with this file's own serde types.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

mod common;
use common::{scratch, stemma, stemma_ok, stemma_with_stdin, words};

fn seeds() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .display()
        .to_string()
}

#[derive(Debug, Deserialize, PartialEq)]
struct Report {
    schema: String,
    schema_version: u32,
    documents: Vec<Doc>,
    pairs: Vec<PairLine>,
    families: Vec<FamilyLine>,
    inputs: Inputs,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Inputs {
    documents: usize,
    skipped_files: u64,
    bad_records: u64,
    truncated: u64,
    warnings: Vec<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Doc {
    id: String,
    tokens: usize,
    family: Option<String>,
    outlet: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct PairLine {
    a: String,
    b: String,
    relation: String,
    jaccard: f64,
    containment_a_in_b: f64,
    containment_b_in_a: f64,
    verbatim_coverage_a: f64,
    verbatim_coverage_b: f64,
}

#[derive(Debug, Deserialize, PartialEq)]
struct FamilyLine {
    family: String,
    members: Vec<String>,
}

fn scan_json(args: &[&str], dir: &Path) -> Report {
    let json = dir.join("report.json");
    let mut all = vec!["scan", "--quiet", "--json", json.to_str().unwrap()];
    all.extend_from_slice(args);
    stemma_ok(&all);
    serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap()
}

fn family_of<'a>(r: &'a Report, id_prefix: &str) -> Option<&'a str> {
    r.documents
        .iter()
        .find(|d| d.id.starts_with(id_prefix))
        .and_then(|d| d.family.as_deref())
}

fn pair<'a>(r: &'a Report, a: &str, b: &str) -> Option<&'a PairLine> {
    r.pairs.iter().find(|p| {
        (p.a.starts_with(a) && p.b.starts_with(b)) || (p.a.starts_with(b) && p.b.starts_with(a))
    })
}

#[test]
fn seeds_form_one_family_of_the_vietnamese_reports() {
    let dir = scratch("seeds");
    let r = scan_json(&[&seeds()], &dir);
    assert_eq!(r.schema, "stemma.analysis");
    assert_eq!(r.schema_version, 1);
    assert_eq!(r.documents.len(), 5);
    assert_eq!(r.families.len(), 1, "{:#?}", r.families);
    let f = &r.families[0];
    let members: Vec<&str> = f.members.iter().map(|m| &m[..3]).collect();
    assert_eq!(members, ["002", "003", "004"]);
    assert_eq!(family_of(&r, "000"), None);
    assert_eq!(family_of(&r, "001"), None);
    assert!(
        pair(&r, "000", "001").is_none(),
        "000 and 001 are different texts"
    );

    let p = pair(&r, "002", "004").expect("002-004 related");
    assert!(
        ["partial-reuse", "excerpt", "near-duplicate", "duplicate"].contains(&p.relation.as_str()),
        "002-004: {p:?}"
    );
    assert!(
        p.verbatim_coverage_a > 0.25 && p.verbatim_coverage_b > 0.25,
        "002-004 coverage: {p:?}"
    );
    let p = pair(&r, "003", "004").expect("003-004 related");
    assert!(
        ["rewrite", "partial-reuse"].contains(&p.relation.as_str()),
        "003-004: {p:?}"
    );
}

#[test]
fn summary_names_the_family_and_relations() {
    let out = stemma_ok(&["scan", &seeds()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("family F1 (3 documents)"), "{text}");
    assert!(text.contains("partial-reuse"), "{text}");
    assert!(text.contains("in no family: 2 documents"), "{text}");
    // Each pair says how sure and why.
    assert!(
        text.contains("confidence 0.50: verbatim passages: 498 tokens"),
        "{text}"
    );
}

#[test]
fn output_is_identical_for_any_thread_count_and_input_order() {
    let dir = scratch("determinism");
    let files: Vec<String> = {
        let mut v: Vec<String> = fs::read_dir(seeds())
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .collect();
        v.sort();
        v
    };
    let run = |threads: &str, files: &[String], name: &str| {
        let json = dir.join(name);
        let mut args = vec![
            "scan",
            "--quiet",
            "--threads",
            threads,
            "--json",
            json.to_str().unwrap(),
        ];
        args.extend(files.iter().map(String::as_str));
        stemma_ok(&args);
        fs::read(&json).unwrap()
    };
    let one = run("1", &files, "one.json");
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(one, run("2", &reversed, "two.json"));
    assert_eq!(one, run("4", &files, "four.json"));
}

/// `jsonl` written as `NAME.jsonl`, `NAME.jsonl.gz` and `NAME.jsonl.zst` in `dir`.
fn write_jsonl_plain_gz_zst(dir: &Path, name: &str, jsonl: &str) -> [PathBuf; 3] {
    let plain = dir.join(format!("{name}.jsonl"));
    fs::write(&plain, jsonl).unwrap();
    let gz = dir.join(format!("{name}.jsonl.gz"));
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(jsonl.as_bytes()).unwrap();
    enc.finish().unwrap();
    let zst = dir.join(format!("{name}.jsonl.zst"));
    fs::write(&zst, zstd::encode_all(jsonl.as_bytes(), 3).unwrap()).unwrap();
    [plain, gz, zst]
}

#[test]
fn jsonl_inputs_plain_gzip_and_zstd_give_the_same_report() {
    let dir = scratch("jsonl");
    let base = words(1, 400).join(" ");
    let copy = format!("Reuters - {base} end of story");
    let other = words(2, 300).join(" ");
    let mut jsonl = String::new();
    for (id, text, outlet) in [
        ("a", &base, "AgencyWire"),
        ("b", &copy, "Daily"),
        ("c", &other, "Other"),
    ] {
        jsonl.push_str(&serde_json::json!({"id": id, "text": text, "outlet": outlet}).to_string());
        jsonl.push('\n');
    }
    let [plain, gz, zst] = write_jsonl_plain_gz_zst(&dir, "docs", &jsonl);

    let r = scan_json(&[plain.to_str().unwrap()], &dir);
    assert_eq!(r.documents.len(), 3);
    assert_eq!(r.documents[0].outlet.as_deref(), Some("AgencyWire"));
    let p = pair(&r, "a", "b").expect("a-b related");
    assert_eq!(p.relation, "near-duplicate");
    assert!(pair(&r, "a", "c").is_none());
    for f in [&gz, &zst] {
        let other = scan_json(&[f.to_str().unwrap()], &dir);
        assert_eq!(other.pairs, r.pairs);
        assert_eq!(other.families, r.families);
    }
}

#[test]
fn pairs_and_families_jsonl_outputs() {
    let dir = scratch("jsonl-out");
    let pairs = dir.join("pairs.jsonl");
    let families = dir.join("families.jsonl");
    stemma_ok(&[
        "scan",
        "--quiet",
        "--pairs",
        pairs.to_str().unwrap(),
        "--families",
        families.to_str().unwrap(),
        &seeds(),
    ]);
    let pair_lines: Vec<serde_json::Value> = fs::read_to_string(&pairs)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!pair_lines.is_empty());
    for p in &pair_lines {
        for key in [
            "a",
            "b",
            "relation",
            "jaccard",
            "containment_a_in_b",
            "containment_b_in_a",
        ] {
            assert!(p.get(key).is_some(), "pair line lacks {key}: {p}");
        }
    }
    let fam: Vec<FamilyLine> = fs::read_to_string(&families)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(fam.len(), 1);
    assert_eq!(fam[0].family, "F1");
}

#[test]
fn strict_families_do_not_chain_unrelated_texts() {
    let dir = scratch("chain");
    let a = words(10, 300).join(" ");
    let c = words(20, 300).join(" ");
    // b quotes the second half of a and the first half of c.
    let aw = words(10, 300);
    let cw = words(20, 300);
    let b = format!("{} {}", aw[150..].join(" "), cw[..150].join(" "));
    fs::write(dir.join("a.txt"), &a).unwrap();
    fs::write(dir.join("b.txt"), &b).unwrap();
    fs::write(dir.join("c.txt"), &c).unwrap();
    let r = scan_json(&[dir.to_str().unwrap()], &dir);
    assert!(pair(&r, "a.txt", "b.txt").is_some());
    assert!(pair(&r, "b.txt", "c.txt").is_some());
    assert!(pair(&r, "a.txt", "c.txt").is_none());
    let fa = family_of(&r, "a.txt");
    let fc = family_of(&r, "c.txt");
    assert!(
        fa.is_none() || fa != fc,
        "a and c share nothing but were put in one family: {:?}",
        r.families
    );
    // The connected policy chains them, on request.
    let r = scan_json(
        &["--family-policy", "connected", dir.to_str().unwrap()],
        &dir,
    );
    assert_eq!(r.families.len(), 1);
    assert_eq!(r.families[0].members.len(), 3);
}

#[test]
fn missing_input_is_a_clear_error() {
    let out = stemma(&["scan", "/nonexistent/stemma-input"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/stemma-input"), "{err}");
}

#[test]
fn malformed_jsonl_names_file_and_line_and_skip_bad_continues() {
    let dir = scratch("badjsonl");
    let path = dir.join("feed.jsonl");
    let good = words(3, 50).join(" ");
    fs::write(
        &path,
        format!(
            "{}\n{{not json\n{}\n",
            serde_json::json!({"id": "1", "text": good}),
            serde_json::json!({"id": "2", "body": "x"})
        ),
    )
    .unwrap();
    let out = stemma(&["scan", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("feed.jsonl:2"), "{err}");
    let r = scan_json(&["--skip-bad", path.to_str().unwrap()], &dir);
    assert_eq!(r.inputs.documents, 1);
    assert_eq!(r.inputs.bad_records, 2);
}

#[test]
fn odd_documents_are_handled() {
    let dir = scratch("odd");
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    fs::write(corpus.join("empty.txt"), "").unwrap();
    fs::write(corpus.join("short.txt"), "two words").unwrap();
    fs::write(corpus.join("short2.txt"), "two words").unwrap();
    fs::write(
        corpus.join("latin1.txt"),
        b"caf\xe9 au lait \xff\xfe and more words here",
    )
    .unwrap();
    fs::write(corpus.join("image.png"), b"\x89PNG\r\n\x1a\n\0\0\0binary").unwrap();
    fs::write(corpus.join("binary.txt"), b"abc\0\0\0def").unwrap();
    fs::write(corpus.join("repeat.txt"), "word ".repeat(1_000_000)).unwrap();
    let r = scan_json(&[corpus.to_str().unwrap()], &dir);
    assert!(r.inputs.skipped_files >= 2, "{:?}", r.inputs);
    assert!(
        r.inputs.warnings.iter().any(|w| w.contains("latin1.txt")),
        "{:?}",
        r.inputs.warnings
    );
    let short = pair(&r, "short.txt", "short2.txt").expect("identical short texts");
    assert_eq!(short.relation, "duplicate");
    assert!(r
        .pairs
        .iter()
        .all(|p| !p.a.starts_with("empty") && !p.b.starts_with("empty")));
    assert_eq!(
        r.documents
            .iter()
            .find(|d| d.id == "repeat.txt")
            .unwrap()
            .tokens,
        1_000_000
    );
}

#[test]
fn huge_single_line_document_is_truncated_not_fatal() {
    let dir = scratch("huge");
    let path = dir.join("big.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    write!(f, "{{\"id\": \"big\", \"text\": \"").unwrap();
    let chunk = "lorem ipsum dolor sit amet ".repeat(1000);
    let mut written = 0;
    while written < 200 << 20 {
        f.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    writeln!(f, "\"}}").unwrap();
    drop(f);
    let r = scan_json(&[path.to_str().unwrap()], &dir);
    assert_eq!(r.inputs.documents, 1);
    assert_eq!(r.inputs.truncated, 1);
    fs::remove_file(&path).unwrap();
}

#[test]
fn dedup_keeps_one_per_group_and_loses_nothing() {
    let dir = scratch("dedup");
    let input = dir.join("in.jsonl");
    let mut lines = Vec::new();
    for i in 0..30u64 {
        let base = words(100 + i, 200);
        lines.push(
            serde_json::json!({"id": format!("orig{i}"), "text": base.join(" "), "n": i})
                .to_string(),
        );
        if i % 3 == 0 {
            // An exact copy with different spacing and case, and a light edit.
            lines.push(serde_json::json!({"id": format!("copy{i}"), "text": base.join("  ").to_uppercase()}).to_string());
            let mut edited = base.clone();
            edited[100] = "changed".into();
            lines.push(
                serde_json::json!({"id": format!("edit{i}"), "text": edited.join(" ")}).to_string(),
            );
        }
    }
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.join("out.jsonl");
    let removed = dir.join("removed.jsonl");
    stemma_ok(&[
        "dedup",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--removed",
        removed.to_str().unwrap(),
    ]);
    let kept: Vec<String> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let gone: Vec<serde_json::Value> = fs::read_to_string(&removed)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(kept.len() + gone.len(), lines.len());
    assert_eq!(kept.len(), 30);
    // Kept records are unchanged and in input order.
    let originals: Vec<&String> = lines.iter().filter(|l| l.contains("\"orig")).collect();
    assert_eq!(kept.iter().collect::<Vec<_>>(), originals);
    for g in &gone {
        let of = g["stemma"]["duplicate_of"].as_str().unwrap();
        assert!(of.starts_with("orig"), "{g}");
    }
    // Nothing is left behind when the input is missing.
    let out2 = dir.join("out2.jsonl");
    let r = stemma(&[
        "dedup",
        dir.join("nope.jsonl").to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(!out2.exists());
}

/// dedup gives byte-identical outputs whether the input is plain, gzip, zstd or standard
/// input, for 1 and 2 threads, with bad records, blank and CRLF lines between good ones and
/// more records than one parsing batch holds.
#[test]
fn dedup_outputs_do_not_depend_on_compression_stdin_or_threads() {
    let dir = scratch("dedup-sources");
    let mut jsonl = String::new();
    for i in 0..5000u64 {
        let text = words(1000 + i / 3, 40).join(" ");
        match i % 97 {
            0 => jsonl.push_str("not json at all\n\n"),
            1 => jsonl.push_str("  \r\n"),
            _ => {}
        }
        let line = serde_json::json!({"id": format!("d{i}"), "text": text}).to_string();
        jsonl.push_str(&line);
        jsonl.push_str(if i % 5 == 0 { "\r\n" } else { "\n" });
    }
    let [plain, gz, zst] = write_jsonl_plain_gz_zst(&dir, "in", &jsonl);
    let run = |input: &Path, threads: &str, tag: &str| -> [Vec<u8>; 3] {
        let outs = ["out", "removed", "pairs"].map(|n| dir.join(format!("{tag}-{n}.jsonl")));
        let mut args: Vec<String> = vec!["dedup".into(), "--skip-bad".into(), "-q".into()];
        args.extend(["--threads".into(), threads.into()]);
        args.extend(["-o".into(), outs[0].display().to_string()]);
        args.extend(["--removed".into(), outs[1].display().to_string()]);
        args.extend(["--pairs".into(), outs[2].display().to_string()]);
        let out = if input.as_os_str() == "-" {
            args.push("-".into());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            stemma_with_stdin(&args, jsonl.as_bytes())
        } else {
            args.push(input.display().to_string());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            stemma(&args)
        };
        assert!(
            out.status.success(),
            "{tag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outs.map(|p| fs::read(p).unwrap())
    };
    let want = run(&plain, "2", "plain2");
    let kept = String::from_utf8(want[0].clone()).unwrap();
    let pairs = String::from_utf8(want[2].clone()).unwrap();
    assert!(
        kept.lines().count() > 1500 && kept.lines().count() < 2000,
        "{}",
        kept.lines().count()
    );
    assert!(pairs.lines().count() > 3000, "{}", pairs.lines().count());
    // Kept lines are the input's lines, unchanged (CRLF lines without their CR).
    assert!(kept
        .lines()
        .all(|l| jsonl.contains(l) && l.starts_with("{\"id\":\"d")));
    for (input, threads, tag) in [
        (plain.as_path(), "1", "plain1"),
        (gz.as_path(), "2", "gz"),
        (zst.as_path(), "1", "zst"),
        (Path::new("-"), "2", "stdin"),
    ] {
        assert!(run(input, threads, tag) == want, "{tag} differs");
    }
}

#[derive(Debug, Deserialize)]
struct TraceReport {
    documents: Vec<TraceDoc>,
    pairs: Vec<TracePair>,
    families: Vec<TraceFamily>,
}

#[derive(Debug, Deserialize)]
struct TraceDoc {
    id: String,
    #[serde(default)]
    cues: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct CharSpan {
    start: usize,
    end: usize,
}

#[derive(Debug, Deserialize)]
struct TracePassage {
    a: CharSpan,
    b: CharSpan,
    exactness: f64,
    boilerplate: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TraceDirection {
    verdict: String,
}

#[derive(Debug, Deserialize)]
struct TracePair {
    a: String,
    b: String,
    passages: Vec<TracePassage>,
    passage_coverage_a: f64,
    passage_coverage_b: f64,
    direction: TraceDirection,
}

#[derive(Debug, Deserialize)]
struct Evidence {
    signal: String,
    weight: f64,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct Edge {
    family: String,
    parent: Option<String>,
    child: String,
    kind: String,
    confidence: f64,
    evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
struct TraceFamily {
    members: Vec<String>,
    stemma: Vec<Edge>,
}

fn trace_seeds(dir: &Path, extra: &[&str]) -> (TraceReport, Vec<Edge>) {
    let json = dir.join("trace.json");
    let stemma_path = dir.join("stemma.jsonl");
    let mut args = vec![
        "trace",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--stemma",
        stemma_path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let seeds = seeds();
    args.push(&seeds);
    stemma_ok(&args);
    let report = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let edges = fs::read_to_string(&stemma_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (report, edges)
}

#[test]
fn trace_seeds_puts_the_siblings_under_the_agency_and_the_rewrite_on_a_branch() {
    let dir = scratch("trace-seeds");
    let (r, edges) = trace_seeds(&dir, &[]);
    assert_eq!(r.families.len(), 1);
    let fam = &r.families[0];
    assert_eq!(fam.members.len(), 3);
    let edge = |prefix: &str| {
        fam.stemma
            .iter()
            .find(|e| e.child.starts_with(prefix))
            .unwrap()
    };
    // 002 and 004: siblings under VNA, with the credits as evidence.
    for sibling in ["002", "004"] {
        let e = edge(sibling);
        assert_eq!(e.parent.as_deref(), Some("external:VNA"), "{e:?}");
        assert_eq!(e.kind, "credited-external-source");
        assert!(
            e.evidence
                .iter()
                .any(|ev| ev.signal.contains("credit") && ev.reason.contains("TTXVN")),
            "{e:?}"
        );
    }
    // 003 derives from 004's text or from the same source, with thin evidence; it is nobody's
    // parent.
    let e = edge("003");
    let parent = e.parent.as_deref().unwrap_or("");
    assert!(
        parent == "external:VNA" || parent.starts_with("004"),
        "{e:?}"
    );
    assert!(e.confidence < 0.5, "{e:?}");
    assert!(fam
        .stemma
        .iter()
        .all(|e| !e.parent.as_deref().unwrap_or("").starts_with("003")));
    // 002-004: siblings sharing roughly 40-50% of each text, not a copy either way.
    let p = r
        .pairs
        .iter()
        .find(|p| p.a.starts_with("002") && p.b.starts_with("004"))
        .unwrap();
    assert!(
        (0.3..0.65).contains(&p.passage_coverage_a),
        "{}",
        p.passage_coverage_a
    );
    assert!(
        (0.3..0.65).contains(&p.passage_coverage_b),
        "{}",
        p.passage_coverage_b
    );
    assert_eq!(p.direction.verdict, "common-source");
    // The shared photo caption is marked as such.
    assert!(r
        .pairs
        .iter()
        .flat_map(|p| &p.passages)
        .any(|ps| ps.boilerplate.as_deref() == Some("caption")));
    // Cues were found (004 credits TTXVN) and the --stemma lines are the same edges.
    let d004 = r
        .documents
        .iter()
        .find(|d| d.id.starts_with("004"))
        .unwrap();
    assert!(
        d004.cues
            .iter()
            .any(|c| c["kind"] == "credit" && c["source"] == "VNA"),
        "{:?}",
        d004.cues
    );
    assert_eq!(edges.len(), 3);
    for e in &edges {
        assert_eq!(e.family, "F1");
        assert!((0.0..=1.0).contains(&e.confidence));
        assert!(!e.evidence.is_empty());
        assert!(e
            .evidence
            .iter()
            .all(|ev| !ev.reason.is_empty() && ev.weight >= 0.0));
    }
}

#[test]
fn trace_passages_are_real_matches_in_character_offsets() {
    let dir = scratch("trace-offsets");
    let (r, _) = trace_seeds(&dir, &[]);
    let text_of = |id: &str| fs::read_to_string(Path::new(&seeds()).join(id)).unwrap();
    let slice = |t: &str, s: &CharSpan| {
        t.chars()
            .skip(s.start)
            .take(s.end - s.start)
            .collect::<String>()
    };
    let mut checked = 0;
    for p in &r.pairs {
        let (ta, tb) = (text_of(&p.a), text_of(&p.b));
        for ps in &p.passages {
            assert!(ps.a.end <= ta.chars().count() && ps.b.end <= tb.chars().count());
            if ps.exactness == 1.0 {
                let (sa, sb) = (slice(&ta, &ps.a), slice(&tb, &ps.b));
                assert_eq!(
                    stemma::fuzzing::text::normalize(&sa, false),
                    stemma::fuzzing::text::normalize(&sb, false)
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 5);
}

#[test]
fn trace_output_is_identical_for_any_thread_count() {
    let dir = scratch("trace-threads");
    let one = dir.join("one.json");
    let two = dir.join("two.json");
    stemma_ok(&[
        "trace",
        "--quiet",
        "--threads",
        "1",
        "--json",
        one.to_str().unwrap(),
        &seeds(),
    ]);
    stemma_ok(&[
        "trace",
        "--quiet",
        "--threads",
        "2",
        "--json",
        two.to_str().unwrap(),
        &seeds(),
    ]);
    assert_eq!(fs::read(one).unwrap(), fs::read(two).unwrap());
}

#[test]
fn compare_shows_figures_passages_and_direction() {
    let s = seeds();
    let a = format!("{s}/002_a6c1fbbf3c2df49c.txt");
    let b = format!("{s}/004_7b6a29778a7fc8e6.txt");
    let out = stemma_ok(&["compare", &a, &b]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("relation: partial-reuse"), "{text}");
    assert!(text.contains("passages, covering"), "{text}");
    assert!(text.contains("direction: common-source"), "{text}");
}

#[test]
fn trace_reports_escape_hostile_documents() {
    let dir = scratch("xss");
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    let body = words(77, 300).join(" ");
    let payload = "<script>alert(1)</script> \"><img src=x onerror=alert(1)> \u{202E}gnp.exe";
    fs::write(corpus.join("a.txt"), format!("{payload} {body}")).unwrap();
    fs::write(
        corpus.join("<img src=x onerror=alert(2)>.txt"),
        format!("{body} {payload} Theo <b>TTXVN</b>"),
    )
    .unwrap();
    let (html, md, dot) = (dir.join("r.html"), dir.join("r.md"), dir.join("r.dot"));
    stemma_ok(&[
        "trace",
        "--quiet",
        "--html",
        html.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
        "--dot",
        dot.to_str().unwrap(),
        corpus.to_str().unwrap(),
    ]);
    let html = fs::read_to_string(html).unwrap();
    assert!(
        html.contains("alert(1)&lt;/script&gt;"),
        "the payload is shown as text"
    );
    // Escaped text may still read "onerror=alert" (harmless); markup needs a raw "<".
    for raw in ["<script>alert", "<img src=x", "\u{202E}"] {
        assert!(!html.contains(raw), "raw {raw:?} in the HTML report");
    }
    // No network resources (the SVG namespace URI is a name, not a load).
    for load in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(load), "{load} in the HTML report");
    }
    let md = fs::read_to_string(md).unwrap();
    // Markdown shows a literal "<" as "\<" (a backslash escape).
    for raw in ["<script>", "<img src=x"] {
        assert!(
            md.match_indices(raw)
                .all(|(at, _)| at > 0 && md.as_bytes()[at - 1] == b'\\'),
            "raw {raw} in the Markdown report"
        );
    }
    let dot = fs::read_to_string(dot).unwrap();
    assert!(
        dot.matches('"').count() % 2 == 0,
        "unbalanced quotes in DOT"
    );
}

#[test]
fn scan_against_an_index_finds_what_scan_finds_on_the_union() {
    let dir = scratch("against");
    let s = seeds();
    let files: Vec<String> = (0..5)
        .map(|i| {
            fs::read_dir(&s)
                .unwrap()
                .map(|e| e.unwrap().path().display().to_string())
                .find(|p| p.contains(&format!("/00{i}_")))
                .unwrap()
        })
        .collect();
    let idx = dir.join("idx");
    stemma_ok(&[
        "index",
        "build",
        &files[0],
        &files[2],
        "-o",
        idx.to_str().unwrap(),
    ]);
    let json = dir.join("against.json");
    stemma_ok(&[
        "scan",
        "--quiet",
        "--against",
        idx.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        &files[1],
        &files[3],
        &files[4],
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let mut got: Vec<String> = report["index_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{} {} {} {}", m["a"], m["b"], m["relation"], m["jaccard"]))
        .collect();
    got.sort();
    // scan of the union, cross pairs only.
    let union = dir.join("union.json");
    let mut args = vec!["scan", "--quiet", "--json", union.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));
    stemma_ok(&args);
    let all: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&union).unwrap()).unwrap();
    let indexed = |id: &str| id == files[0] || id == files[2];
    let mut want: Vec<String> = all["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| indexed(p["a"].as_str().unwrap()) != indexed(p["b"].as_str().unwrap()))
        .map(|p| format!("{} {} {} {}", p["a"], p["b"], p["relation"], p["jaccard"]))
        .collect();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

/// Commands against an index take its settings (so an index built with other flags, or by a
/// stemma with other defaults, keeps working); a flag that contradicts the index is refused
/// with what differs.
#[test]
fn commands_against_an_index_use_its_settings() {
    let dir = scratch("index-settings");
    let s = seeds();
    let seed = |i: usize| {
        fs::read_dir(&s)
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .find(|p| p.contains(&format!("/00{i}_")))
            .unwrap()
    };
    let idx = dir.join("idx");
    let idx = idx.to_str().unwrap();
    stemma_ok(&[
        "index",
        "build",
        &seed(2),
        "-o",
        idx,
        "--shingle",
        "words:4",
        "--num-perm",
        "64",
        "--threshold",
        "0.7",
    ]);
    // No flags: the index's settings; the seed's sibling is found.
    let out = stemma_ok(&["query", idx, &seed(4)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("002_"), "{stdout}");
    stemma_ok(&["index", "add", idx, &seed(3)]);
    stemma_ok(&["scan", "--quiet", "--against", idx, &seed(4)]);
    // A contradicting flag is refused, naming the setting and both values.
    for (flag, value, what) in [
        ("--num-perm", "128", "--num-perm"),
        ("--shingle", "words:5", "shingle"),
        ("--threshold", "0.9", "banding"),
    ] {
        let out = stemma(&["query", idx, &seed(4), flag, value]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(what), "{flag}: {err}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn spilling_to_temporary_files_gives_the_same_reports_and_leaves_nothing() {
    let dir = scratch("spill");
    // About 9 MB of text: more than the 4 MiB each buffer gets with --memory 16, so texts,
    // fingerprints and bigrams go to temporary files and pairs are verified in blocks.
    let mut jsonl = String::new();
    let mut sources: Vec<Vec<String>> = Vec::new();
    for i in 0..900u64 {
        let mut w = words(i * 7 + 1, 1200);
        if i % 5 == 4 {
            // Half of an earlier document, then its own words.
            let pick = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) as usize;
            let src = &sources[pick % sources.len()];
            w.splice(0..600, src[300..900].iter().cloned());
        }
        let obj = serde_json::json!({"id": format!("d{i:04}"), "text": w.join(" ")});
        jsonl.push_str(&obj.to_string());
        jsonl.push('\n');
        sources.push(w);
    }
    let input = dir.join("corpus.jsonl");
    fs::write(&input, jsonl).unwrap();
    let temp = dir.join("tmp");
    fs::create_dir_all(&temp).unwrap();
    for cmd in ["scan", "trace"] {
        let run = |name: &str, extra: &[&str]| {
            let (json, html) = (
                dir.join(format!("{name}.json")),
                dir.join(format!("{name}.html")),
            );
            let mut args = vec![
                cmd,
                "--quiet",
                "--json",
                json.to_str().unwrap(),
                "--html",
                html.to_str().unwrap(),
                input.to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            stemma_ok(&args);
            (fs::read(json).unwrap(), fs::read(html).unwrap())
        };
        let in_memory = run(&format!("{cmd}-memory"), &[]);
        let spilled = run(
            &format!("{cmd}-spilled"),
            &["--memory", "16", "--temp-dir", temp.to_str().unwrap()],
        );
        assert!(in_memory == spilled, "{cmd}: reports differ after spilling");
        let report: serde_json::Value = serde_json::from_slice(&spilled.0).unwrap();
        assert!(report["pairs"].as_array().unwrap().len() >= 150, "{cmd}");
        assert_eq!(fs::read_dir(&temp).unwrap().count(), 0, "{cmd} left files");
    }
    let err = stemma(&[
        "scan",
        "--memory",
        "16",
        "--temp-dir",
        "/nonexistent-stemma-tmp",
        input.to_str().unwrap(),
    ]);
    assert_eq!(err.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(
        msg.contains("/nonexistent-stemma-tmp") && msg.contains("--temp-dir"),
        "{msg}"
    );
}

/// Issue 15 item 2: dedup output named `.gz` / `.zst` is compressed that way, and stemma reads
/// its own output back (as input to dedup and scan).
#[test]
fn dedup_compresses_outputs_by_their_extension_and_reads_them_back() {
    use std::io::Read;
    let dir = scratch("dedup-compressed-out");
    let mut jsonl = String::new();
    for i in 0..40u64 {
        let text = words(500 + i / 2, 60).join(" ");
        jsonl.push_str(&serde_json::json!({"id": format!("r{i}"), "text": text}).to_string());
        jsonl.push('\n');
    }
    let [plain, gz, _] = write_jsonl_plain_gz_zst(&dir, "in", &jsonl);
    let out = |name: &str| dir.join(name).display().to_string();
    stemma_ok(&[
        "dedup",
        "-q",
        plain.to_str().unwrap(),
        "-o",
        &out("want.jsonl"),
    ]);
    let want = fs::read(dir.join("want.jsonl")).unwrap();
    assert_eq!(String::from_utf8_lossy(&want).lines().count(), 20);
    for ext in ["gz", "zst"] {
        let (kept, removed, pairs) = (
            out(&format!("kept.jsonl.{ext}")),
            out(&format!("removed.jsonl.{ext}")),
            out(&format!("pairs.jsonl.{ext}")),
        );
        stemma_ok(&[
            "dedup",
            "-q",
            gz.to_str().unwrap(),
            "-o",
            &kept,
            "--removed",
            &removed,
            "--pairs",
            &pairs,
        ]);
        let decode = |path: &str| -> Vec<u8> {
            let raw = fs::read(path).unwrap();
            if ext == "gz" {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut plain)
                    .unwrap_or_else(|e| panic!("{path} is not gzip: {e}"));
                plain
            } else {
                zstd::decode_all(&raw[..]).unwrap_or_else(|e| panic!("{path} is not zstd: {e}"))
            }
        };
        assert_eq!(decode(&kept), want, "{ext}: kept records");
        assert_eq!(
            String::from_utf8(decode(&removed)).unwrap().lines().count(),
            20
        );
        assert_eq!(
            String::from_utf8(decode(&pairs)).unwrap().lines().count(),
            20
        );
        // stemma reads its own output back.
        let again = out(&format!("again-{ext}.jsonl"));
        stemma_ok(&["dedup", "-q", &kept, "-o", &again]);
        assert_eq!(
            fs::read(&again).unwrap(),
            want,
            "{ext}: dedup of the output"
        );
        let r = scan_json(&[&kept], &dir);
        assert_eq!(r.documents.len(), 20, "{ext}: scan of the output");
    }
}

/// Issue 15 item 6: with an output on standard output (`-`), standard output holds only that
/// output (the human summary goes to standard error); two outputs to `-` are refused.
#[test]
fn an_output_to_stdout_keeps_stdout_clean_and_two_are_refused() {
    let s = seeds();
    for (cmd, flag) in [
        ("scan", "--pairs"),
        ("scan", "--families"),
        ("trace", "--stemma"),
    ] {
        let out = stemma_ok(&[cmd, flag, "-", &s]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            !stdout.trim().is_empty(),
            "{cmd} {flag} -: nothing on stdout"
        );
        for line in stdout.lines() {
            serde_json::from_str::<serde_json::Value>(line)
                .unwrap_or_else(|e| panic!("{cmd} {flag} -: not JSON: {line:?} ({e})"));
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("F1"),
            "{cmd}: summary not on stderr: {stderr}"
        );
    }
    // The whole report to stdout parses as one JSON document.
    let out = stemma_ok(&["scan", "--json", "-", &s]);
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("--json - is JSON");
    // Two outputs to `-`: refused before any work, naming both flags.
    let dir = scratch("two-stdout");
    let input = dir.join("in.jsonl");
    fs::write(&input, "{\"id\":\"a\",\"text\":\"one two three\"}\n").unwrap();
    for args in [
        vec!["scan", "--pairs", "-", "--json", "-", s.as_str()],
        vec!["trace", "--stemma", "-", "--families", "-", s.as_str()],
        vec![
            "dedup",
            input.to_str().unwrap(),
            "-o",
            "-",
            "--removed",
            "-",
        ],
    ] {
        let out = stemma(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: wrote to stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("standard output") && err.matches("--").count() >= 2,
            "{args:?}: {err}"
        );
    }
}

/// Issue 15 item 7: every output location is checked before any work, with a message naming
/// the flag and the path; when one is bad, no output is written.
#[test]
fn bad_output_locations_fail_before_any_work_and_nothing_is_written() {
    let dir = scratch("bad-outputs");
    let s = seeds();
    let json = dir.join("r.json");
    let json = json.to_str().unwrap();
    let out = stemma(&[
        "trace",
        "--json",
        json,
        "--html",
        "/nonexistent-stemma/d/r.html",
        &s,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--html /nonexistent-stemma/d/r.html: cannot write there: directory /nonexistent-stemma/d does not exist"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "a summary was printed: the work was done"
    );
    assert!(!Path::new(json).exists(), "--json was written");
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        0,
        "files left in {dir:?}"
    );
    // Checked before the inputs are even read: a missing input is not what is reported.
    let out = stemma(&[
        "scan",
        "--pairs",
        "/nonexistent-stemma/p.jsonl",
        "/nonexistent-input",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--pairs /nonexistent-stemma/p.jsonl"), "{err}");
    // A directory given as an output file, and one file named by two outputs.
    let d = dir.to_str().unwrap();
    let out = stemma(&["scan", "--json", json, "--families", d, &s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("--families {d}: ")) && err.contains("directory"),
        "{err}"
    );
    let out = stemma(&["scan", "--json", json, "--pairs", json, &s]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--json and --pairs both write to"), "{err}");
    // dedup, query and audit too.
    let input = dir.join("in.jsonl");
    fs::write(&input, "{\"id\":\"a\",\"text\":\"one two three\"}\n").unwrap();
    let kept = dir.join("kept.jsonl");
    let out = stemma(&[
        "dedup",
        input.to_str().unwrap(),
        "-o",
        kept.to_str().unwrap(),
        "--removed",
        "/nonexistent-stemma/removed.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--removed /nonexistent-stemma/removed.jsonl"),
        "{err}"
    );
    assert!(!kept.exists());
    for args in [
        vec!["audit", &s, "-o", "/nonexistent-stemma/a.sarif"],
        vec!["query", d, &s, "--json", "/nonexistent-stemma/q.jsonl"],
    ] {
        let out = stemma(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("/nonexistent-stemma/") && err.contains("does not exist"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        1,
        "only the input is left"
    );
}

/// Issue 15 item 5: an explicit `.json` (a JSON array), `.avro` or a `.gz` that is not JSONL is
/// refused with an error naming the file and what is supported, not read as one plain-text
/// document; plain text piped to `scan -` is told about --stdin-text.
#[test]
fn unsupported_inputs_are_refused_and_plain_stdin_suggests_stdin_text() {
    let dir = scratch("unsupported");
    let text = words(9, 80).join(" ");
    let json = dir.join("docs.json");
    fs::write(
        &json,
        serde_json::json!([{"id": "a", "text": text}]).to_string(),
    )
    .unwrap();
    // CSV and Parquet are read since issue 15 item 9 (tests/tables.rs); Avro is not.
    let avro = dir.join("docs.avro");
    fs::write(&avro, b"Obj\x01 not read").unwrap();
    let gz = dir.join("notes.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    for (path, says) in [(&json, "JSONL"), (&avro, "Parquet"), (&gz, "compressed")] {
        for cmd in ["scan", "trace", "audit"] {
            let out = stemma(&[cmd, "--quiet", path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(2), "{cmd} {path:?} was read");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(path.to_str().unwrap())
                    && err.contains("unsupported input")
                    && err.contains(says)
                    && err.contains(".jsonl"),
                "{cmd} {path:?}: {err}"
            );
        }
    }
    // A text file with another name is still read as text.
    let readme = dir.join("README");
    fs::write(&readme, &text).unwrap();
    stemma_ok(&["scan", "--quiet", readme.to_str().unwrap()]);
    // Plain text on standard input.
    let out = stemma_with_stdin(
        &["scan", "-"],
        format!("A plain text.\n{text}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-:1:") && err.contains("--stdin-text") && !err.contains("--skip-bad"),
        "{err}"
    );
}

/// Issue 15 item 8: ids. A JSONL record without an id gets FILE:LINE (said once); two roots
/// holding the same relative path keep apart (one root keeps relative ids); a repeated JSONL
/// id is an error that names --on-duplicate-id, or is renamed / skipped on request; audit's
/// --against takes one value, so the inputs after it stay inputs.
#[test]
fn ids_fall_back_stay_unique_across_roots_and_duplicates_are_a_choice() {
    let dir = scratch("ids");
    let text = |seed: u64| words(seed, 120).join(" ");
    // No id field.
    let noid = dir.join("noid.jsonl");
    let lines: Vec<String> = [1u64, 2, 1]
        .iter()
        .map(|&s| serde_json::json!({"text": text(s)}).to_string())
        .collect();
    fs::write(&noid, lines.join("\n") + "\n").unwrap();
    let json = dir.join("r.json");
    let out = stemma_ok(&[
        "scan",
        "-q",
        "--json",
        json.to_str().unwrap(),
        noid.to_str().unwrap(),
    ]);
    let r: Report = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let n = noid.display();
    let ids: Vec<&str> = r.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [format!("{n}:1"), format!("{n}:2"), format!("{n}:3")]);
    assert!(pair(&r, &format!("{n}:1"), &format!("{n}:3")).is_some());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("FILE:LINE").count(), 1, "said once: {err}");
    assert!(err.contains("--id-field"), "{err}");
    // Two roots with the same relative path.
    for (d, seed) in [("d1", 3), ("d2", 4)] {
        fs::create_dir_all(dir.join(d).join("sub")).unwrap();
        fs::write(dir.join(d).join("sub/story.txt"), text(seed)).unwrap();
    }
    let (d1, d2) = (dir.join("d1"), dir.join("d2"));
    let (d1, d2) = (d1.to_str().unwrap(), d2.to_str().unwrap());
    let r = scan_json(&[d1, d2], &dir);
    let ids: Vec<&str> = r.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [format!("{d1}/sub/story.txt"), format!("{d2}/sub/story.txt")]
    );
    let r = scan_json(&[d1], &dir);
    assert_eq!(
        r.documents[0].id, "sub/story.txt",
        "one root: ids unchanged"
    );
    // Repeated ids in JSONL.
    let dup = dir.join("dup.jsonl");
    let records = [("x", 5u64), ("y", 6), ("x", 7)];
    let lines: Vec<String> = records
        .iter()
        .map(|(id, s)| serde_json::json!({"id": id, "text": text(*s)}).to_string())
        .collect();
    fs::write(&dup, lines.join("\n") + "\n").unwrap();
    let dup = dup.to_str().unwrap();
    for cmd in ["scan", "dedup"] {
        let kept = dir.join("kept.jsonl");
        let mut args = vec![cmd, dup];
        if cmd == "dedup" {
            args.extend(["-o", kept.to_str().unwrap()]);
        }
        let out = stemma(&args);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("duplicate document id \"x\"")
                && err.contains(&format!("{dup}:1"))
                && err.contains(&format!("{dup}:3"))
                && err.contains("--on-duplicate-id"),
            "{cmd}: {err}"
        );
    }
    let r = scan_json(&["--on-duplicate-id", "rename", dup], &dir);
    let ids: Vec<&str> = r.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["x", "x#2", "y"]);
    let r = scan_json(&["--on-duplicate-id", "keep-first", dup], &dir);
    let ids: Vec<&str> = r.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["x", "y"]);
    let kept = dir.join("kept.jsonl");
    let out = stemma_ok(&[
        "dedup",
        dup,
        "-o",
        kept.to_str().unwrap(),
        "--on-duplicate-id",
        "rename",
    ]);
    assert_eq!(fs::read_to_string(&kept).unwrap().lines().count(), 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"x#2\""));
    stemma_ok(&[
        "dedup",
        dup,
        "-o",
        kept.to_str().unwrap(),
        "--on-duplicate-id",
        "keep-first",
    ]);
    assert_eq!(fs::read_to_string(&kept).unwrap().lines().count(), 2);
    // audit --against takes one value: `test` stays an input.
    let (train, test) = (dir.join("train"), dir.join("test"));
    fs::create_dir_all(&train).unwrap();
    fs::create_dir_all(&test).unwrap();
    fs::write(train.join("t1.txt"), text(8)).unwrap();
    fs::write(test.join("q1.txt"), text(8)).unwrap();
    let out = stemma(&[
        "audit",
        "--against",
        train.to_str().unwrap(),
        test.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("against:t1.txt") && stdout.contains("q1.txt"),
        "{stdout}"
    );
}

// Issue 15 item 12: progress on every long command, and why a compared pair is not related.

#[test]
fn compare_says_why_a_pair_is_not_related() {
    let s = seeds();
    let a = format!("{s}/000_feda9039ef98819a.txt");
    let b = format!("{s}/001_a69881127f8cf709.txt");
    let text = String::from_utf8(stemma_ok(&["compare", &a, &b]).stdout).unwrap();
    assert!(text.contains("relation: none"), "{text}");
    let why = text
        .lines()
        .find(|l| l.starts_with("why not related: "))
        .unwrap_or_else(|| panic!("no why-not line in {text}"));
    // Every rule that failed, each with what it needs and the gap, closest first.
    for rule in [
        "near-duplicate needs jaccard >= 0.800",
        "excerpt needs",
        "partial-reuse needs",
        "rewrite needs",
    ] {
        assert!(why.contains(rule), "{rule:?} missing in {why}");
    }
    assert_eq!(why.matches("short by").count(), 5, "{why}");
    // A related pair has no such line.
    let a = format!("{s}/002_a6c1fbbf3c2df49c.txt");
    let b = format!("{s}/004_7b6a29778a7fc8e6.txt");
    let text = String::from_utf8(stemma_ok(&["compare", &a, &b]).stdout).unwrap();
    assert!(!text.contains("why not related"), "{text}");
}

#[test]
fn query_json_lines_carry_their_schema() {
    let dir = scratch("query-schema");
    let body = words(31, 200).join(" ");
    let corpus = dir.join("c.jsonl");
    fs::write(
        &corpus,
        format!("{}\n", serde_json::json!({"id": "x", "text": body})),
    )
    .unwrap();
    let q = dir.join("q.jsonl");
    fs::write(
        &q,
        format!(
            "{}\n",
            serde_json::json!({"id": "q", "text": format!("Reported: {body}")})
        ),
    )
    .unwrap();
    let idx = dir.join("idx");
    stemma_ok(&[
        "index",
        "build",
        corpus.to_str().unwrap(),
        "-o",
        idx.to_str().unwrap(),
    ]);
    let json = dir.join("m.jsonl");
    stemma_ok(&[
        "query",
        idx.to_str().unwrap(),
        q.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "-q",
    ]);
    #[derive(Deserialize)]
    struct MatchLine {
        schema: String,
        schema_version: u32,
        query: String,
        indexed: String,
        // As scan's pair lines carry them (absent before: deserialization fails).
        idf_bigram_containment_a_in_b: f64,
        confidence: f64,
        rule: String,
    }
    let lines: Vec<MatchLine> = fs::read_to_string(&json)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0].schema.as_str(), lines[0].schema_version),
        ("stemma.query", 1)
    );
    assert_eq!(
        (lines[0].query.as_str(), lines[0].indexed.as_str()),
        ("q", "x")
    );
    let m = &lines[0];
    assert!((0.0..=1.0).contains(&m.idf_bigram_containment_a_in_b));
    assert!(
        m.confidence > 0.0 && m.confidence <= 1.0,
        "{}",
        m.confidence
    );
    assert!(!m.rule.is_empty());
}

/// Runs stemma in a pseudo-terminal (`script`), where the progress bars show; `None` when
/// `script` is not installed.
fn stemma_in_terminal(args: &[&str]) -> Option<String> {
    let command = std::iter::once(env!("CARGO_BIN_EXE_stemma").to_string())
        .chain(args.iter().map(|a| format!("'{a}'")))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn dedup_and_index_commands_show_progress_in_a_terminal() {
    let dir = scratch("progress");
    let mut jsonl = String::new();
    for i in 0..40 {
        let text = words(100 + i % 20, 120).join(" ");
        jsonl.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": format!("d{i}"), "text": text})
        ));
    }
    let input = dir.join("in.jsonl");
    fs::write(&input, &jsonl).unwrap();
    let (input, kept, idx) = (
        input.to_str().unwrap().to_string(),
        dir.join("kept.jsonl").to_str().unwrap().to_string(),
        dir.join("idx").to_str().unwrap().to_string(),
    );
    let Some(dedup) = stemma_in_terminal(&["dedup", &input, "-o", &kept]) else {
        eprintln!("`script` is not installed: progress not checked");
        return;
    };
    for stage in ["fingerprint", "verify", "write"] {
        assert!(
            dedup.contains(stage),
            "dedup shows no {stage:?} progress: {dedup}"
        );
    }
    let build = stemma_in_terminal(&["index", "build", &input, "-o", &idx]).unwrap();
    assert!(
        build.contains("index "),
        "index build shows no progress: {build}"
    );
    stemma_ok(&["index", "remove", &idx, "d1"]);
    let compact = stemma_in_terminal(&["index", "compact", &idx]).unwrap();
    assert!(
        compact.contains("compact "),
        "index compact shows no progress: {compact}"
    );
}

/// Issue 16: an error shows its cause once (library messages no longer quote their source,
/// and main prints the chain without stripping repeats by substring).
#[test]
fn errors_print_their_cause_once() {
    let missing = std::env::temp_dir().join(format!("stemma-it-{}-missing", std::process::id()));
    let out = stemma(&["scan", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("cannot read (check that the path exists"),
        "{err}"
    );
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

/// Issue 15: `compare` and `dedup` take no index, so their help does not speak of one; dedup
/// does not offer `--stdin-text` (and refuses it), while scan's help keeps both.
#[test]
fn compare_and_dedup_help_say_only_what_applies() {
    for cmd in ["compare", "dedup"] {
        let help = String::from_utf8(stemma_ok(&[cmd, "--help"]).stdout).unwrap();
        assert!(
            !help.contains("with an index") && help.contains("[default: 0.8]"),
            "{cmd}: {help}"
        );
    }
    let dedup = String::from_utf8(stemma_ok(&["dedup", "--help"]).stdout).unwrap();
    assert!(!dedup.contains("--stdin-text"), "{dedup}");
    let scan = String::from_utf8(stemma_ok(&["scan", "--help"]).stdout).unwrap();
    assert!(scan.contains("with an index") && scan.contains("--stdin-text"));
    let dir = scratch("dedup-stdin-text");
    let out = dir.join("k.jsonl");
    let r = stemma_with_stdin(
        &["dedup", "-", "-o", out.to_str().unwrap(), "--stdin-text"],
        b"",
    );
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        r.status.code() == Some(2) && err.contains("--stdin-text does not apply"),
        "{err}"
    );
}
