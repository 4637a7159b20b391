use super::jsonl::for_each_jsonl_record;
use super::*;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("stemma-corpus-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn read(inputs: &[&Path]) -> Result<ReadReport> {
    read_with(inputs, &ReadOptions::default())
}

fn read_with(inputs: &[&Path], opts: &ReadOptions) -> Result<ReadReport> {
    let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.to_path_buf()).collect();
    read_inputs(&inputs, opts)
}

fn skip_bad() -> ReadOptions {
    ReadOptions {
        skip_bad: true,
        ..ReadOptions::default()
    }
}

fn ids(report: &ReadReport) -> Vec<&str> {
    report.documents.iter().map(|d| d.id.as_str()).collect()
}

#[test]
fn directory_walk_sorts_skips_and_uses_relative_ids() {
    let t = TempDir::new();
    t.write("sub/deeper/c.markdown", "c");
    t.write("sub/b.md", "b");
    t.write("a.txt", "a");
    t.write("a.b.txt", "ab");
    t.write("image.png", "\u{89}PNG");
    t.write("bin.txt", b"text\0more");
    t.write("feed.jsonl", "{\"id\":\"j1\",\"text\":\"j\"}\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&t.0, t.0.join("sub/loop")).unwrap();
    let r = read(&[&t.0]).unwrap();
    assert_eq!(
        ids(&r),
        [
            "a.b.txt",
            "a.txt",
            "j1",
            "sub/b.md",
            "sub/deeper/c.markdown"
        ]
    );
    assert_eq!((r.files_read, r.skipped_files), (5, 2));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("bin.txt") && w.contains("binary")));
    assert_eq!(
        r.documents[1].origin,
        Origin {
            path: t.0.join("a.txt"),
            line: None
        }
    );
    assert_eq!(
        r.documents[2].origin.to_string(),
        format!("{}:1", t.0.join("feed.jsonl").display())
    );
}

#[test]
fn explicit_files_are_text_with_the_path_as_id() {
    let t = TempDir::new();
    let plain = t.write("README", "\u{feff}hello");
    let nul = t.write("data.bin", b"a\0b");
    let empty = t.write("empty.txt", "");
    let r = read(&[&plain, &nul, &empty]).unwrap();
    assert_eq!(r.documents[0].id, plain.to_string_lossy());
    assert_eq!(r.documents[0].text, "hello", "BOM stripped");
    assert_eq!(r.documents[1].text, "a\0b");
    assert!(r.warnings[0].contains("data.bin") && r.warnings[0].contains("NUL"));
    assert!(r.warnings[1].contains("empty.txt: empty document"));
    let missing = read(&[&t.0.join("nope.txt")]).unwrap_err();
    assert!(matches!(missing, Error::Read { .. }) && missing.to_string().contains("nope.txt"));
}

#[test]
fn duplicate_id_names_both_places() {
    let t = TempDir::new();
    t.write("a.txt", "a");
    t.write("feed.jsonl", "\n{\"id\":\"a.txt\",\"text\":\"x\"}\n");
    let msg = read(&[&t.0]).unwrap_err().to_string();
    assert!(
        msg.contains(&t.0.join("a.txt").display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("{}:2", t.0.join("feed.jsonl").display())),
        "{msg}"
    );
}

