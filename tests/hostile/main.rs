//! The hostile-input suite: every command over nasty inputs generated here (NUL bytes, invalid
//! UTF-8, 10^6 repeats of one token, 100k tiny documents, one 10^7-token document, deeply nested
//! and enormous JSON values, duplicate ids, unreadable paths), checking exit codes, messages and
//! peak memory. Memory is the children's peak RSS from `getrusage(RUSAGE_CHILDREN)`, checked
//! against generous bounds stated per case (a regression to "load everything N times" trips
//! them; normal variation does not).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// Children are measured one at a time (RUSAGE_CHILDREN is per process).
static SERIAL: Mutex<()> = Mutex::new(());

struct Run {
    out: Output,
    /// Peak RSS of the largest child so far, in MiB.
    peak_mib: u64,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_stemma"))
        .args(args)
        .output()
        .expect("run stemma");
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    Run {
        out,
        peak_mib: (usage.ru_maxrss as u64) / 1024,
    }
}

fn stderr(r: &Run) -> String {
    String::from_utf8_lossy(&r.out.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stemma-hostile-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs scan, trace and (for JSONL) dedup on `input`; each must succeed with peak RSS under
/// `bound_mib`.
fn every_command_succeeds(dir: &Path, input: &Path, bound_mib: u64, extra: &[&str]) {
    let json = dir.join("out.json");
    let mut scan = vec!["scan", "--quiet", "--json", p(&json)];
    scan.extend_from_slice(extra);
    scan.push(p(input));
    let mut trace = vec!["trace", "--quiet", "--json", p(&json)];
    trace.extend_from_slice(extra);
    trace.push(p(input));
    let mut cases = vec![scan, trace];
    let kept = dir.join("kept.jsonl");
    if p(input).ends_with(".jsonl") {
        let mut dedup = vec!["dedup", "--quiet", p(input), "-o", p(&kept)];
        dedup.extend_from_slice(extra);
        cases.push(dedup);
    }
    for args in cases {
        let r = run(&args);
        assert!(r.out.status.success(), "{args:?}: {}", stderr(&r));
        eprintln!(
            "{args:?}: peak RSS so far {} MiB (bound {bound_mib} MiB)",
            r.peak_mib
        );
        assert!(
            r.peak_mib < bound_mib,
            "{args:?}: peak RSS {} MiB over the bound of {bound_mib} MiB",
            r.peak_mib
        );
    }
}

#[test]
fn nasty_text_files() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("text");
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    fs::write(
        corpus.join("nul.txt"),
        b"alpha\0beta\0\0gamma delta epsilon zeta eta theta",
    )
    .unwrap();
    fs::write(
        corpus.join("invalid.txt"),
        b"valid words \xff\xfe\xc3 then more words \xed\xa0\x80 end",
    )
    .unwrap();
    fs::write(corpus.join("repeat.txt"), "spam ".repeat(1_000_000)).unwrap();
    fs::write(corpus.join("repeat2.txt"), "spam ".repeat(999_999)).unwrap();
    fs::write(
        corpus.join("bidi.md"),
        "\u{202E}evil\u{202C} <script>alert(1)</script> \x1b[31mred\x1b[0m",
    )
    .unwrap();
    fs::write(corpus.join("longtoken.txt"), "x".repeat(5 << 20)).unwrap();
    every_command_succeeds(&dir, &corpus, 1024, &[]);
    // The two repeated documents are near-duplicates of each other.
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    assert!(json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["a"] == "repeat.txt" && p["b"] == "repeat2.txt"));
}

#[test]
fn one_ten_million_token_document() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("huge");
    let path = dir.join("big.txt");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    let mut g: u64 = 1;
    for _ in 0..10_000_000u64 {
        g = g
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        write!(f, "w{} ", (g >> 40) % 50_000).unwrap();
    }
    drop(f);
    every_command_succeeds(&dir, &path, 3072, &["--max-doc-bytes", "200000000"]);
}

