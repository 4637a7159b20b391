//! Character shingles (`--shingle chars:K`) judge pairs as word shingles do: the run and passage
//! minimums count words' worth of characters, and the rewrite signal uses word bigrams, so
//! texts of one language that share nothing but the language are not related (issue 15, item 1).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{scratch, stemma_ok};

/// The related pairs of a `--pairs` file, as sorted (a, b, relation).
fn pairs(path: &Path) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("a"), s("b"), s("relation"))
        })
        .collect();
    out.sort();
    out
}

/// Eight English paragraphs on different subjects that share only what any two texts of the
/// language share (function words, common letters), plus a partial copy of the first.
fn corpus(dir: &Path) -> PathBuf {
    let texts = [
        "The harbour cranes worked through the night as three container ships waited offshore. \
         Dock workers said the backlog began when a storm closed the port for two days, and the \
         operator hired extra crews from the north to clear it before the holiday rush.",
        "Growers in the valley covered their apple trees with nets after forecasters warned of \
         a late frost. Most orchards lost blossoms last spring, and many families now depend on \
         a good harvest to repay loans taken out for new irrigation pipes.",
        "Curators at the old library have begun scanning medieval manuscripts, some so fragile \
         that a single page takes an hour. Scholars abroad will be able to read the documents \
         online by autumn, according to a volunteer who catalogues the maps.",
        "Season ticket prices rose sharply at the stadium, angering supporters who marched \
         outside the gates on Saturday. The club argued that wages for players had doubled, \
         while fans pointed to empty seats behind both goals during recent matches.",
        "Commuters faced long delays after signal cables were stolen near the central station. \
         Engineers replaced several kilometres of copper overnight, and police arrested two men \
         found with a van full of wire on a farm road east of town.",
        "Nurses at the regional hospital voted to accept a new contract that limits shifts to \
         twelve hours. Union leaders called it a modest victory; managers hope it will end \
         staff shortages that closed one ward for most of the winter.",
        "Pickers started at dawn in the hillside vineyards, racing to bring in grapes before \
         heavy rain arrives. Winemakers expect a small but excellent vintage, with sugar levels \
         higher than any year since the drought a decade ago.",
        "Astronomers measured the tail of a bright comet that passed close to the sun this week. \
         Amateur observers photographed it from rooftops, and experts believe it may split \
         apart within a month as its icy core warms and cracks.",
    ];
    let mut lines: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": format!("d{i}"), "text": t}).to_string())
        .collect();
    lines.push(
        serde_json::json!({
            "id": "copy",
            "text": format!("{} Separately, the council met on Tuesday to discuss the budget for roads, schools and parks, and agreed to meet again next month after residents asked for more buses.", texts[0])
        })
        .to_string(),
    );
    let path = dir.join("docs.jsonl");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn character_shingles_relate_the_copy_and_nothing_else() {
    let dir = scratch("corpus");
    let docs = corpus(&dir);
    let docs = docs.to_str().unwrap();
    for shingle in ["words:5", "chars:7"] {
        let out = dir.join(format!("{}.jsonl", shingle.replace(':', "-")));
        stemma_ok(&[
            "scan",
            docs,
            "--shingle",
            shingle,
            "--pairs",
            out.to_str().unwrap(),
            "-q",
        ]);
        let found = pairs(&out);
        assert_eq!(
            found
                .iter()
                .map(|p| (&p.0[..], &p.1[..]))
                .collect::<Vec<_>>(),
            vec![("copy", "d0")],
            "{shingle}: {found:?}"
        );
    }
}

#[test]
fn character_shingles_on_the_seeds_find_the_word_shingle_family() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let dir = scratch("seeds");
    let mut families = Vec::new();
    for shingle in ["words:5", "chars:7"] {
        let json = dir.join(format!("{}.json", shingle.replace(':', "-")));
        stemma_ok(&[
            "scan",
            seeds.to_str().unwrap(),
            "--shingle",
            shingle,
            "--json",
            json.to_str().unwrap(),
            "-q",
        ]);
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
        let fams: Vec<Vec<String>> = v["families"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let mut m: Vec<String> = f["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap().to_string())
                    .collect();
                m.sort();
                m
            })
            .collect();
        families.push(fams);
    }
    // The two English texts (a translation and a different report) stay out with either unit.
    assert_eq!(families[0], families[1]);
    assert_eq!(families[1].len(), 1, "{:?}", families[1]);
    assert!(families[1][0]
        .iter()
        .all(|m| !m.starts_with("000") && !m.starts_with("001")));
}

#[test]
fn a_text_free_character_index_answers_as_scan_does() {
    let dir = scratch("index");
    let docs = corpus(&dir);
    let idx = dir.join("idx");
    stemma_ok(&[
        "index",
        "build",
        docs.to_str().unwrap(),
        "--no-text",
        "--shingle",
        "chars:7",
        "-o",
        idx.to_str().unwrap(),
    ]);
    // The copy again, under a new id, against the index of all nine: related to d0 and copy only.
    let text = fs::read_to_string(&docs).unwrap();
    let copy_line = text
        .lines()
        .last()
        .unwrap()
        .replace("\"copy\"", "\"again\"");
    let query = dir.join("q.jsonl");
    fs::write(&query, copy_line + "\n").unwrap();
    let out = stemma_ok(&[
        "query",
        idx.to_str().unwrap(),
        query.to_str().unwrap(),
        "--json",
        "-",
    ]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut matched: Vec<String> = stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["indexed"].as_str().unwrap().to_string()
        })
        .collect();
    matched.sort();
    assert_eq!(matched, vec!["copy", "d0"], "{stdout}");
}

/// Strips `word_bigrams` from an index's manifest, as an earlier stemma wrote it.
fn as_written_before_word_bigrams(idx: &Path) {
    use stemma::fuzzing::index::format::{frame, MAGIC_MANIFEST};
    let path = idx.join(stemma::fuzzing::index::MANIFEST);
    let manifest =
        stemma::fuzzing::index::decode_manifest(&path, &fs::read(&path).unwrap()).unwrap();
    assert!(manifest.word_bigrams, "a new index records word bigrams");
    let mut json = serde_json::to_value(&manifest).unwrap();
    json.as_object_mut().unwrap().remove("word_bigrams");
    fs::write(
        &path,
        frame(MAGIC_MANIFEST, &serde_json::to_vec(&json).unwrap()),
    )
    .unwrap();
}

#[test]
fn an_older_character_index_is_refused_and_an_older_word_index_still_opens() {
    let dir = scratch("older");
    let docs = corpus(&dir);
    for (shingle, refused) in [("chars:7", true), ("words:5", false)] {
        let idx = dir.join(shingle.replace(':', "-"));
        stemma_ok(&[
            "index",
            "build",
            docs.to_str().unwrap(),
            "--shingle",
            shingle,
            "-o",
            idx.to_str().unwrap(),
        ]);
        as_written_before_word_bigrams(&idx);
        let out = Command::new(env!("CARGO_BIN_EXE_stemma"))
            .args(["query", idx.to_str().unwrap(), docs.to_str().unwrap(), "-q"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if refused {
            assert!(!out.status.success(), "{shingle}: refused");
            assert!(
                stderr.contains("bigrams of characters") && stderr.contains("stemma index build"),
                "{shingle}: the error says what and what to do: {stderr}"
            );
        } else {
            assert!(out.status.success(), "{shingle}: {stderr}");
        }
    }
}
