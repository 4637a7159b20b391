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
    // One text larger than every buffer of a small budget: it goes to the temporary file, and
    // its pair blocks hold it alone.
    let temp = dir.join("tmp");
    fs::create_dir_all(&temp).unwrap();
    for cmd in ["scan", "trace"] {
        let r = run(&[
            cmd,
            "--quiet",
            "--max-doc-bytes",
            "200000000",
            "--memory",
            "16",
            "--temp-dir",
            p(&temp),
            p(&path),
        ]);
        assert!(r.out.status.success(), "{cmd}: {}", stderr(&r));
        assert!(r.peak_mib < 3072, "{cmd}: peak RSS {} MiB", r.peak_mib);
    }
    assert_eq!(
        fs::read_dir(&temp).unwrap().count(),
        0,
        "temporary files left"
    );
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

#[test]
fn a_full_temporary_directory_is_a_clear_error_and_leaves_the_old_output() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("fulltemp");
    // About 6 MB of text: more than a buffer holds with --memory 16, so the texts must go to
    // the temporary directory, where a 4 KiB file-size limit stands in for a full disk.
    let input = dir.join("in.jsonl");
    let mut lines = String::new();
    for i in 0..600 {
        let words: Vec<String> = (0..1500)
            .map(|j| format!("w{}", (i * 7919 + j * 31) % 5003))
            .collect();
        lines.push_str(&format!(
            "{{\"id\": \"r{i}\", \"text\": \"{}\"}}\n",
            words.join(" ")
        ));
    }
    fs::write(&input, &lines).unwrap();
    let temp = dir.join("tmp");
    fs::create_dir_all(&temp).unwrap();
    let out = dir.join("report.json");
    fs::write(&out, "old").unwrap();
    let bin = env!("CARGO_BIN_EXE_stemma");
    for cmd in ["scan", "trace"] {
        let line = format!(
            "ulimit -f 4; '{bin}' {cmd} --quiet --memory 16 --temp-dir '{}' --json '{}' '{}'",
            p(&temp),
            p(&out),
            p(&input)
        );
        let r = Command::new("bash").arg("-c").arg(&line).output().unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains(p(&temp)) && err.contains("--temp-dir"),
            "{cmd}: the message names the directory and the way out: {err}"
        );
        assert_eq!(fs::read_to_string(&out).unwrap(), "old", "{cmd}");
        assert_eq!(fs::read_dir(&temp).unwrap().count(), 0, "{cmd}: files left");
    }
}

/// Names of files in `dir` that a run may only leave behind temporarily.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stemma-tmp") || n.contains(".tmp-") || n == "LOCK")
        .collect()
}

/// Starts stemma with `args`, waits until `ready(dir)` holds (a temporary file exists, so the
/// run is writing) or a time has passed, and sends SIGINT. Returns the exit code and stderr.
fn interrupt(
    args: &[&str],
    watch: &Path,
    after: std::time::Duration,
) -> (Option<i32>, String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stemma"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run stemma");
    let start = std::time::Instant::now();
    let mut writing = false;
    while start.elapsed() < after {
        if !leftovers(watch).is_empty() {
            writing = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    // SAFETY: kill only sends a signal to our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    // Killed by the signal itself: it came before the program installed its handler (nothing
    // written yet); counted as an interrupted run.
    use std::os::unix::process::ExitStatusExt;
    let mut err = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = match out.status.signal() {
        Some(libc::SIGINT) => {
            err.push_str("interrupted before the handler was installed");
            Some(130)
        }
        _ => out.status.code(),
    };
    (code, err, writing)
}

/// Ctrl-C during `dedup` or `index add` leaves the previous output or index as it was and no
/// temporary file or lock; a run that finished before the signal left the complete output.
#[test]
fn ctrl_c_leaves_the_previous_state_and_no_temporary_files() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("ctrl-c");
    let input = dir.join("in.jsonl");
    let mut lines = String::new();
    for i in 0..40_000 {
        lines.push_str(&format!(
            "{{\"id\": \"r{i:06}\", \"text\": \"record {i} says {} and then {}\"}}\n",
            i % 977,
            "some words ".repeat(20 + i % 7)
        ));
    }
    fs::write(&input, &lines).unwrap();
    let out = dir.join("kept.jsonl");
    // The complete output, for runs that finish before the signal.
    let full = run(&["dedup", "--quiet", p(&input), "-o", p(&out)]);
    assert!(full.out.status.success(), "{}", stderr(&full));
    let complete = fs::read(&out).unwrap();
    let (mut interrupted, mut while_writing) = (0, 0);
    for delay_ms in [0u64, 30, 100, 300, 1000, 100_000] {
        fs::write(&out, "old").unwrap();
        let (code, err, writing) = interrupt(
            &["dedup", "--quiet", p(&input), "-o", p(&out)],
            &dir,
            std::time::Duration::from_millis(delay_ms),
        );
        match code {
            Some(130) => {
                interrupted += 1;
                while_writing += usize::from(writing);
                assert!(err.contains("interrupted"), "{err}");
                assert_eq!(
                    fs::read(&out).unwrap(),
                    b"old",
                    "the old output must survive"
                );
            }
            Some(0) => assert_eq!(fs::read(&out).unwrap(), complete),
            other => panic!("dedup exited with {other:?}: {err}"),
        }
        assert!(
            leftovers(&dir).is_empty(),
            "left behind: {:?}",
            leftovers(&dir)
        );
    }
    assert!(
        interrupted > 0 && while_writing > 0,
        "no run was interrupted while writing"
    );

    // index add: the index keeps its documents (or gains all the new ones), opens, verifies.
    let idx = dir.join("idx");
    let first = dir.join("first.jsonl");
    fs::write(
        &first,
        lines.lines().take(100).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let rest = dir.join("rest.jsonl");
    fs::write(
        &rest,
        lines.lines().skip(100).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let built = run(&["index", "build", p(&first), "-o", p(&idx)]);
    assert!(built.out.status.success(), "{}", stderr(&built));
    let mut interrupted = 0;
    for delay_ms in [0u64, 50, 200, 100_000] {
        let (code, err, _) = interrupt(
            &["index", "add", p(&idx), p(&rest)],
            &idx,
            std::time::Duration::from_millis(delay_ms),
        );
        let verify = run(&["index", "verify", p(&idx)]);
        assert!(verify.out.status.success(), "{}", stderr(&verify));
        let stats =
            String::from_utf8_lossy(&run(&["index", "stats", p(&idx)]).out.stdout).into_owned();
        assert!(
            leftovers(&idx).is_empty(),
            "left behind: {:?}",
            leftovers(&idx)
        );
        match code {
            Some(130) => {
                interrupted += 1;
                assert!(err.contains("interrupted"), "{err}");
                assert!(stats.contains(": 100 documents"), "{stats}");
            }
            Some(0) => {
                assert!(stats.contains(": 40000 documents"), "{stats}");
                break; // everything is in; another add would be refused (ids taken)
            }
            other => panic!("index add exited with {other:?}: {err}"),
        }
    }
    assert!(interrupted > 0, "no index add was interrupted");
    fs::remove_dir_all(&dir).unwrap();
}
