"""Python results equal the CLI's, byte for byte where the CLI writes bytes."""

import json
import pathlib

import pytest

import stemma
from conftest import SEEDS, generated_corpus, run_cli, seed_docs, write_jsonl


def test_version():
    assert stemma.__version__ == "0.1.0"


def test_scan_paths_equals_cli_json(cli, tmp_path):
    out = tmp_path / "cli.json"
    run_cli(cli, "scan", SEEDS, "--json", out, "-q")
    report = stemma.scan(pathlib.Path(SEEDS))
    assert report.to_json() == out.read_text(encoding="utf-8")
    assert len(report.pairs) == 3 and len(report.families) == 1
    assert report.families[0].members == [
        "002_a6c1fbbf3c2df49c.txt",
        "003_fe27c5378b41d6d4.txt",
        "004_7b6a29778a7fc8e6.txt",
    ]


@pytest.mark.parametrize("command", ["scan", "trace"])
@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_records_equal_cli_stdin(cli, command, corpus):
    docs = seed_docs() if corpus == "seeds" else generated_corpus()
    jsonl = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode()
    expected = run_cli(cli, command, "-", "--json", "-", "-q", stdin=jsonl)
    report = getattr(stemma, command)(docs)
    assert report.to_json().encode() == expected
    # The objects carry the JSON's fields.
    parsed = json.loads(expected)
    assert [p.to_dict() for p in report.pairs] == parsed["pairs"]
    assert [(p.a, p.b, p.relation, p.jaccard) for p in report.pairs] == [
        (p["a"], p["b"], p["relation"], p["jaccard"]) for p in parsed["pairs"]
    ]
    assert [f.members for f in report.families] == [f["members"] for f in parsed["families"]]


def test_generated_corpus_has_every_kind_of_relation():
    relations = {p.relation for p in stemma.scan(generated_corpus()).pairs}
    assert {"duplicate", "near-duplicate", "excerpt"} <= relations


def test_trace_has_stemma():
    report = stemma.trace(seed_docs())
    assert report.command == "trace"
    assert {e.family for e in report.stemma} == {"F1"}
    assert report.pairs[0].passages


def test_tuples_and_dicts_agree():
    docs = seed_docs()
    assert (
        stemma.scan([(d["id"], d["text"]) for d in docs]).to_json()
        == stemma.scan(iter(docs)).to_json()
    )


def test_config_is_echoed_and_applied(cli):
    docs = generated_corpus()
    config = stemma.Config(threshold=0.9, shingle="words:3", num_perm=64, family_policy="connected")
    jsonl = "".join(json.dumps(d) + "\n" for d in docs).encode()
    expected = run_cli(
        cli, "scan", "-", "--json", "-", "-q", "--threshold", "0.9", "--shingle", "words:3",
        "--num-perm", "64", "--family-policy", "connected", stdin=jsonl,
    )
    assert stemma.scan(docs, config).to_json().encode() == expected


@pytest.mark.parametrize("keep", ["first", "longest"])
@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_dedup_equals_cli(cli, tmp_path, corpus, keep):
    docs = seed_docs() if corpus == "seeds" else generated_corpus()
    if corpus == "seeds":  # the seeds hold no near-duplicate: add copies
        docs = docs + [{"id": "copy-" + d["id"], "text": d["text"].upper()} for d in docs[:3]]
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(
        cli, "dedup", src, "-o", tmp_path / "kept.jsonl", "--removed", tmp_path / "removed.jsonl",
        "--pairs", tmp_path / "pairs.jsonl", "--keep", keep, "-q",
    )
    kept = [json.loads(l)["id"] for l in open(tmp_path / "kept.jsonl")]
    removed = {
        (r := json.loads(l))["id"]: r["stemma"]["duplicate_of"]
        for l in open(tmp_path / "removed.jsonl")
    }
    pairs = [json.loads(l) for l in open(tmp_path / "pairs.jsonl")]
    d = stemma.dedup(docs, keep=keep)
    assert d.kept == kept
    assert d.duplicate_of == removed
    assert removed, "the corpus has duplicates"
    assert [(p["a"], p["b"], p["jaccard"]) for p in pairs] == d.pairs


def test_dedup_threshold_matches_cli(cli, tmp_path):
    docs = generated_corpus()
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(cli, "dedup", src, "-o", tmp_path / "kept.jsonl", "--threshold", "0.5", "-q")
    kept = [json.loads(l)["id"] for l in open(tmp_path / "kept.jsonl")]
    assert stemma.dedup(docs, threshold=0.5).kept == kept


def test_compare_matches_cli_figures(cli):
    a, b = seed_docs()[2], seed_docs()[4]
    c = stemma.compare(a, b)
    out = run_cli(cli, "compare", SEEDS / a["id"], SEEDS / b["id"]).decode()
    assert c.relation in out.splitlines()[2]
    assert f"jaccard {c.jaccard:.3f}" in out
    assert f"{len(c.passages)} passages" in out
    assert c.direction.verdict in out
    assert stemma.compare("one two three four five six", "one two three four five six").relation == "duplicate"


def test_max_doc_bytes_truncates_as_cli(cli):
    # Texts over the limit are cut at a character boundary (a multi-byte character straddles
    # it), counted and warned about, exactly as `scan --max-doc-bytes` does on standard input.
    docs = generated_corpus(n_stories=12, seed=3)
    docs[0]["text"] = "é" * 40 + " " + docs[0]["text"]
    docs[1]["text"] = docs[0]["text"]
    records = "".join(json.dumps(d) + "\n" for d in docs).encode()
    expected = run_cli(cli, "scan", "-", "--json", "-", "-q", "--max-doc-bytes", "301",
                       stdin=records)
    report = stemma.scan(docs, max_doc_bytes=301)
    assert report.to_json().encode() == expected
    inputs = json.loads(expected)["inputs"]
    assert inputs["truncated"] == sum(len(d["text"].encode()) > 301 for d in docs) > 2
    assert "raise --max-doc-bytes" in inputs["warnings"][0]
    with pytest.raises(ValueError, match="max_doc_bytes"):
        stemma.scan(docs, max_doc_bytes=-1)
