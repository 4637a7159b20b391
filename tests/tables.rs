//! Issue 15 item 9: CSV/TSV and Parquet inputs (files written here), dotted and joined
//! `--text-field`s, and `dedup` writing the format it reads.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

mod common;
use common::{scratch, stemma, stemma_ok, words};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Six stories: `s0`..`s5`, where `s1` is `s0` with one word changed and `s3` a copy of `s2`.
fn stories() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in 0..6u64 {
        let text = match i {
            1 => {
                let mut w = words(100, 150);
                w[70] = "changed".into();
                w.join(" ")
            }
            3 => words(102, 150).join(" "),
            _ => words(100 + i, 150).join(" "),
        };
        out.push((format!("s{i}"), text));
    }
    out
}

/// The report of `scan --json` over `inputs` with `extra` arguments.
fn scan(dir: &Path, inputs: &[&Path], extra: &[&str]) -> Value {
    let json = dir.join("report.json");
    let mut args = vec!["scan", "--quiet", "--json", s(&json)];
    args.extend_from_slice(extra);
    args.extend(inputs.iter().map(|p| s(p)));
    stemma_ok(&args);
    serde_json::from_str(&fs::read_to_string(json).unwrap()).unwrap()
}

fn ids(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// The pairs of a report, as sorted (a, b) id pairs.
fn pairs(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            (a.min(b).to_string(), a.max(b).to_string())
        })
        .collect();
    out.sort();
    out
}

