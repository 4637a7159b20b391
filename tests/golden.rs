//! Golden snapshots of every human and machine rendering: the text summary, the JSON report,
//! Markdown, HTML and DOT of `scan` and `trace`, on `seeds/` and on a small corpus generated
//! here (a wire story with an edited copy, a partial copy and a duplicate; a Vietnamese agency
//! story with a credited copy and a rewrite; documents related to nothing), so that cues,
//! stemmas and every relation kind appear.
//!
//! They guard refactors of the renderers: a change to any output shows up as a snapshot diff.
//! The snapshots live in `tests/snapshots/`. After a deliberate change, regenerate them with
//!
//! ```text
//! INSTA_UPDATE=always cargo test --test golden     # or: cargo insta review
//! ```
//!
//! and review the diff before committing. The crate version and the scratch directory are
//! redacted (`[VERSION]`, `[DIR]`) so the snapshots do not change with a release or a machine.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{scratch, stemma_stdout as stemma_ok};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// `s` with what changes between machines and releases replaced by placeholders.
fn redact(s: &str, dirs: &[&Path]) -> String {
    let mut s = s.to_string();
    for d in dirs {
        s = s.replace(&d.display().to_string(), "[DIR]");
    }
    let v = env!("CARGO_PKG_VERSION");
    for (from, to) in [
        (
            format!("\"stemma_version\":\"{v}\""),
            "\"stemma_version\":\"[VERSION]\"".to_string(),
        ),
        (
            format!("\"stemma_version\": \"{v}\""),
            "\"stemma_version\": \"[VERSION]\"".to_string(),
        ),
        (format!("stemma {v}"), "stemma [VERSION]".to_string()),
    ] {
        s = s.replace(&from, &to);
    }
    s
}

/// A small deterministic generator (SplitMix64) so the corpus is the same on every machine.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }
    /// `n` words in sentences of 8 to 15 words.
    fn text(&mut self, words: &[&str], n: usize) -> Vec<String> {
        let mut out = Vec::with_capacity(n);
        let mut left_in_sentence = 0;
        for i in 0..n {
            let mut w = self.pick(words).to_string();
            if left_in_sentence == 0 {
                left_in_sentence = 8 + (self.next() % 8) as usize;
                let mut c = w.chars();
                w = c
                    .next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default();
            }
            left_in_sentence -= 1;
            if left_in_sentence == 0 || i + 1 == n {
                w.push('.');
            }
            out.push(w);
        }
        out
    }
}

const EN: &[&str] = &[
    "the",
    "ministry",
    "said",
    "on",
    "a",
    "new",
    "plan",
    "for",
    "trade",
    "talks",
    "between",
    "two",
    "countries",
    "officials",
    "will",
    "meet",
    "next",
    "week",
    "in",
    "capital",
    "to",
    "discuss",
    "tariffs",
    "steel",
    "exports",
    "grain",
    "prices",
    "rose",
    "sharply",
    "after",
    "storm",
    "damaged",
    "harbour",
    "port",
    "workers",
    "union",
    "strike",
    "ended",
    "late",
    "agreement",
    "government",
    "spokesman",
    "told",
    "reporters",
    "that",
    "economy",
    "grew",
    "quarter",
    "central",
    "bank",
    "kept",
    "interest",
    "rates",
    "unchanged",
    "while",
    "inflation",
    "eased",
    "analysts",
    "expect",
    "growth",
    "slow",
    "year",
    "council",
    "approved",
    "budget",
    "river",
    "bridge",
    "repairs",
    "farmers",
    "protested",
    "outside",
    "parliament",
    "minister",
    "promised",
    "support",
    "coal",
    "mine",
    "closed",
    "company",
    "shares",
    "fell",
    "percent",
];

const VI: &[&str] = &[
    "chính",
    "phủ",
    "đã",
    "quyết",
    "định",
    "tăng",
    "cường",
    "hợp",
    "tác",
    "kinh",
    "tế",
    "với",
    "các",
    "đối",
    "tác",
    "quốc",
    "tế",
    "trong",
    "năm",
    "nay",
    "bộ",
    "trưởng",
    "cho",
    "biết",
    "ngành",
    "nông",
    "nghiệp",
    "xuất",
    "khẩu",
    "gạo",
    "cà",
    "phê",
    "thủy",
    "sản",
    "đạt",
    "kết",
    "quả",
    "tích",
    "cực",
    "người",
    "dân",
    "miền",
    "trung",
    "bị",
    "ảnh",
    "hưởng",
    "bởi",
    "bão",
    "lũ",
    "thành",
    "phố",
    "xây",
    "dựng",
    "cầu",
    "đường",
    "mới",
    "doanh",
    "nghiệp",
    "vốn",
    "đầu",
    "tư",
    "nước",
    "ngoài",
    "hội",
    "nghị",
    "thảo",
    "luận",
    "kế",
    "hoạch",
    "phát",
    "triển",
];