#[test]
fn jsonl_metadata_number_id_crlf_and_blank_lines() {
    let t = TempDir::new();
    let p = t.write(
        "f.ndjson",
        "{\"id\":7,\"text\":\"h\u{e9}llo\",\"outlet\":\"AP\",\"url\":\"u\",\"title\":\"T\",\
         \"date\":\"2024-01-01\",\"lang\":\"en\",\"x\":[1]}\r\n\r\n  \t\n\
         {\"id\":\"b\",\"text\":\"x\",\"published_at\":\"2023\",\"date\":\"no\",\"outlet\":5,\"title\":null}",
    );
    let r = read(&[&p]).unwrap();
    assert_eq!(ids(&r), ["7", "b"]);
    let (a, b) = (&r.documents[0], &r.documents[1]);
    assert_eq!(a.text, "h\u{e9}llo");
    let meta = |o: &str, u: &str, t: &str, d: &str, l: &str| Meta {
        outlet: Some(o.into()),
        url: Some(u.into()),
        title: Some(t.into()),
        published_at: Some(d.into()),
        lang: Some(l.into()),
    };
    assert_eq!(a.meta, meta("AP", "u", "T", "2024-01-01", "en"));
    assert_eq!(b.meta.outlet.as_deref(), Some("5"));
    assert_eq!(
        (b.meta.title.as_deref(), b.meta.published_at.as_deref()),
        (None, Some("2023"))
    );
    assert_eq!(
        b.origin,
        Origin {
            path: p,
            line: Some(4)
        }
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn bad_records_fail_with_file_line_or_are_skipped() {
    let t = TempDir::new();
    let p = t.write(
        "feed.jsonl",
        b"{\"id\":1,\"text\":\"ok\"}\n{\"id\":2,\"text\":\n[1]\n{\"id\":3}\n\xff{}\n{\"text\":\"no id\"}\n",
    );
    let e = read(&[&p]).unwrap_err();
    assert!(matches!(e, Error::BadRecord { line: 2, .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("{}:2: invalid JSON", p.display())),
        "{e}"
    );
    let r = read_with(&[&p], &skip_bad()).unwrap();
    // A record without an id is not bad: its place is its id, said once.
    let placed = format!("{}:6", p.display());
    assert_eq!((ids(&r), r.bad_records), (vec!["1", placed.as_str()], 4));
    assert_eq!(r.warnings.len(), 5);
    assert!(
        r.warnings[2].contains(":4: field \"text\" is missing"),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings[3].contains("UTF-8") && r.warnings[4].contains("FILE:LINE"));

    let q = t.write("g.jsonl", "{\"id\":1,\"body\":\"b\"}\n");
    let msg = read(&[&q]).unwrap_err().to_string();
    assert!(
        msg.ends_with(
            ":1: field \"text\" is missing (the record has: body, id) (use --text-field to name it)"
        ) || msg.ends_with(
            ":1: field \"text\" is missing (the record has: id, body) (use --text-field to name it)"
        ),
        "{msg}"
    );
    let opts = ReadOptions {
        text_field: "body".into(),
        ..ReadOptions::default()
    };
    assert_eq!(read_with(&[&q], &opts).unwrap().documents[0].text, "b");
}

#[test]
fn gzip_and_zstd_round_trip_and_corrupt_streams_are_named() {
    let t = TempDir::new();
    let data = b"{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    let gz = gz.finish().unwrap();
    let g = t.write("x.jsonl.gz", &gz);
    let z = t.write(
        "y.ndjson.zst",
        zstd::stream::encode_all(&data[..], 3).unwrap().as_slice(),
    );
    let r = read(&[&g]).unwrap();
    assert_eq!(ids(&r), ["a", "b"]);
    let r = read(&[&z]).unwrap();
    assert_eq!(r.documents[1].text, "two");

    for (name, bytes) in [
        ("bad.jsonl.gz", &b"not gzip at all"[..]),
        ("cut.jsonl.gz", &gz[..gz.len() - 12]),
    ] {
        let e = read(&[&t.write(name, bytes)]).unwrap_err();
        assert!(
            matches!(e, Error::Decompress { format: "gzip", .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains(name), "{e}");
    }
    let e = read(&[&t.write("bad.jsonl.zst", "garbage garbage")]).unwrap_err();
    assert!(
        matches!(e, Error::Decompress { format: "zstd", .. }),
        "{e:?}"
    );
}

#[test]
fn invalid_utf8_text_file_is_decoded_lossily_with_a_warning() {
    let t = TempDir::new();
    let p = t.write("latin1.txt", b"\xEF\xBB\xBFok \xe9t\xe9");
    let r = read(&[&p]).unwrap();
    assert_eq!(r.documents[0].text, "ok \u{fffd}t\u{fffd}");
    assert!(
        r.warnings[0].contains("latin1.txt: invalid UTF-8 at byte offset 6"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn over_long_lines_are_rejected_or_skipped() {
    let t = TempDir::new();
    let long = format!(
        "{{\"id\":1,\"text\":\"{}\"}}\n{{\"id\":2,\"text\":\"ok\"}}\n",
        "x".repeat(1 << 20)
    );
    let p = t.write("long.jsonl", long);
    let opts = ReadOptions {
        max_line_bytes: 64,
        ..ReadOptions::default()
    };
    let e = read_with(&[&p], &opts).unwrap_err();
    assert!(
        e.to_string()
            .contains(":1: line is 1048594 bytes, longer than the limit of 64"),
        "{e}"
    );
    let r = read_inputs(
        &[p],
        &ReadOptions {
            skip_bad: true,
            ..opts
        },
    )
    .unwrap();
    assert_eq!((ids(&r), r.bad_records), (vec!["2"], 1));
}

#[test]
fn long_texts_are_truncated_at_a_char_boundary() {
    let t = TempDir::new();
    let txt = t.write("a.txt", "a\u{e9}\u{20ac}b");
    let jl = t.write("b.jsonl", "{\"id\":\"j\",\"text\":\"a\u{e9}\u{20ac}b\"}");
    let opts = ReadOptions {
        max_doc_bytes: 4,
        ..ReadOptions::default()
    };
    let r = read_with(&[&txt, &jl], &opts).unwrap();
    assert_eq!(r.documents[0].text, "a\u{e9}");
    assert_eq!(r.documents[1].text, "a\u{e9}");
    assert_eq!(r.truncated, 2);
    assert!(r.warnings.iter().all(|w| w.contains("--max-doc-bytes")));
}

#[test]
fn for_each_jsonl_record_yields_raw_lines_unchanged() {
    let t = TempDir::new();
    let lines = [
        "{ \"text\" : \"a\" ,  \"id\":1 }",
        "not json",
        "{\"id\":\"z\",\"text\":\"\\u00e9\"}",
    ];
    let p = t.write(
        "r.jsonl",
        format!("{}\r\n\n{}\n{}", lines[0], lines[1], lines[2]),
    );
    let mut seen = Vec::new();
    let stats = for_each_jsonl_record(&p, &skip_bad(), |line, raw, rec| {
        seen.push((
            line,
            raw.to_vec(),
            rec.map(|d| d.text).map_err(|e| e.to_string()),
        ));
        Ok(())
    })
    .unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen[0],
        (1, lines[0].as_bytes().to_vec(), Ok("a".to_string()))
    );
    assert_eq!((seen[1].0, seen[1].1.as_slice()), (3, lines[1].as_bytes()));
    assert!(seen[1]
        .2
        .as_ref()
        .unwrap_err()
        .contains("r.jsonl:3: invalid JSON"));
    assert_eq!(
        seen[2],
        (4, lines[2].as_bytes().to_vec(), Ok("\u{e9}".to_string()))
    );
    let expected = JsonlStats {
        lines: 4,
        blank_lines: 1,
        records: 2,
        bad_records: 1,
        ..stats.clone()
    };
    assert_eq!(stats, expected);
    assert_eq!(stats.warnings.len(), 1);
}

#[test]
fn warnings_are_capped() {
    let mut w = Warnings::default();
    (0..150).for_each(|i| w.push(i.to_string()));
    let list = w.finish();
    assert_eq!((list.len(), list[99].as_str()), (101, "99"));
    assert_eq!(list[100], "... and 50 more warnings");
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn any_bytes_never_panic_and_every_line_is_counted(
            parts in proptest::collection::vec((0u8..6, proptest::collection::vec(any::<u8>(), 0..40)), 0..24),
            trailing_newline: bool,
        ) {
            let mut bytes = Vec::new();
            for (i, (kind, junk)) in parts.iter().enumerate() {
                match kind {
                    0 => bytes.extend_from_slice(junk),
                    1 => bytes.extend_from_slice(format!("{{\"id\":\"r{i}\",\"text\":\"t\"}}").as_bytes()),
                    2 => {}
                    3 => bytes.extend_from_slice(b" \t\r"),
                    4 => bytes.extend_from_slice(b"{\"text\":1}"),
                    _ => bytes.extend_from_slice(format!("{{\"id\":{i},\"text\":\"x\"}}\r").as_bytes()),
                }
                if i + 1 < parts.len() || trailing_newline {
                    bytes.push(b'\n');
                }
            }
            let t = TempDir::new();
            let p = t.write("p.jsonl", &bytes);
            let r = read_with(&[&p], &skip_bad()).unwrap();
            let non_blank = bytes
                .split(|&b| b == b'\n')
                .filter(|l| l.iter().any(|b| !matches!(b, b' ' | b'\t' | b'\r')))
                .count() as u64;
            prop_assert_eq!(r.documents.len() as u64 + r.bad_records, non_blank);
        }
    }
}

/// Every record API sees the same lines: the parallel reader (batched, more than one batch
/// here) gives exactly what the serial one gives, and the raw-line pass the same lines and
/// bytes, over blank lines, CRLF, bad JSON, a missing field, a line over the limit and a text
/// over the size limit.
#[test]
fn parallel_and_raw_line_readers_agree_with_the_serial_reader() {
    let t = TempDir::new();
    let mut data = String::new();
    for i in 0..9000 {
        match i % 11 {
            0 => data.push_str("   \t\n"),
            1 => data.push_str("not json\n"),
            2 => data.push_str("{\"id\":\"x\"}\n"),
            3 => data.push_str(&format!(
                "{{\"id\":{i},\"text\":\"{}\"}}\n",
                "y".repeat(300)
            )),
            4 => data.push_str(&format!("{{\"id\":{i},\"text\":\"crlf {i}\"}}\r\n")),
            5 => data.push_str(&format!("{{\"id\":{i},\"text\":\"{}\"}}\n", "é".repeat(40))),
            _ => data.push_str(&format!("{{\"id\":{i},\"text\":\"doc {i}\"}}\n")),
        }
    }
    data.push_str("{\"id\":\"last\",\"text\":\"no newline\"}");
    let p = t.write("many.jsonl", &data);
    let mut opts = skip_bad();
    opts.max_line_bytes = 200;
    opts.max_doc_bytes = 50;
    type Seen = Vec<(u64, Vec<u8>, std::result::Result<String, String>)>;
    let mut serial: Seen = Vec::new();
    let serial_stats = for_each_jsonl_record(&p, &opts, |line, raw, rec| {
        let rec = rec.map(|d| format!("{} {} {:?}", d.id, d.text, d.origin));
        serial.push((line, raw.to_vec(), rec.map_err(|e| e.to_string())));
        Ok(())
    })
    .unwrap();
    let mut parallel: Seen = Vec::new();
    let map = |line: u64, d: Document| {
        assert_eq!(d.origin.line, Some(line));
        format!("{} {} {:?}", d.id, d.text, d.origin)
    };
    let parallel_stats = for_each_jsonl_par(&p, &opts, map, |at, raw, rec| {
        // The offset locates the raw bytes in the file (an over-long line has none).
        let start = at.offset as usize;
        assert_eq!(&data.as_bytes()[start..start + raw.len()], raw, "{at:?}");
        parallel.push((at.line, raw.to_vec(), rec.map_err(|e| e.to_string())));
        Ok(())
    })
    .unwrap();
    assert_eq!(parallel, serial);
    assert_eq!(parallel_stats, serial_stats);
    assert!(serial_stats.bad_records > 1000 && serial_stats.truncated > 500);
    let mut raw_lines = Vec::new();
    for_each_jsonl_line(&p, &opts, |line, raw| {
        raw_lines.push((line, raw.to_vec()));
        Ok(())
    })
    .unwrap();
    let want: Vec<(u64, Vec<u8>)> = serial.iter().map(|s| (s.0, s.1.clone())).collect();
    assert_eq!(raw_lines, want);
    // Without skip_bad the first bad record (line 2) ends both readers with the same error.
    opts.skip_bad = false;
    let e1 = for_each_jsonl_record(&p, &opts, |_, _, _| Ok(())).unwrap_err();
    let e2 = for_each_jsonl_par(&p, &opts, |_, d| d, |_, _, _| Ok(())).unwrap_err();
    assert_eq!(e1.to_string(), e2.to_string());
    assert!(e1.to_string().contains("many.jsonl:2"), "{e1}");
}

#[test]
fn repeated_ids_are_refused_renamed_or_skipped_and_roots_keep_ids_apart() {
    let t = TempDir::new();
    let p = t.write(
        "f.jsonl",
        "{\"id\":\"x\",\"text\":\"a\"}\n{\"id\":\"x#2\",\"text\":\"b\"}\n{\"id\":\"x\",\"text\":\"c\"}\n",
    );
    let e = read(&[&p]).unwrap_err();
    assert!(matches!(e, Error::DuplicateId { .. }), "{e:?}");
    assert!(e.to_string().contains("--on-duplicate-id"), "{e}");
    let with = |policy| ReadOptions {
        on_duplicate_id: policy,
        ..ReadOptions::default()
    };
    let r = read_with(&[&p], &with(OnDuplicateId::Rename)).unwrap();
    assert_eq!(ids(&r), ["x", "x#2", "x#3"]);
    assert_eq!((r.duplicate_ids, r.warnings.len()), (1, 1));
    let r = read_with(&[&p], &with(OnDuplicateId::KeepFirst)).unwrap();
    assert_eq!(ids(&r), ["x", "x#2"]);
    assert_eq!(r.documents[1].text, "b");
    // Two roots with the same relative path: prefixed by the root as given.
    t.write("d1/s.txt", "one");
    t.write("d2/s.txt", "two");
    let (d1, d2) = (t.0.join("d1"), t.0.join("d2"));
    let r = read(&[&d1, &d2]).unwrap();
    assert_eq!(
        ids(&r),
        [
            format!("{}/s.txt", d1.display()),
            format!("{}/s.txt", d2.display())
        ]
    );
    assert_eq!(ids(&read(&[&d1]).unwrap()), ["s.txt"]);
    assert_eq!(root_prefix(Path::new("./a/b/")).as_deref(), Some("a/b"));
    assert_eq!(root_prefix(Path::new(".")), None);
}
