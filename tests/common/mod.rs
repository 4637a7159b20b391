//! Helpers the integration tests share: running the built `stemma` binary, a fresh scratch
//! directory per test, deterministic pseudo-words. Each test crate uses some of them, so the
//! others are dead code there.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs the built `stemma` with `args` (colours off, so outputs are the same anywhere).
pub fn stemma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stemma"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run stemma")
}

/// Runs stemma with `input` on its standard input.
pub fn stemma_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stemma"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stemma");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait for stemma")
}

/// Runs stemma and asserts it succeeded, showing its standard error and output if not.
pub fn stemma_ok(args: &[&str]) -> Output {
    let out = stemma(args);
    assert!(
        out.status.success(),
        "stemma {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// [`stemma_ok`]'s standard output.
pub fn stemma_stdout(args: &[&str]) -> String {
    String::from_utf8(stemma_ok(args).stdout).expect("stdout is UTF-8")
}

/// A fresh, empty scratch directory for one test: `stemma-<test crate>-<pid>-<name>` in the
/// temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stemma-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Deterministic word soup: distinct pseudo-words from a seed.
pub fn words(seed: u64, n: usize) -> Vec<String> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let len = 3 + (z % 6) as usize;
            (0..len)
                .map(|i| (b'a' + ((z >> (i * 5 + 8)) % 26) as u8) as char)
                .collect()
        })
        .collect()
}