/// `words` with every `every`-th word (from `from`) replaced by `with`.
fn edit(words: &[String], every: usize, from: usize, with: &str) -> Vec<String> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i >= from && (i - from) % every == 0 {
                with.to_string()
            } else {
                w.clone()
            }
        })
        .collect()
}

fn join(words: &[String]) -> String {
    words.join(" ")
}

/// Writes the generated corpus into `dir` (file names are the document ids).
fn generated_corpus(dir: &Path) {
    let mut g = Gen(20261207);
    let wire = g.text(EN, 160);
    let own = g.text(EN, 90);
    let vn = g.text(VI, 160);
    let vn_own = g.text(VI, 80);
    let lonely_en = g.text(EN, 70);
    let lonely_vi = g.text(VI, 60);
    let files = [
        (
            "01-wire.txt",
            format!(
                "LONDON, March 3 (Reuters) - {}\n\n(Reporting by Anna Berg; Editing by Tom Hale)",
                join(&wire)
            ),
        ),
        (
            "02-daily-copy.txt",
            format!(
                "By Mary Jones\nMarch 4, 2026\n\n{}\n\nSource: Reuters",
                join(&edit(&wire, 17, 9, "reportedly"))
            ),
        ),
        (
            "03-partial.txt",
            format!(
                "{}\n\n{}\n\nPhoto: Reuters/Anna Berg",
                join(&own),
                join(&wire[..90])
            ),
        ),
        ("04-wire-duplicate.txt", {
            format!(
                "LONDON, March 3 (Reuters) - {}\n\n(Reporting by Anna Berg; Editing by Tom Hale)",
                join(&wire)
            )
        }),
        (
            "05-ttxvn.txt",
            format!("Hà Nội, 21/2 (TTXVN) - {}\n\nẢnh: TTXVN", join(&vn)),
        ),
        (
            "06-bao-copy.txt",
            format!(
                "Theo TTXVN, {}\n\nCập nhật ngày 22/2/2026",
                join(&edit(&vn, 19, 11, "nhanh"))
            ),
        ),
        (
            "07-bao-rewrite.txt",
            format!(
                "(PLO) - {}\n\n{}\n\nẢnh: TTXVN",
                join(&vn[40..120]),
                join(&vn_own)
            ),
        ),
        ("08-lonely.txt", join(&lonely_en)),
        ("09-lonely-vi.txt", join(&lonely_vi)),
    ];
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
}

/// Runs `command` on `input` with every report written into `out`, and snapshots the
/// summary and each report under `name-...`.
fn snapshot_all(name: &str, command: &str, input: &Path, out: &Path) -> String {
    let file = |ext: &str| out.join(format!("{command}.{ext}")).display().to_string();
    let (json, md, html, dot) = (file("json"), file("md"), file("html"), file("dot"));
    let input_s = input.display().to_string();
    let summary = stemma_ok(&[
        command,
        &input_s,
        "--json",
        &json,
        "--markdown",
        &md,
        "--html",
        &html,
        "--dot",
        &dot,
    ]);
    let dirs = [input, out];
    insta::assert_snapshot!(format!("{name}-{command}-summary"), redact(&summary, &dirs));
    for (ext, path) in [("json", &json), ("md", &md), ("html", &html), ("dot", &dot)] {
        let body = fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(format!("{name}-{command}-{ext}"), redact(&body, &dirs));
    }
    summary
}

#[test]
fn seeds_scan() {
    let out = scratch("seeds-scan");
    let summary = snapshot_all("seeds", "scan", &seeds(), &out);
    // The plain summary (no outputs requested) is the same text.
    let plain = stemma_ok(&["scan", &seeds().display().to_string()]);
    assert_eq!(plain, summary);
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn seeds_trace() {
    let out = scratch("seeds-trace");
    let _ = snapshot_all("seeds", "trace", &seeds(), &out);
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn generated_scan_and_trace() {
    let dir = scratch("generated");
    let corpus = dir.join("corpus");
    let out = dir.join("out");
    fs::create_dir_all(&corpus).unwrap();
    fs::create_dir_all(&out).unwrap();
    generated_corpus(&corpus);
    let _ = snapshot_all("generated", "scan", &corpus, &out);
    let _ = snapshot_all("generated", "trace", &corpus, &out);
    let _ = fs::remove_dir_all(&dir);
}
