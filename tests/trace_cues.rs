//! `trace --cues FILE`: one JSON line per document, family member or not, with the cues found
//! in its text, their character spans and the agency they resolve to (issue 15, item 11).

use std::fs;
use std::process::Command;

#[test]
fn every_document_gets_a_cues_line_with_spans_and_agencies() {
    let dir = std::env::temp_dir().join(format!("stemma-cues-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    // A lone wire story (no family), a document with no cue at all, and a story and its copy.
    let story = "Ministers agreed on Tuesday to build a second bridge across the river, \
                 officials said, after two years of talks about the cost of the project and \
                 the tolls drivers would pay once it opens to traffic in the spring.";
    let docs = [
        serde_json::json!({"id": "lone", "text": "LONDON, March 3 (Reuters) - Dockers in the northern port walked out over pay, a union leader said, leaving ships waiting offshore. Ảnh: TTXVN"}),
        serde_json::json!({"id": "plain", "text": "a note without any credit, date or byline at all"}),
        serde_json::json!({"id": "story", "text": story}),
        serde_json::json!({"id": "copy", "text": format!("{story} Theo TTXVN")}),
    ];
    let input = dir.join("docs.jsonl");
    let lines: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    fs::write(&input, lines.join("\n") + "\n").unwrap();
    let cues = dir.join("cues.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_stemma"))
        .args(["trace", input.to_str().unwrap(), "-q", "--cues"])
        .arg(&cues)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<serde_json::Value> = fs::read_to_string(&cues)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = got.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let mut want = vec!["copy", "lone", "plain", "story"];
    want.sort();
    assert_eq!(ids, want, "one line per document, in id order");
    let text_of = |id: &str| {
        docs.iter().find(|d| d["id"] == id).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for line in &got {
        let text: Vec<char> = text_of(line["id"].as_str().unwrap()).chars().collect();
        for cue in line["cues"].as_array().unwrap() {
            let (s, e) = (
                cue["span"]["start"].as_u64().unwrap() as usize,
                cue["span"]["end"].as_u64().unwrap() as usize,
            );
            let found: String = text[s..e].iter().collect();
            assert_eq!(found, cue["text"].as_str().unwrap(), "span of {cue}");
        }
    }
    let lone = &got[ids.iter().position(|&i| i == "lone").unwrap()]["cues"];
    let kinds: Vec<(&str, Option<&str>)> = lone
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["source"].as_str()))
        .collect();
    assert!(
        kinds.contains(&("credit", Some("Reuters"))),
        "the lone document's wire credit resolves to Reuters: {kinds:?}"
    );
    assert!(
        kinds.iter().any(|k| k.0 == "photo-credit"),
        "and its photo credit is found: {kinds:?}"
    );
    let plain = &got[ids.iter().position(|&i| i == "plain").unwrap()]["cues"];
    assert_eq!(plain.as_array().unwrap().len(), 0);
    let copy = &got[ids.iter().position(|&i| i == "copy").unwrap()]["cues"];
    assert!(
        copy.as_array()
            .unwrap()
            .iter()
            .any(|c| c["source"] == "VNA"),
        "{copy}"
    );
    let _ = fs::remove_dir_all(&dir);
}
