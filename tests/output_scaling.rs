//! Human output that scales (issue 15, item 10): the text summary lists the largest families
//! first up to `--top N` and counts the rest, `--all` lists everything, documents in no family
//! are counted (listed only when there are few); the HTML report has an index of the families
//! by size with a filter and shows only the largest families open.
//!
//! Drives the built binary on a corpus generated here: 30 families of 2 to 5 documents (a story
//! and lightly edited copies) and 15 documents related to nothing.

use std::fs;
use std::path::Path;

mod common;
use common::{scratch, stemma, stemma_stdout as stemma_ok};

/// SplitMix64: the same corpus on every machine.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A made-up word of 2 or 3 syllables (about 10^4 distinct words, so two texts share
    /// almost no 5-word run by chance).
    fn word(&mut self) -> String {
        const SYL: [&str; 24] = [
            "ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "da", "go", "hu", "ji",
            "ke", "ba", "fi", "mo", "nu", "ra", "se", "ti", "wu", "ye",
        ];
        let n = 2 + (self.next() % 2) as usize;
        (0..n)
            .map(|_| SYL[(self.next() % SYL.len() as u64) as usize])
            .collect()
    }
    fn text(&mut self, words: usize) -> Vec<String> {
        (0..words).map(|_| self.word()).collect()
    }
}

const FAMILIES: usize = 30;
const ALONE: usize = 15;

/// Family k (k = 0..30) has 2 + k % 4 members: `fKK-0.txt` and its copies `fKK-1.txt`, ...,
/// each with one word changed. Then `solo-JJ.txt`, related to nothing.
fn corpus(dir: &Path) {
    let mut g = Gen(15_10);
    for k in 0..FAMILIES {
        let story = g.text(80);
        for c in 0..2 + k % 4 {
            let mut words = story.clone();
            if c > 0 {
                words[10 * c] = format!("edit{c}");
            }
            fs::write(dir.join(format!("f{k:02}-{c}.txt")), words.join(" ")).unwrap();
        }
    }
    for j in 0..ALONE {
        fs::write(dir.join(format!("solo-{j:02}.txt")), g.text(80).join(" ")).unwrap();
    }
}

/// The "family F.. (N documents)" headers of a summary, in order: (family, size).
fn family_headers(summary: &str) -> Vec<(String, usize)> {
    summary
        .lines()
        .filter(|l| !l.starts_with("family sizes:"))
        .filter_map(|l| l.strip_prefix("family "))
        .map(|l| {
            let (f, rest) = l.split_once(" (").unwrap();
            let n = rest.split(' ').next().unwrap().parse().unwrap();
            (f.to_string(), n)
        })
        .collect()
}

#[test]
fn summary_lists_the_largest_families_up_to_top_and_counts_the_rest() {
    let dir = scratch("top");
    corpus(&dir);
    let d = dir.display().to_string();

    let all = stemma_ok(&["scan", &d, "--all"]);
    let every = family_headers(&all);
    assert_eq!(every.len(), FAMILIES, "{all}");
    assert!(!all.contains("more famil"), "{all}");
    for j in 0..ALONE {
        assert!(
            all.contains(&format!("\n  solo-{j:02}.txt\n")),
            "--all lists solo-{j:02}"
        );
    }
    // Largest first.
    let sizes: Vec<usize> = every.iter().map(|f| f.1).collect();
    let mut sorted = sizes.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sizes, sorted);
    assert_eq!(sizes[0], 5);

    let top = stemma_ok(&["scan", &d, "--top", "5"]);
    let listed = family_headers(&top);
    assert_eq!(listed, every[..5].to_vec(), "{top}");
    assert!(
        top.contains("… and 25 more families") && top.contains("--all shows everything"),
        "{top}"
    );
    assert!(
        top.contains("\nin no family: 15 documents (--all lists them)\n"),
        "{top}"
    );
    assert!(
        !top.contains("solo-"),
        "documents in no family are counted, not listed"
    );
    let documents: usize = (0..FAMILIES).map(|k| 2 + k % 4).sum::<usize>() + ALONE;
    assert!(
        top.starts_with(&format!("stemma scan: {documents} documents, ")),
        "{top}"
    );

    let default = stemma_ok(&["scan", &d]);
    assert_eq!(family_headers(&default), every[..20].to_vec());
    assert!(default.contains("… and 10 more families"), "{default}");
    assert!(default.lines().count() < all.lines().count());

    let out = stemma(&["scan", &d, "--top", "3", "--all"]);
    assert_eq!(out.status.code(), Some(2), "--top and --all conflict");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn trace_takes_the_same_limits() {
    let dir = scratch("trace-top");
    corpus(&dir);
    let d = dir.display().to_string();
    let all = stemma_ok(&["trace", &d, "--all"]);
    let every = family_headers(&all);
    assert_eq!(every.len(), FAMILIES, "{all}");
    let top = stemma_ok(&["trace", &d, "--top", "4"]);
    assert_eq!(family_headers(&top), every[..4].to_vec(), "{top}");
    assert!(top.contains("… and 26 more families"), "{top}");
    let out = stemma(&["trace", &d, "--top", "3", "--all"]);
    assert_eq!(out.status.code(), Some(2), "--top and --all conflict");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn few_documents_in_no_family_are_still_listed() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let out = stemma_ok(&["scan", &seeds.display().to_string()]);
    assert!(out.contains(
        "\nin no family: 2 documents\n  000_feda9039ef98819a.txt\n  001_a69881127f8cf709.txt\n"
    ));
    assert!(!out.contains("more famil"));
}

#[test]
fn html_has_an_index_by_size_a_filter_and_closed_sections_beyond_the_largest() {
    let dir = scratch("html");
    let corpus_dir = dir.join("corpus");
    fs::create_dir_all(&corpus_dir).unwrap();
    corpus(&corpus_dir);
    let page = dir.join("report.html");
    stemma_ok(&[
        "scan",
        &corpus_dir.display().to_string(),
        "-q",
        "--html",
        &page.display().to_string(),
    ]);
    let html = fs::read_to_string(&page).unwrap();
    let index = &html[html.find("<table id=\"families\">").expect("an index")..];
    let index = &index[..index.find("</table>").unwrap()];
    let rows: Vec<&str> = index.split("<tr data-ids=").skip(1).collect();
    assert_eq!(rows.len(), FAMILIES);
    // Rows by size: the documents column never grows.
    let sizes: Vec<usize> = rows
        .iter()
        .map(|r| {
            r.split("<td class=\"n\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert_eq!(sizes[0], 5);
    // The filter box, its script allowed by hash, and the largest 20 sections open.
    assert!(html.contains("<input type=\"search\" id=\"filter\""));
    assert_eq!(html.matches("<script>").count(), 1);
    assert!(html.contains("script-src 'sha256-"));
    let sections = html.matches("<details class=\"family\"").count();
    let open = html.matches(" open>\n<summary><h2>Family").count();
    assert_eq!(sections, FAMILIES);
    assert_eq!(open, 20, "the 20 largest families are open");
    // Documents in no family, and each family section, are reachable from the page.
    assert!(html.contains("<section id=\"alone\">"));
    for k in 0..FAMILIES {
        assert!(html.contains(&format!("f{k:02}-0.txt")));
    }
    let _ = fs::remove_dir_all(&dir);
}
