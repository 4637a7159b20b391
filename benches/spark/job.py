"""One Spark job of the Spark benchmark, in its own process (see benches/spark/README.md).

    job.py stemma-spark INPUT OUTDIR --threshold T [--master local[2]] ...
    job.py mllib INPUT OUTDIR --threshold T --tables L [--master local[2]] ...

Both read the JSONL input with Spark (`id`, `text`) and write Parquet under OUTDIR:

- stemma-spark: `stemma.spark.write_dedup` (kept rows, removed rows with `duplicate_of`, the
  verified pairs), i.e. the whole `stemma dedup` decision;
- mllib: word 5-gram sets built with Spark ML (RegexTokenizer on runs of letters and digits,
  lower-cased; NGram(5); a document of 1-4 tokens gets one shingle of all its tokens, as
  stemma's; no token: dropped), HashingTF(binary, 2^24 features), MinHashLSH(L tables),
  `approxSimilarityJoin` of the data with itself at Jaccard distance 1 - T, pairs written.
  MLlib stops at pairs: no grouping, no keep decision.

Prints one JSON line on stdout: phase times (s), pair count and the per-stage metrics of the
Spark REST API (executor run time, input, shuffle read/write bytes and records), which the
scale plan in ARCHITECTURE.md is computed from.
"""

import argparse
import json
import os
import sys
import time
import urllib.request


def session(args):
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master(args.master)
        .appName(f"stemma-bench-{args.method}")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
        .config("spark.local.dir", os.path.join(args.outdir, "spark-local"))
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def stage_metrics(spark):
    """Per-stage metrics from the Spark UI's REST API (None when the UI is unavailable)."""
    url = spark.sparkContext.uiWebUrl
    if not url:
        return None
    app = spark.sparkContext.applicationId
    with urllib.request.urlopen(f"{url}/api/v1/applications/{app}/stages?status=complete") as r:
        stages = json.load(r)
    keys = [
        "stageId", "attemptId", "name", "numTasks", "executorRunTime", "executorCpuTime",
        "inputBytes", "inputRecords", "outputRecords", "shuffleReadBytes", "shuffleReadRecords",
        "shuffleWriteBytes", "shuffleWriteRecords", "memoryBytesSpilled", "diskBytesSpilled",
        "peakExecutionMemory",
    ]
    return sorted(
        ({k: s.get(k) for k in keys} for s in stages), key=lambda s: (s["stageId"], s["attemptId"])
    )


def read_input(spark, path):
    return spark.read.schema("id string, text string").json(path)


def run_stemma(spark, args):
    import stemma
    import stemma.spark

    config = stemma.Config(shingle="words:5", num_perm=128, threshold=args.threshold)
    df = read_input(spark, args.input)
    stemma.spark.write_dedup(
        df,
        os.path.join(args.outdir, "kept"),
        removed_path=os.path.join(args.outdir, "removed"),
        pairs_path=os.path.join(args.outdir, "pairs"),
        config=config,
    )
    return spark.read.parquet(os.path.join(args.outdir, "pairs")).count()


def run_mllib(spark, args):
    from pyspark.ml.feature import HashingTF, MinHashLSH, NGram, RegexTokenizer
    from pyspark.sql import functions as F

    df = read_input(spark, args.input)
    tokens = RegexTokenizer(
        inputCol="text", outputCol="tokens", pattern=r"[^\p{L}\p{N}]+", gaps=True,
        toLowercase=True,
    ).transform(df.fillna({"text": ""}))
    grams = NGram(n=5, inputCol="tokens", outputCol="grams").transform(tokens)
    shingled = grams.where(F.size("tokens") > 0).withColumn(
        "shingles",
        F.when(F.size("tokens") < 5, F.array(F.concat_ws(" ", "tokens"))).otherwise(F.col("grams")),
    )
    features = HashingTF(
        inputCol="shingles", outputCol="features", numFeatures=1 << 24, binary=True
    ).transform(shingled).select("id", "features")
    model = MinHashLSH(
        inputCol="features", outputCol="hashes", numHashTables=args.tables, seed=args.seed
    ).fit(features)
    hashed = model.transform(features).persist()
    # approxSimilarityJoin keeps distance < its threshold (strictly): a hair above 1 - T keeps
    # the pairs at exactly T.
    joined = model.approxSimilarityJoin(hashed, hashed, 1.0 - args.threshold + 1e-9, distCol="d")
    pairs = joined.where(F.col("datasetA.id") < F.col("datasetB.id")).select(
        F.col("datasetA.id").alias("a"),
        F.col("datasetB.id").alias("b"),
        (1.0 - F.col("d")).alias("jaccard"),
    )
    out = os.path.join(args.outdir, "pairs")
    pairs.write.parquet(out)
    return spark.read.parquet(out).count()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("method", choices=["stemma-spark", "mllib"])
    ap.add_argument("input")
    ap.add_argument("outdir")
    ap.add_argument("--threshold", type=float, required=True)
    ap.add_argument("--tables", type=int, default=5, help="MLlib numHashTables")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--shuffle-partitions", type=int, default=8)
    args = ap.parse_args()

    t0 = time.perf_counter()
    spark = session(args)
    t1 = time.perf_counter()
    n = (run_stemma if args.method == "stemma-spark" else run_mllib)(spark, args)
    t2 = time.perf_counter()
    stages = stage_metrics(spark)
    spark.stop()
    print(json.dumps({
        "session_s": round(t1 - t0, 3),
        "job_s": round(t2 - t1, 3),
        "pairs": n,
        "stages": stages,
    }))


if __name__ == "__main__":
    main()