/// A CSV cell, quoted.
fn quote(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

/// The stories as CSV with columns `id,headline,body,outlet`; the headline holds a comma, a
/// quote and a line break, so records span lines.
fn write_csv(path: &Path, delimiter: char) {
    let mut out = format!("id{d}headline{d}body{d}outlet\n", d = delimiter);
    for (i, (id, text)) in stories().iter().enumerate() {
        let headline = format!("Story {i}, \"quoted\"\nsecond line");
        out += &[
            id.clone(),
            quote(&headline),
            quote(text),
            format!("Outlet{}", i % 2),
        ]
        .join(&delimiter.to_string());
        out.push('\n');
    }
    fs::write(path, out).unwrap();
}

#[test]
fn csv_and_tsv_are_read_by_every_command_with_fields_and_metadata() {
    let dir = scratch("csv");
    let csv = dir.join("docs.csv");
    write_csv(&csv, ',');
    let report = scan(&dir, &[&csv], &["--text-field", "body"]);
    assert_eq!(ids(&report), ["s0", "s1", "s2", "s3", "s4", "s5"]);
    assert_eq!(report["documents"][1]["outlet"], "Outlet1");
    let found = pairs(&report);
    assert!(found.contains(&("s0".into(), "s1".into())), "{found:?}");
    assert!(found.contains(&("s2".into(), "s3".into())), "{found:?}");
    assert_eq!(found.len(), 2, "{found:?}");

    // TSV, gzip-compressed CSV, and a directory holding a CSV give the same pairs.
    let tsv = dir.join("docs.tsv");
    write_csv(&tsv, '\t');
    let gz = dir.join("docs.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&fs::read(&csv).unwrap()).unwrap();
    enc.finish().unwrap();
    let sub = dir.join("sub");
    fs::create_dir_all(&sub).unwrap();
    fs::copy(&csv, sub.join("docs.csv")).unwrap();
    for input in [&tsv, &gz, &sub] {
        let r = scan(&dir, &[input], &["--text-field", "body"]);
        assert_eq!(pairs(&r), found, "{input:?}");
    }

    // Joined text fields: the headline comes first, so the tokens grow.
    let joined = scan(&dir, &[&csv], &["--text-field", "headline,body"]);
    let tokens = |r: &Value| r["documents"][0]["tokens"].as_u64().unwrap();
    assert!(tokens(&joined) > tokens(&report));

    // The other commands read CSV through the same layer.
    let idx = dir.join("idx");
    stemma_ok(&[
        "index",
        "build",
        "--output",
        s(&idx),
        s(&csv),
        "--text-field",
        "body",
    ]);
    let query = stemma_ok(&["query", s(&idx), s(&tsv), "--text-field", "body"]);
    assert!(String::from_utf8_lossy(&query.stdout).contains("s1"));
    stemma_ok(&["trace", "--quiet", s(&csv), "--text-field", "body"]);
    // audit fails on the duplicate pair it finds (exit 1), naming it.
    let audit = stemma(&["audit", s(&csv), "--text-field", "body"]);
    let said = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.status.code() == Some(1) && said.contains("s3"),
        "{said}"
    );
}

#[test]
fn table_errors_name_the_file_the_record_and_the_columns() {
    let dir = scratch("csv-errors");
    let csv = dir.join("docs.csv");
    write_csv(&csv, ',');
    // A text column that is not there: the columns that are, and the flag.
    let out = stemma(&["scan", "--quiet", s(&csv)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("docs.csv")
            && err.contains("no column \"text\"")
            && err.contains("id, headline, body, outlet")
            && err.contains("--text-field"),
        "{err}"
    );
    // A record with too many fields: its line, and --skip-bad.
    let bad = dir.join("bad.csv");
    let (a, b) = (words(1, 80).join(" "), words(2, 80).join(" "));
    fs::write(&bad, format!("id,text\na,{a}\nb,{b},extra\nc,{a}\n")).unwrap();
    let out = stemma(&["scan", "--quiet", s(&bad)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:3") && err.contains("3 fields") && err.contains("--skip-bad"),
        "{err}"
    );
    let r = scan(&dir, &[&bad], &["--skip-bad"]);
    assert_eq!(ids(&r), ["a", "c"]);
    assert_eq!(r["inputs"]["bad_records"], 1);
    // An empty file: no header row.
    let empty = dir.join("empty.csv");
    fs::write(&empty, "").unwrap();
    let out = stemma(&["scan", "--quiet", s(&empty)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("empty.csv") && err.contains("no header row"),
        "{err}"
    );
    // No id column: FILE:LINE ids, said once.
    let noid = dir.join("noid.csv");
    fs::write(&noid, format!("text\n{a}\n{b}\n")).unwrap();
    let r = scan(&dir, &[&noid], &[]);
    let got = ids(&r);
    assert!(
        got[0].ends_with("noid.csv:2") && got[1].ends_with("noid.csv:3"),
        "{got:?}"
    );
}

#[test]
fn jsonl_text_field_takes_dotted_paths_and_joined_fields() {
    let dir = scratch("jsonl-fields");
    let input = dir.join("docs.jsonl");
    let mut lines = String::new();
    for (id, text) in stories() {
        let (head, body) = text.split_at(text.len() / 2);
        lines += &json!({"id": id, "meta": {"body": text}, "head": head, "tail": body}).to_string();
        lines.push('\n');
    }
    fs::write(&input, lines).unwrap();
    let nested = scan(&dir, &[&input], &["--text-field", "meta.body"]);
    let joined = scan(&dir, &[&input], &["--text-field", "head,tail"]);
    assert_eq!(pairs(&nested).len(), 2);
    assert_eq!(pairs(&joined), pairs(&nested));
    // A missing field says which fields the record has.
    let out = stemma(&["scan", "--quiet", s(&input), "--text-field", "meta.text"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("docs.jsonl:1") && err.contains("head"),
        "{err}"
    );
}

#[test]
fn dedup_of_csv_writes_csv_with_the_same_header() {
    let dir = scratch("dedup-csv");
    let csv = dir.join("docs.csv");
    write_csv(&csv, ',');
    let (kept, removed) = (dir.join("kept.csv"), dir.join("removed.csv"));
    stemma_ok(&[
        "dedup",
        "-q",
        s(&csv),
        "-o",
        s(&kept),
        "--removed",
        s(&removed),
        "--text-field",
        "body",
    ]);
    let read = |p: &Path| {
        let mut r = csv::Reader::from_path(p).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    };
    let (in_header, in_rows) = read(&csv);
    let (header, rows) = read(&kept);
    assert_eq!(header, in_header);
    let kept_ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(kept_ids, ["s0", "s2", "s4", "s5"]);
    assert_eq!(rows[0], in_rows[0], "kept records are unchanged");
    let (header, rows) = read(&removed);
    assert_eq!(
        header[4..],
        ["stemma_duplicate_of", "stemma_relation", "stemma_jaccard"]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0][0].as_str(), rows[0][4].as_str()), ("s1", "s0"));
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][4].as_str(),
            rows[1][5].as_str()
        ),
        ("s3", "s2", "duplicate")
    );
    // The output format follows the input's: another record format is refused before work.
    let out = stemma(&[
        "dedup",
        "-q",
        s(&csv),
        "-o",
        s(&dir.join("k.jsonl")),
        "--text-field",
        "body",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(2) && err.contains("writes the format it reads"),
        "{err}"
    );
}

#[cfg(feature = "parquet")]
mod parquet_files {
    use super::*;
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::{
        Array, ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray, StructArray,
    };
    use arrow_schema::{DataType, Field, Fields, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;

    /// The stories as Parquet (zstd, two rows per row group): `id` Int64 (0..), `text`,
    /// `outlet` dictionary-encoded, and a struct `meta` holding `body` (the text again) and
    /// `lang`.
    fn write_parquet(path: &Path) {
        let stories = stories();
        let texts: Vec<&str> = stories.iter().map(|(_, t)| t.as_str()).collect();
        let meta_fields = Fields::from(vec![
            Field::new("body", DataType::Utf8, true),
            Field::new("lang", DataType::Utf8, true),
        ]);
        let meta = StructArray::new(
            meta_fields.clone(),
            vec![
                Arc::new(StringArray::from(texts.clone())) as ArrayRef,
                Arc::new(StringArray::from(vec!["en"; texts.len()])),
            ],
            None,
        );
        let outlet: DictionaryArray<Int32Type> = (0..texts.len())
            .map(|i| if i % 2 == 0 { "Outlet0" } else { "Outlet1" })
            .collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("text", DataType::Utf8, true),
            Field::new("outlet", outlet.data_type().clone(), true),
            Field::new("meta", DataType::Struct(meta_fields), true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(
                    (0..texts.len() as i64).collect::<Vec<_>>(),
                )),
                Arc::new(StringArray::from(texts)),
                Arc::new(outlet),
                Arc::new(meta),
            ],
        )
        .unwrap();
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(2))
            .build();
        let mut w =
            ArrowWriter::try_new(fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    fn read_parquet(path: &Path) -> (Arc<Schema>, Vec<RecordBatch>, Compression) {
        let b = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap();
        let compression = b.metadata().row_group(0).column(0).compression();
        let schema = b.schema().clone();
        let batches = b.build().unwrap().map(|x| x.unwrap()).collect();
        (schema, batches, compression)
    }

    #[test]
    fn parquet_is_read_with_nested_fields_dictionaries_and_numbers() {
        let dir = scratch("parquet");
        let pq = dir.join("docs.parquet");
        write_parquet(&pq);
        let report = scan(&dir, &[&pq], &[]);
        assert_eq!(ids(&report), ["0", "1", "2", "3", "4", "5"]);
        assert_eq!(report["documents"][3]["outlet"], "Outlet1");
        let found = pairs(&report);
        assert_eq!(found, [("0".into(), "1".into()), ("2".into(), "3".into())]);
        let nested = scan(&dir, &[&pq], &["--text-field", "meta.body"]);
        assert_eq!(pairs(&nested), found);
        let out = stemma(&["scan", "--quiet", s(&pq), "--text-field", "body"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no column \"body\"") && err.contains("id, text, outlet, meta"),
            "{err}"
        );
        let out = stemma(&["scan", "--quiet", s(&pq), "--text-field", "id"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("\"id\" holds Int64, not text"), "{err}");
        let junk = dir.join("junk.parquet");
        fs::write(&junk, b"not parquet at all").unwrap();
        let out = stemma(&["scan", "--quiet", s(&junk)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(2) && err.contains("junk.parquet") && err.contains("Parquet"),
            "{err}"
        );
    }

    #[test]
    fn dedup_of_parquet_writes_parquet_with_the_same_schema() {
        let dir = scratch("dedup-parquet");
        let pq = dir.join("docs.parquet");
        write_parquet(&pq);
        let (kept, removed) = (dir.join("kept.parquet"), dir.join("removed.parquet"));
        stemma_ok(&[
            "dedup",
            "-q",
            s(&pq),
            "-o",
            s(&kept),
            "--removed",
            s(&removed),
        ]);
        let (in_schema, _, _) = read_parquet(&pq);
        let (schema, batches, compression) = read_parquet(&kept);
        assert_eq!(schema, in_schema);
        assert!(
            matches!(compression, Compression::ZSTD(_)),
            "{compression:?}"
        );
        let kept_ids: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_primitive::<arrow_array::types::Int64Type>()
                    .values()
                    .to_vec()
            })
            .collect();
        assert_eq!(kept_ids, [0, 2, 4, 5]);
        let (schema, batches, _) = read_parquet(&removed);
        assert_eq!(schema.fields().len(), in_schema.fields().len() + 1);
        let batch = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
        assert_eq!(batch.num_rows(), 2);
        let note = batch.column_by_name("stemma").unwrap().as_struct();
        let of = note
            .column_by_name("duplicate_of")
            .unwrap()
            .as_string::<i32>();
        let relation = note.column_by_name("relation").unwrap().as_string::<i32>();
        assert_eq!((of.value(0), of.value(1)), ("0", "2"));
        assert_eq!(
            (relation.value(0), relation.value(1)),
            ("near-duplicate", "duplicate")
        );
        // The kept output reads back as input.
        let again = scan(&dir, &[&kept], &[]);
        assert_eq!(ids(&again), ["0", "2", "4", "5"]);
        assert!(pairs(&again).is_empty());
    }
}
