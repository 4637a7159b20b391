//! Inputs that broke a reader, found by the cargo-fuzz targets under `fuzz/` or while writing
//! them, kept here so the normal test suite (and CI) checks them without a fuzzer. Each must
//! be an error naming the file, never a panic, a huge allocation or a read of another file.

use std::fs;
use std::path::PathBuf;

use stemma::config::FingerprintParams;
use stemma::corpus::Meta;
use stemma::fingerprint::Profiler;
use stemma::fuzzing::hash::hash_bytes;
use stemma::fuzzing::index::format::HEADER_LEN;
use stemma::fuzzing::index::segment::{encode, DocRecord, Segment};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stemma-fuzzreg-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// index_readers: in a segment without texts, the token count of a document sized the
/// placeholder token vector of `Segment::view` (u32::MAX tokens asked for 64 GiB). It must
/// agree with the stored shingle sequence.
#[test]
fn corrupt_token_count_is_an_error_not_a_huge_allocation() {
    let params = FingerprintParams::default();
    let profiler = Profiler::new(&params);
    let texts = ["one two three four five six seven", "a b"];
    let records: Vec<DocRecord> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| DocRecord::new(&format!("d{i}"), t, &Meta::default(), &profiler, false))
        .collect::<stemma::Result<_>>()
        .unwrap();
    let bytes = encode(&records, params.num_perm, 4, 4, false);
    // The section table's first entry (after the 24-byte body header) is the document table:
    // 48-byte records starting with the token count.
    let table = HEADER_LEN + 24;
    let off = u64::from_le_bytes(bytes[table..table + 8].try_into().unwrap()) as usize;
    let len = records.len() * 48;
    let dir = scratch("tokens");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("seg-000001.seg");
    for (doc, tokens) in [(0usize, u32::MAX), (0, 2), (1, 6), (1, 0)] {
        let mut bad = bytes.clone();
        bad[off + doc * 48..][..4].copy_from_slice(&tokens.to_le_bytes());
        let sum = hash_bytes(&bad[off..off + len], 0);
        bad[table + 16..table + 24].copy_from_slice(&sum.to_le_bytes());
        fs::write(&path, &bad).unwrap();
        let seg = Segment::open(&path).unwrap();
        let err = seg.view(doc as u32, &profiler).unwrap_err();
        assert!(err.to_string().contains("stored shingles"), "{err}");
        assert!(seg.view(1 - doc as u32, &profiler).is_ok());
    }
    // Untouched, both views have their real token counts (7; and 2, fewer than k).
    fs::write(&path, &bytes).unwrap();
    let seg = Segment::open(&path).unwrap();
    for (d, n) in [(0, 7), (1, 2)] {
        assert_eq!(seg.view(d, &profiler).unwrap().0.tokens.len(), n);
    }
    fs::remove_dir_all(&dir).unwrap();
}
