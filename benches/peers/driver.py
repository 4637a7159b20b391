"""Side-by-side benchmark driver: stemma dedup vs datasketch, rensa and gaoya (see README.md).

Every tool runs as its own process on the same JSONL; runs are interleaved (A B C D A B C D ...)
and the median of the repeats is reported. Wall time is measured around the child and peak RSS
is the child's own ru_maxrss from os.wait4 on its pid. Agreement is measured against exact
Jaccard (the job's tokenization, job.py) on the pool of all tools' pairs.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import job  # noqa: E402

PEERS = ["datasketch", "rensa", "gaoya"]
PHASES = ["read", "shingle", "sign", "index", "query", "cluster"]


def log(msg):
    print(f"[peers {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_child(cmd, workdir, tag):
    """Runs cmd; returns (wall seconds, peak RSS bytes, stdout text). Aborts on failure."""
    out_path = os.path.join(workdir, f"{tag}.stdout")
    err_path = os.path.join(workdir, f"{tag}.stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, encoding="utf-8", errors="replace") as f:
        stdout = f.read()
    if proc.returncode != 0:
        with open(err_path, encoding="utf-8", errors="replace") as f:
            err_text = f.read()[-4000:]
        sys.exit(f"error: {' '.join(cmd)} exited with {proc.returncode}:\n{err_text}")
    return wall, usage.ru_maxrss * 1024, stdout  # ru_maxrss is in KiB on Linux


def stemma_version(binary):
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True,
                              check=True).stdout.split()[-1]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "?"


def git_commit(repo):
    try:
        head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {mem} RAM, {platform.system()} {platform.release()}"


def load():
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def exact_truth(path, pool, threshold):
    """Exact Jaccard of every pooled pair with the job's tokenization; returns the true pairs."""
    need = {x for p in pool for x in p}
    sets = {}
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            i = job.doc_id(rec["id"])
            if i in need:
                sets[i] = job.shingles(rec.get("text") or "")
    truth = set()
    for a, b in pool:
        sa, sb = sets.get(a, set()), sets.get(b, set())
        union = len(sa | sb)
        if union and len(sa & sb) / union >= threshold - 1e-12:
            truth.add((a, b))
    return truth


