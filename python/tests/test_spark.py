"""stemma.spark on a local[2] cluster: the same decisions as `stemma dedup`, all-or-nothing
output."""

import json
import os
import sys

import pytest

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")

import stemma
from conftest import generated_corpus, run_cli, seed_docs, write_jsonl


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Workers run this interpreter (the virtualenv with stemma), not the first python3 on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("stemma-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def cli_dedup(cli, tmp_path, docs, *flags):
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(cli, "dedup", src, "-o", tmp_path / "kept.jsonl", "--removed",
            tmp_path / "removed.jsonl", "-q", *flags)
    kept = [json.loads(l)["id"] for l in open(tmp_path / "kept.jsonl")]
    removed = {
        (r := json.loads(l))["id"]: r["stemma"]["duplicate_of"]
        for l in open(tmp_path / "removed.jsonl")
    }
    return kept, removed


def seeds_with_copies():
    docs = seed_docs()
    return docs + [{"id": "copy-" + d["id"], "text": d["text"].upper()} for d in docs[:3]]


@pytest.mark.parametrize("corpus", ["seeds", "generated"])
@pytest.mark.parametrize("partitions", [1, 3])
def test_spark_dedup_keeps_what_cli_keeps(spark, cli, tmp_path, corpus, partitions):
    docs = seeds_with_copies() if corpus == "seeds" else generated_corpus()
    kept, removed = cli_dedup(cli, tmp_path, docs)
    if partitions == 1:
        df = spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string")
        out = stemma.spark.dedup(df)
    else:  # repartitioning loses the input order: it is given as a column
        ordered = spark.createDataFrame(
            [(i, d["id"], d["text"]) for i, d in enumerate(docs)], "n long, id string, text string"
        ).repartition(partitions)
        out = stemma.spark.dedup(ordered, order_col="n").drop("n")
    rows = out.collect()
    got_kept = sorted(r.id for r in rows if r.duplicate_of is None)
    got_removed = {r.id: r.duplicate_of for r in rows if r.duplicate_of is not None}
    assert got_kept == sorted(kept)
    assert got_removed == removed
    assert removed


@pytest.mark.parametrize("keep", ["longest", "earliest"])
def test_spark_keep_policies(spark, cli, tmp_path, keep):
    docs = generated_corpus()
    for i, d in enumerate(docs):
        d["published_at"] = f"2026-01-{1 + (i * 7) % 28:02d}"
    kept, removed = cli_dedup(cli, tmp_path, docs, "--keep", keep)
    df = spark.createDataFrame(
        [(d["id"], d["text"], d["published_at"]) for d in docs],
        "id string, text string, published_at string",
    )
    rows = stemma.spark.dedup(df, keep=keep, threshold=0.8).collect()
    assert sorted(r.id for r in rows if r.duplicate_of is None) == sorted(kept)
    assert {r.id: r.duplicate_of for r in rows if r.duplicate_of} == removed


def test_spark_dedup_equals_python_dedup_at_other_threshold(spark):
    docs = generated_corpus(seed=7)
    expected = stemma.dedup(docs, threshold=0.6)
    df = spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string")
    rows = stemma.spark.dedup(df, threshold=0.6).collect()
    assert [r.id for r in rows if r.duplicate_of is None] == expected.kept
    assert {r.id: r.duplicate_of for r in rows if r.duplicate_of} == expected.duplicate_of


def test_connected_components_large_star_small_star(spark):
    # Two chains and a star, numbered so that the minimum is far from most nodes.
    edges = [(i, i + 1) for i in range(10, 30)] + [(5, 29)] + [(100, j) for j in range(101, 110)]
    edges += [(200, 201)]
    df = spark.createDataFrame(edges, "a long, b long")
    comp = dict(
        (r.node, r.component)
        for r in stemma.spark.connected_components(df).collect()
    )
    assert all(comp[n] == 5 for n in [5] + list(range(10, 31)))
    assert all(comp[n] == 100 for n in range(100, 110))
    assert comp[201] == 200 and comp[200] == 200


def test_write_dedup_is_all_or_nothing(spark, tmp_path):
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    docs = generated_corpus()
    df = spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string")
    out = tmp_path / "kept"
    stemma.spark.write_dedup(df, str(out), format="json", removed_path=str(tmp_path / "removed"))
    kept = sorted(r.id for r in spark.read.json(str(out)).collect())
    assert kept == sorted(stemma.dedup(docs).kept)

    def boom(text):
        if text.startswith(docs[17]["text"][:20]):
            raise RuntimeError("injected failure")
        return text

    failing = df.withColumn("text", F.udf(boom, StringType())("text"))
    bad = tmp_path / "bad"
    with pytest.raises(Exception, match="injected failure"):
        stemma.spark.write_dedup(failing, str(bad), format="json", removed_path=str(tmp_path / "bad-removed"))
    assert not bad.exists() and not (tmp_path / "bad-removed").exists()
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl", "kept", "removed"] or sorted(
        os.listdir(tmp_path)
    ) == ["kept", "removed"]
    with pytest.raises(FileExistsError):
        stemma.spark.write_dedup(df, str(out))


def test_spark_bad_input(spark):
    df = spark.createDataFrame([("a", "x")], "id string, body string")
    with pytest.raises(ValueError, match="column 'text' not found"):
        stemma.spark.dedup(df)
    with pytest.raises(ValueError, match="keep policy"):
        stemma.spark.dedup(df, text_col="body", keep="last")
    with pytest.raises(ValueError, match="--threshold"):
        stemma.spark.dedup(df, text_col="body", threshold=2.0)