#[test]
fn many_tiny_documents_and_odd_json() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("jsonl");
    let path = dir.join("tiny.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    for i in 0..100_000u32 {
        writeln!(
            f,
            "{{\"id\": \"t{i}\", \"text\": \"note {} of the day\"}}",
            i % 1000
        )
        .unwrap();
    }
    drop(f);
    every_command_succeeds(&dir, &path, 1536, &[]);

    // Deeply nested and enormous values: bad records with --skip-bad, never a crash.
    let odd = dir.join("odd.jsonl");
    let nested = format!(
        "{{\"id\": \"n\", \"text\": \"x\", \"meta\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let big_field = format!(
        "{{\"id\": \"b\", \"text\": \"short text here\", \"blob\": \"{}\"}}",
        "z".repeat(20 << 20)
    );
    fs::write(
        &odd,
        format!("{nested}\n{big_field}\n{{\"id\": \"ok\", \"text\": \"fine text\"}}\n"),
    )
    .unwrap();
    let r = run(&["scan", "--quiet", p(&odd)]);
    assert_eq!(r.out.status.code(), Some(2));
    assert!(stderr(&r).contains("odd.jsonl:1"), "{}", stderr(&r));
    let r = run(&["scan", "--quiet", "--skip-bad", p(&odd)]);
    assert!(r.out.status.success(), "{}", stderr(&r));
}

#[test]
fn errors_name_the_input() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("errors");
    // Duplicate ids across JSONL lines.
    let dup = dir.join("dup.jsonl");
    fs::write(
        &dup,
        "{\"id\": \"same\", \"text\": \"one two\"}\n{\"id\": \"same\", \"text\": \"three\"}\n",
    )
    .unwrap();
    for cmd in ["scan", "trace"] {
        let r = run(&[cmd, "--quiet", p(&dup)]);
        assert_eq!(r.out.status.code(), Some(2));
        let e = stderr(&r);
        assert!(
            e.contains("dup.jsonl:1") && e.contains("dup.jsonl:2"),
            "{e}"
        );
    }
    let kept = dir.join("kept.jsonl");
    let r = run(&["dedup", p(&dup), "-o", p(&kept)]);
    assert_eq!(r.out.status.code(), Some(2));
    assert!(stderr(&r).contains("dup.jsonl:2"), "{}", stderr(&r));
    assert!(!kept.exists(), "no output on error");
    // Unreadable paths: a dangling link and a missing file.
    let link = dir.join("dangling.txt");
    std::os::unix::fs::symlink("/nonexistent/stemma-target", &link).unwrap();
    for args in [
        vec!["scan", p(&link)],
        vec!["trace", p(&link)],
        vec!["compare", p(&link), p(&link)],
    ] {
        let r = run(&args);
        assert_eq!(r.out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&r).contains("dangling.txt"),
            "{args:?}: {}",
            stderr(&r)
        );
    }
    // Unknown flags and bad values are usage errors.
    let r = run(&["scan", "--threshold", "1.5", p(&dup)]);
    assert_eq!(r.out.status.code(), Some(2));
    assert!(stderr(&r).contains("--threshold"), "{}", stderr(&r));
    let r = run(&["scan", "--shingle", "words:0", p(&dup)]);
    assert_eq!(r.out.status.code(), Some(2));
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_the_old_output() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("fulldisk");
    let input = dir.join("in.jsonl");
    let mut lines = String::new();
    for i in 0..300 {
        lines.push_str(&format!(
            "{{\"id\": \"r{i}\", \"text\": \"record {i} with some words in it {}\"}}\n",
            "filler ".repeat(50)
        ));
    }
    fs::write(&input, &lines).unwrap();
    let bin = env!("CARGO_BIN_EXE_stemma");
    for (name, args) in [
        ("report.json", vec!["scan", "--quiet", "--json"]),
        ("report.html", vec!["trace", "--quiet", "--html"]),
        ("kept.jsonl", vec!["dedup", "--quiet", p(&input), "-o"]),
    ] {
        let out = dir.join(name);
        fs::write(&out, "old").unwrap();
        // A 4 KiB file-size limit stands in for a full disk.
        let mut cmd = format!("ulimit -f 4; '{bin}'");
        for a in &args {
            cmd.push_str(&format!(" '{a}'"));
        }
        cmd.push_str(&format!(" '{}'", p(&out)));
        if name != "kept.jsonl" {
            cmd.push_str(&format!(" '{}'", p(&input)));
        }
        let r = Command::new("bash").arg("-c").arg(&cmd).output().unwrap();
        assert_eq!(
            r.status.code(),
            Some(2),
            "{name}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.contains(name) && err.contains("cannot write"),
            "{name}: {err}"
        );
        assert_eq!(
            fs::read_to_string(&out).unwrap(),
            "old",
            "{name}: the old output must survive"
        );
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("stemma-tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "{name}: temporary files left: {leftovers:?}"
        );
    }
}
