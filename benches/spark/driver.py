"""Runs the Spark benchmark's methods, each in its own process, measures wall time and the
peak memory of its whole process tree, and scores every method's pairs against the exact
all-pairs truth (truth.py). Called by run.sh; see benches/spark/README.md."""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import psutil
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from truth import all_pairs, jaccard, shingle_sets  # noqa: E402

LABELS = {
    "stemma-cli": "stemma dedup (CLI, 1 process, all cores)",
    "stemma-spark": "stemma.spark.dedup (local[2])",
    "mllib": "MLlib MinHashLSH approxSimilarityJoin (local[2])",
}


def tree_sample(proc, cpu):
    """(sum of RSS, sum of PSS) in bytes over `proc` and its descendants; PSS counts a page
    shared by k processes as 1/k (the JVM, Python workers forked from one daemon). Records
    each process's CPU time (user + system, s) so far in `cpu` (by pid)."""
    rss = pss = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            m = p.memory_full_info()
            rss += m.rss
            pss += getattr(m, "pss", m.rss)
            t = p.cpu_times()
            cpu[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    return rss, pss


def run_measured(cmd, log, interval=0.2):
    """Runs `cmd`, sampling its tree's memory and CPU time every `interval` s. Returns
    (wall s, peak RSS, peak PSS, CPU s, stdout); each peak is at least the top process's own
    ru_maxrss, the CPU time is the sum over every process seen of its last sampled CPU time
    (at least the top process's own), so a process loses at most its last `interval`."""
    with open(log, "w") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        proc = psutil.Process(p.pid)
        peak_rss = peak_pss = 0
        cpu = {}
        out_chunks = []
        # stdout is one short JSON line at the end: read it after exit (no pipe deadlock risk).
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            rss, pss = tree_sample(proc, cpu)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(interval)
        wall = time.perf_counter() - t0
        out_chunks.append(p.stdout.read())
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"driver.py: {' '.join(cmd)} failed (exit {code}); see {log}")
    # A process shorter than the sampling interval: its own peak (ru_maxrss, KiB) is exact.
    own = usage.ru_maxrss * 1024
    cpu[p.pid] = max(cpu.get(p.pid, 0.0), usage.ru_utime + usage.ru_stime)
    return wall, max(peak_rss, own), max(peak_pss, own), sum(cpu.values()), "".join(out_chunks)


def read_parquet_pairs(path):
    t = pq.read_table(path, columns=["a", "b"]).to_pydict()
    return list(zip(t["a"], t["b"]))


def read_jsonl_pairs(path):
    with open(path, encoding="utf-8") as f:
        return [(r["a"], r["b"]) for r in map(json.loads, f) if r]


def mib(n):
    return f"{n / 2**20:,.0f} MiB"