def fmt_s(x):
    return "—" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def fmt_mb(b):
    return f"{b / 2**20:.0f} MiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", required=True, help="JSONL with id and text")
    ap.add_argument("--stemma", required=True, help="stemma binary (release build)")
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(HERE)))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--thresholds", default="0.8,0.5")
    ap.add_argument("--tools", default="stemma," + ",".join(PEERS))
    ap.add_argument("--no-scan", action="store_true", help="skip the stemma scan row")
    ap.add_argument("--workdir", required=True, help="scratch directory for pairs and logs")
    ap.add_argument("--out", help="also write the report to this file")
    ap.add_argument("--source", help="how the input was made (for the report)")
    args = ap.parse_args()

    thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    for t in thresholds:
        job.banding(t)  # fails early on an unknown threshold
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t != "stemma" and t not in PEERS:
            sys.exit(f"error: unknown tool {t!r}; known: stemma, {', '.join(PEERS)}")
    if args.repeats < 1:
        sys.exit("error: --repeats must be >= 1")

    size = os.path.getsize(args.input)
    with open(args.input, "rb") as f:
        ndocs = sum(1 for line in f if line.strip())
    versions = {"stemma": stemma_version(args.stemma)}
    for p in PEERS:
        if p in tools:
            versions[p] = version(p)
    load_before = load()
    started = datetime.datetime.now(datetime.timezone.utc)
    log(f"{ndocs} docs, {size / 1e6:.1f} MB, thresholds {thresholds}, {args.repeats} repeats, "
        f"tools {tools}, load {load_before}")

    results = {}  # (threshold, tool) -> list of run dicts
    pair_files = {}
    for ti, thr in enumerate(thresholds):
        bands, rows = job.banding(thr)
        order = list(tools) + (["stemma-scan"] if ti == 0 and not args.no_scan else [])
        for rep in range(args.repeats):
            for tool in order:
                tag = f"{tool}-{thr}-{rep}"
                pairs_path = os.path.join(args.workdir, f"{tool}-{thr}.pairs.jsonl")
                if tool == "stemma":
                    cmd = [args.stemma, "dedup", args.input,
                           "-o", os.path.join(args.workdir, "stemma-kept.jsonl"),
                           "--shingle", f"words:{job.K}", "--num-perm", str(job.NUM_PERM),
                           "--bands", f"{bands}x{rows}", "--threshold", str(thr),
                           "--pairs", pairs_path, "-q"]
                elif tool == "stemma-scan":
                    cmd = [args.stemma, "scan", args.input,
                           "--json", os.path.join(args.workdir, "stemma-scan.json"),
                           "--shingle", f"words:{job.K}", "--num-perm", str(job.NUM_PERM),
                           "--threshold", str(thr), "-q"]
                else:
                    cmd = [sys.executable, os.path.join(HERE, "peer.py"), tool, args.input,
                           str(thr), pairs_path]
                wall, rss, stdout = run_child(cmd, args.workdir, tag)
                run = {"wall": wall, "rss": rss}
                if tool in PEERS:
                    run.update(json.loads(stdout.strip().splitlines()[-1]))
                results.setdefault((thr, tool), []).append(run)
                if tool != "stemma-scan":
                    pair_files[(thr, tool)] = pairs_path
                log(f"t={thr} repeat {rep + 1}/{args.repeats} {tool}: {wall:.2f} s, "
                    f"{fmt_mb(rss)}" + (f", {run['pairs']} pairs" if "pairs" in run else ""))

    load_after = load()
    lines = []
    w = lines.append
    w(f"# stemma vs datasketch, rensa, gaoya: {started:%Y-%m-%d}")
    w("")
    w(f"- Date: {started:%Y-%m-%d %H:%M} UTC")
    w(f"- Machine: {machine()}")
    w(f"- Load average (1, 5, 15 min): {load_before} before, {load_after} after")
    w(f"- stemma commit: {git_commit(args.repo)}")
    w(f"- Python {platform.python_version()}; "
      + ", ".join(f"{k} {v}" for k, v in versions.items()))
    w(f"- Input: {args.source or args.input}: {ndocs} docs, {size / 1e6:.1f} MB of JSONL")
    w(f"- Each tool is a separate process; {args.repeats} interleaved repeat(s) per threshold; "
      "figures are medians. Time = wall time of the process (start-up and imports included); "
      "peak RSS = the process's own ru_maxrss (os.wait4). Phases are reported by each peer "
      "in-process (— = not separately measurable; stemma reports its total only).")
    w("- Job (all tools): lower-case; tokens = maximal runs of Unicode letters and digits; set of "
      "word 5-grams (fewer than 5 tokens: one shingle of all tokens); 128 permutations; "
      "candidates kept at estimated Jaccard >= threshold (stemma: its verified Jaccard); "
      "clusters = union-find groups of size >= 2. See benches/peers/README.md for each "
      "tool's path and differences.")
    w("- Agreement: precision and recall against exact Jaccard computed on the **pool** (union "
      "of all tools' pairs). Recall is relative to that pool: pairs no tool found are not "
      "counted.")
    w("")

    for thr in thresholds:
        bands, rows = job.banding(thr)
        pool = set()
        found = {}
        for tool in tools:
            found[tool] = job.read_pairs(pair_files[(thr, tool)])
            pool |= found[tool]
        truth = exact_truth(args.input, pool, thr)
        w(f"## Threshold {thr} (LSH {bands} bands x {rows} rows)")
        w("")
        w(f"Pool: {len(pool)} distinct pairs; {len(truth)} with exact Jaccard >= {thr}.")
        w("")
        w("| tool | version | read s | shingle s | sign s | index s | query s | cluster s "
          "| total s | docs/s | MB/s | peak RSS | pairs | clusters | precision | recall (pool) |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        summary = {}
        for tool in tools + (["stemma-scan"] if (thr, "stemma-scan") in results else []):
            runs = results[(thr, tool)]
            wall = statistics.median(r["wall"] for r in runs)
            rss = statistics.median(r["rss"] for r in runs)
            summary[tool] = (wall, rss)
            ph = {}
            if tool in PEERS:
                for p in PHASES:
                    vals = [r["phases"].get(p) for r in runs]
                    ph[p] = statistics.median(vals) if None not in vals else None
                if "sign+index" in runs[0]["phases"]:
                    ph["sign"] = statistics.median(r["phases"]["sign+index"] for r in runs)
            cells = [fmt_s(ph.get(p)) for p in PHASES]
            if tool in PEERS and "sign+index" in runs[0]["phases"]:
                cells[2] += " (sign+index)"
            name = "stemma dedup" if tool == "stemma" else \
                "stemma scan (full analysis)" if tool == "stemma-scan" else tool
            ver = versions["stemma" if tool.startswith("stemma") else tool]
            if tool == "stemma-scan":
                agree = ["—", "—", "—", "—"]
            else:
                got = found[tool]
                tp = len(got & truth)
                counts = {len(job.read_pairs(pair_files[(thr, tool)]))}
                counts |= {r["pairs"] for r in runs if "pairs" in r}
                agree = [str(len(got)) + ("" if len(counts) == 1 else " (varied)"),
                         str(job.count_clusters(got)),
                         f"{tp / len(got):.4f}" if got else "—",
                         f"{tp / len(truth):.4f}" if truth else "—"]
            w(f"| {name} | {ver} | " + " | ".join(cells) + f" | {fmt_s(wall)} | "
              f"{ndocs / wall:,.0f} | {size / 1e6 / wall:.1f} | {fmt_mb(rss)} | "
              + " | ".join(agree) + " |")
        w("")
        if "stemma" in summary:
            sw, sr = summary["stemma"]
            ratios = [f"{p}: {summary[p][0] / sw:.1f}x faster, {sr / summary[p][1]:.2f}x the RSS"
                      for p in PEERS if p in summary]
            if ratios:
                w("stemma dedup vs " + "; ".join(ratios) + ".")
                w("")
        for tool in tools:
            missed = sorted(truth - found[tool])
            if missed and len(missed) <= 5:
                w(f"- {tool} missed (pool truth): {missed}")
        w("")

    text = "\n".join(lines).rstrip() + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        log(f"report written to {args.out}")


if __name__ == "__main__":
    main()
