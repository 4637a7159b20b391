"""stemma.Index: the same on-disk index as the CLI's `stemma index`."""

import json
import pathlib

import pytest

import stemma
from conftest import SEEDS, generated_corpus, run_cli, write_jsonl


def test_index_shared_with_cli(cli, tmp_path):
    docs = generated_corpus()
    base, queries = docs[:70], docs[70:]
    src = write_jsonl(tmp_path / "base.jsonl", base)
    qsrc = write_jsonl(tmp_path / "queries.jsonl", queries)
    # Built by the CLI, read by Python.
    run_cli(cli, "index", "build", src, "-o", tmp_path / "cli-idx")
    idx = stemma.Index(tmp_path / "cli-idx")
    assert idx.stats()["documents"] == len(base)
    lines = run_cli(cli, "query", tmp_path / "cli-idx", qsrc, "--no-trace", "--json", "-", "-q")
    expected = [json.loads(l) for l in lines.decode().splitlines()]
    assert expected, "the generated queries match indexed documents"

    def same_as_cli(got):
        # Every field the CLI's query line has, equal (it names the input `query`).
        assert len(got) == len(expected)
        for m, line in zip(got, expected):
            d = m.to_dict()
            d["query"] = d.pop("input")
            for k, v in line.items():
                if k not in ("schema", "schema_version"):
                    assert d[k] == v, (k, d, line)

    same_as_cli(idx.query(pathlib.Path(qsrc)))
    # The same from Python objects: ids and figures equal.
    same_as_cli(idx.query(queries))
    # Built by Python, read by the CLI.
    py_idx = stemma.Index.build(tmp_path / "py-idx", base)
    assert run_cli(cli, "index", "verify", tmp_path / "py-idx")
    against = lambda idx: json.loads(run_cli(cli, "scan", qsrc, "--against", idx, "--json", "-", "-q"))
    # The index Python built answers as the one the CLI built.
    assert against(tmp_path / "py-idx")["index_matches"] == against(tmp_path / "cli-idx")["index_matches"]
    assert py_idx.stats()["documents"] == len(base)


def test_index_add_remove_stats(tmp_path):
    idx = stemma.Index.build(tmp_path / "idx", pathlib.Path(SEEDS))
    assert idx.stats()["documents"] == 5
    idx.add([{"id": "extra", "text": (SEEDS / "004_7b6a29778a7fc8e6.txt").read_text()}])
    s = idx.stats()
    assert (s["documents"], s["segments"]) == (6, 2)
    matches = idx.query([("q", (SEEDS / "004_7b6a29778a7fc8e6.txt").read_text())])
    assert {m.indexed for m in matches} >= {"extra", "004_7b6a29778a7fc8e6.txt"}
    idx.remove(["extra"])
    assert idx.stats()["deleted"] == 1
    matches = idx.query([("q", (SEEDS / "004_7b6a29778a7fc8e6.txt").read_text())])
    assert "extra" not in {m.indexed for m in matches}


def test_index_errors(tmp_path):
    with pytest.raises(stemma.IndexError, match="not a stemma index"):
        stemma.Index(tmp_path)
    idx = stemma.Index.build(tmp_path / "idx", [("a", "one two three four five six")])
    with pytest.raises(stemma.IndexError, match="shingle"):
        idx.query([("q", "x y z")], stemma.Config(shingle="words:3"))
    with pytest.raises(stemma.StemmaError):
        idx.remove(["no-such-id"])