def stage_rows(stages):
    """The stages that matter: any with shuffle output or >= 2% of the executor time."""
    total = sum(s["executorRunTime"] for s in stages) or 1
    rows = []
    for s in stages:
        if s["shuffleWriteBytes"] or s["executorRunTime"] >= 0.02 * total:
            rows.append(
                f"| {s['stageId']} | {s['numTasks']} | {s['executorRunTime'] / 1000:.1f} | "
                f"{s['executorCpuTime'] / 1e9:.1f} | "
                f"{s['inputRecords']:,} | {s['shuffleReadRecords']:,} | "
                f"{s['shuffleWriteRecords']:,} | {s['shuffleWriteBytes']:,} |"
            )
    return total, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--stemma", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--tables", type=int, default=5)
    ap.add_argument("--methods", default="stemma-cli,stemma-spark,mllib")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--shuffle-partitions", type=int, default=8)
    ap.add_argument("--out")
    args = ap.parse_args()
    methods = args.methods.split(",")
    for m in methods:
        if m not in LABELS:
            raise SystemExit(f"driver.py: unknown method {m!r}; known: {', '.join(LABELS)}")
    t = args.threshold
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    ids, texts = [], []
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                ids.append(r["id"] if isinstance(r["id"], str) else json.dumps(r["id"]))
                texts.append(r.get("text") or "")
    index = {d: i for i, d in enumerate(ids)}
    n_docs = len(ids)
    size_mb = os.path.getsize(args.input) / 1e6

    results = {}
    for m in methods:
        out = os.path.join(args.workdir, m)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        log = os.path.join(args.workdir, f"{m}.log")
        if m == "stemma-cli":
            cmd = [args.stemma, "dedup", args.input, "-o", os.path.join(out, "kept.jsonl"),
                   "--removed", os.path.join(out, "removed.jsonl"),
                   "--pairs", os.path.join(out, "pairs.jsonl"),
                   "--shingle", "words:5", "--num-perm", "128", "--threshold", str(t), "-q"]
        else:
            cmd = [sys.executable, os.path.join(HERE, "job.py"), m, args.input, out,
                   "--threshold", str(t), "--tables", str(args.tables), "--master", args.master,
                   "--driver-memory", args.driver_memory,
                   "--shuffle-partitions", str(args.shuffle_partitions)]
        print(f"driver.py: running {m}: {' '.join(cmd)}", file=sys.stderr)
        wall, rss, pss, cpu, stdout = run_measured(cmd, log)
        info = json.loads(stdout.strip().splitlines()[-1]) if m != "stemma-cli" else {}
        if m == "stemma-cli":
            pairs = read_jsonl_pairs(os.path.join(out, "pairs.jsonl"))
        else:
            pairs = read_parquet_pairs(os.path.join(out, "pairs"))
        norm = {(min(index[a], index[b]), max(index[a], index[b])) for a, b in pairs if a != b}
        results[m] = dict(wall=wall, rss=rss, pss=pss, cpu=cpu, info=info, pairs=norm, out=out)
        print(f"driver.py: {m}: {wall:.1f} s, CPU {cpu:.1f} s, peak tree RSS {mib(rss)}, PSS {mib(pss)}, "
              f"{len(norm)} pairs", file=sys.stderr)
    load_after = os.getloadavg()

    # Exact truth: every pair at Jaccard >= t (all-pairs join), and the exact Jaccard of every
    # pair any method reported.
    print("driver.py: exact all-pairs truth (prefix-filtered join)", file=sys.stderr)
    t0 = time.perf_counter()
    sets = shingle_sets(texts)
    truth = all_pairs(sets, t)
    truth_s = time.perf_counter() - t0
    reported = set().union(*(r["pairs"] for r in results.values()))
    exact = {p: jaccard(sets[p[0]], sets[p[1]]) for p in reported}

    # Do stemma.spark and the CLI keep the same records and name the same keepers?
    same_decision = None
    if "stemma-cli" in results and "stemma-spark" in results:
        with open(os.path.join(results["stemma-cli"]["out"], "removed.jsonl"), encoding="utf-8") as f:
            cli_removed = {(r := json.loads(l))["id"]: r["stemma"]["duplicate_of"] for l in f}
        tbl = pq.read_table(os.path.join(results["stemma-spark"]["out"], "removed"),
                            columns=["id", "duplicate_of"]).to_pydict()
        spark_removed = dict(zip(tbl["id"], tbl["duplicate_of"]))
        same_decision = (cli_removed == spark_removed, len(cli_removed), len(spark_removed))

    lines = [
        f"# Spark: stemma.spark.dedup vs MLlib MinHashLSH vs stemma dedup: {started[:10]}",
        "",
        f"- Date: {started}",
        f"- Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM, Linux {platform.release()}",
        "- Load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in load_before)
        + " before, " + ", ".join(f"{x:.2f}" for x in load_after) + " after "
        "(the machine is shared: other processes ran during the measurement)",
        f"- Input: {args.source}: {n_docs} docs, {size_mb:.1f} MB of JSONL",
        f"- Spark: master {args.master}, spark.driver.memory {args.driver_memory}, "
        f"spark.sql.shuffle.partitions {args.shuffle_partitions}; pyspark "
        f"{__import__('pyspark').__version__}; Python {platform.python_version()}",
        f"- Job: word 5-gram sets, threshold {t}. stemma (CLI and Spark): "
        "`--shingle words:5 --num-perm 128`, its default banding for the threshold, "
        "candidates verified by exact Jaccard. MLlib: RegexTokenizer (runs of letters and "
        "digits, lower-cased), NGram(5) (1-4 tokens: one shingle of all), HashingTF(binary, "
        f"2^24), MinHashLSH({args.tables} hash tables), approxSimilarityJoin at distance "
        f"1 - {t}; it computes the exact Jaccard of the hashed sets of its candidates.",
        "- Time: wall time of the process (Spark: JVM start, session, reading the JSONL, the "
        "job, writing Parquet); on a shared, loaded machine wall time stretches, CPU time much "
        "less: CPU s is the user + system time of every process of the tree (sampled), the "
        "basis of the per-core rates. Memory: peak over 0.2 s samples of the summed RSS and the summed "
        "PSS of the process tree (driver Python, JVM, Python workers); RSS counts shared pages "
        "once per process, PSS splits them.",
        f"- Truth: exact all-pairs join over all {n_docs} documents (benches/spark/truth.py: "
        "prefix filtering, every candidate verified), shingles as benches/peers/job.py makes "
        f"them: {len(truth)} pairs at Jaccard >= {t} ({truth_s:.0f} s). Precision: share of a "
        "method's pairs whose exact Jaccard is >= the threshold. Recall: share of the truth's "
        "pairs the method reports.",
        "",
        "| method | wall s | Spark session s | job s | CPU s (tree) | docs/s | docs per CPU s "
        "| peak RSS (tree) | peak PSS (tree) | pairs | precision | recall |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m, r in results.items():
        good = sum(1 for p in r["pairs"] if exact[p] >= t)
        prec = good / len(r["pairs"]) if r["pairs"] else float("nan")
        rec = len(r["pairs"] & truth.keys()) / len(truth) if truth else float("nan")
        info = r["info"]
        lines.append(
            f"| {LABELS[m]} | {r['wall']:.1f} | {info.get('session_s', '—')} | "
            f"{info.get('job_s', '—')} | {r['cpu']:.1f} | {n_docs / r['wall']:,.0f} | "
            f"{n_docs / r['cpu']:,.0f} | {mib(r['rss'])} | "
            f"{mib(r['pss'])} | {len(r['pairs'])} | {prec:.4f} | {rec:.4f} |"
        )
    lines.append("")
    if "stemma-spark" in results and "mllib" in results:
        s, m = results["stemma-spark"], results["mllib"]
        lines.append(
            f"- MLlib / stemma.spark.dedup: {m['wall'] / s['wall']:.2f}x the wall time, "
            f"{m['info']['job_s'] / s['info']['job_s']:.2f}x the job time (session start "
            f"excluded), {m['cpu'] / s['cpu']:.2f}x the CPU time, {m['pss'] / s['pss']:.2f}x "
            "the peak PSS"
        )
    if "stemma-spark" in results and "stemma-cli" in results:
        lines.append(
            f"- stemma.spark.dedup / stemma dedup: "
            f"{results['stemma-spark']['wall'] / results['stemma-cli']['wall']:.0f}x the wall "
            f"time, {results['stemma-spark']['cpu'] / results['stemma-cli']['cpu']:.1f}x the CPU time"
        )
    if same_decision is not None:
        eq, nc, ns = same_decision
        lines.append(
            f"- stemma.spark.dedup vs stemma dedup: {'the same' if eq else 'DIFFERENT'} removed "
            f"records and keepers (CLI removed {nc}, Spark removed {ns})"
        )
    for m, r in results.items():
        missed = sorted(truth.keys() - r["pairs"])
        false = sorted(p for p in r["pairs"] if exact[p] < t)
        if missed:
            lines.append(f"- {m} missed {len(missed)} true pairs; exact Jaccard of the first "
                         "ten: " + ", ".join(f"{truth[p]:.3f}" for p in missed[:10]))
        if false:
            lines.append(f"- {m} reported {len(false)} pairs below the threshold; exact "
                         "Jaccard of the first ten: " + ", ".join(f"{exact[p]:.3f}" for p in false[:10]))
    for m, r in results.items():
        stages = r["info"].get("stages")
        if not stages:
            continue
        total, rows = stage_rows(stages)
        jvm_cpu = sum(s["executorCpuTime"] for s in stages) / 1e9
        shuffled = sum(s["shuffleWriteBytes"] for s in stages)
        lines += [
            "",
            f"## Spark stages of {m} ({len(stages)} stages, {total / 1000:.1f} s of executor "
            f"run time, {jvm_cpu:.1f} s of JVM CPU time, {shuffled / 1e6:.1f} MB shuffled, "
            f"{shuffled / n_docs:,.0f} B per document)",
            "",
            "Stages with shuffle output or >= 2% of the executor time, from the Spark REST API "
            "(executor run time is wall time of the tasks, stretched by the machine's load; JVM "
            "CPU leaves out the Python workers).",
            "",
            "| stage | tasks | executor run s | JVM CPU s | input records | shuffle read records "
            "| shuffle write records | shuffle write bytes |",
            "|---|---|---|---|---|---|---|---|",
        ] + rows
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(report)
        os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