def test_spark_oversized_buckets_become_stars(spark):
    # Ten identical copies and eight near copies of one story: with max_bucket=3 every bucket
    # of theirs is oversized and reduced to a star on its first record, as in stemma dedup.
    import random

    rng = random.Random(3)
    words = [f"w{rng.randrange(4000)}" for _ in range(300)]
    docs = [{"id": f"copy{i}", "text": " ".join(words)} for i in range(10)]
    for i in range(8):
        edited = list(words)
        edited[rng.randrange(300)] = "changed"
        docs.append({"id": f"near{i}", "text": " ".join(edited)})
    docs += generated_corpus(n_stories=20, seed=5)
    config = stemma.Config(max_bucket=3)
    expected = stemma.dedup(docs, config)
    df = spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string")
    rows = stemma.spark.dedup(df, config=config).collect()
    assert [r.id for r in rows if r.duplicate_of is None] == expected.kept
    assert {r.id: r.duplicate_of for r in rows if r.duplicate_of} == expected.duplicate_of
    assert len(expected.duplicate_of) >= 17


def test_spark_pairs_equal_cli_pairs(spark, cli, tmp_path):
    docs = generated_corpus(seed=11)
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(cli, "dedup", src, "-o", tmp_path / "kept.jsonl", "--pairs", tmp_path / "pairs.jsonl", "-q")
    expected = [json.loads(l) for l in open(tmp_path / "pairs.jsonl")]
    df = spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string")
    got = [r.asDict() for r in stemma.spark.duplicate_pairs(df).collect()]
    assert got == expected
    assert expected
    # write_dedup writes the same pairs next to the kept rows.
    stemma.spark.write_dedup(
        df, str(tmp_path / "kept"), format="json", pairs_path=str(tmp_path / "pairs")
    )
    written = sorted(
        (r.a, r.b, r.jaccard) for r in spark.read.json(str(tmp_path / "pairs")).collect()
    )
    assert written == sorted((p["a"], p["b"], p["jaccard"]) for p in expected)


def spark_scan(spark, docs, config=None, partitions=None):
    """(pairs, families) of stemma.spark.scan as lists of dicts, the shape of scan --json's."""
    df = spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string")
    if partitions:
        df = df.repartition(partitions)
    result = stemma.spark.scan(df, config=config)
    pairs = [r.asDict(recursive=True) for r in result.pairs.collect()]
    families = [r.asDict(recursive=True) for r in result.families.collect()]
    return pairs, families


def report_parts(report):
    """(pairs, families) of a scan --json report, families with their pairs."""
    families = [
        {"family": f["family"], "members": f["members"], "capped": f["capped"],
         "pairs": f.get("pairs", [])}
        for f in report["families"]
    ]
    return report["pairs"], families


def test_spark_scan_equals_cli_scan_on_seeds(spark, cli, tmp_path):
    # The seeds, upper-cased identical copies of three and an empty text.
    docs = seeds_with_copies() + [{"id": "zz-empty", "text": ""}]
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(cli, "scan", src, "--json", tmp_path / "scan.json", "-q")
    expected = report_parts(json.load(open(tmp_path / "scan.json")))
    got = spark_scan(spark, docs, partitions=3)
    assert got == expected
    assert any(p["relation"] == "duplicate" for p in got[0]) and got[1]


def test_spark_scan_equals_cli_scan_on_generated_corpus(spark, cli, tmp_path):
    docs = generated_corpus()
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(cli, "scan", src, "--json", tmp_path / "scan.json", "-q")
    expected = report_parts(json.load(open(tmp_path / "scan.json")))
    got = spark_scan(spark, docs)
    assert got == expected
    relations = {p["relation"] for p in got[0]}
    assert {"duplicate", "near-duplicate", "excerpt", "partial-reuse"} <= relations


def test_spark_scan_with_tight_caps_equals_python_scan(spark):
    # Caps low enough that every path is taken: oversized LSH and SimHash buckets become
    # stars, fingerprints are boilerplate (their shingles joined to the candidates' texts),
    # common bigrams are dropped, families hit the size cap, connected policy.
    docs = generated_corpus(n_stories=30, seed=9)
    words = docs[0]["text"].split()
    docs += [{"id": f"echo{i}", "text": " ".join(words[: 60 + i])} for i in range(6)]
    config = stemma.Config(max_bucket=3, boilerplate_max_df=2, bigram_max_df=3, max_df=4,
                           max_family_size=3, family_policy="connected")
    expected = report_parts(json.loads(stemma.scan(docs, config).to_json()))
    got = spark_scan(spark, docs, config=config, partitions=2)
    assert got == expected
    assert any(f["capped"] for f in got[1])


def test_spark_scan_bad_input(spark):
    df = spark.createDataFrame([("a", "x"), ("a", "y")], "id string, text string")
    with pytest.raises(ValueError, match="duplicate id 'a'"):
        stemma.spark.scan(df)
    with pytest.raises(ValueError, match="column 'body' not found"):
        stemma.spark.scan(df, text_col="body")


@pytest.mark.skipif(
    not os.environ.get("STEMMA_SPARK_LARGE"),
    reason="20k documents take ~16 min in local[2] on a loaded 2-core machine: STEMMA_SPARK_LARGE=1",
)
def test_spark_scan_equals_cli_scan_on_20k_documents(spark, cli, tmp_path):
    docs = generated_corpus(n_stories=11000)  # 20,167 documents
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    run_cli(cli, "scan", src, "--json", tmp_path / "scan.json", "-q")
    expected = report_parts(json.load(open(tmp_path / "scan.json")))
    assert spark_scan(spark, docs) == expected
