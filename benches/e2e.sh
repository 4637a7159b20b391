#!/usr/bin/env bash
# End-to-end benchmark of the stemma binary on the shared real corpora.
#
#   bash benches/e2e.sh [DATA_DIR]
#
# DATA_DIR defaults to ../shared/data (next to the repository root) and must hold
# imdb-reviews/docs.jsonl.zst (100k IMDB reviews) and, optionally, reuters21578/docs.jsonl.
# Builds the release binary, runs `stemma scan` and `stemma dedup` with 1 thread and with all
# cores, REPEATS times each, and prints a markdown table of median wall time, CPU time, docs/s,
# MB/s of text (UTF-8 bytes of the `text` field) and peak RSS, plus the counts found. Also
# checks that outputs are byte-identical across thread counts.
#
# Needs only bash, cargo and python3 (timing and peak RSS come from os.wait4); `zstd` is used to
# decompress IMDB once when present (else python's `zstandard` module; else only the .zst input
# is benchmarked).
#
# Settings (environment):
#   REPEATS=3          runs per configuration (the median is reported)
#   THREADS="1 N"      thread counts to try (default: 1 and nproc)
#   WORK_DIR=...       where decompressed data and outputs go (default: target/e2e)
#   QUICK=1            only 1 run per configuration, no .zst runs
#   WAIT_IDLE=60       before each run, wait up to this many seconds for other processes to use
#                      less than a quarter of a core (0: do not wait). The "other load" column
#                      says how many cores other processes used during the run: if it is not
#                      near 0, the timings of that row are inflated.
#
# Exit codes: 0 done, 2 data missing or bad usage, other: a build or run failed.

set -euo pipefail

CALLER_PWD="$PWD"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
    exit 0
fi

DATA_DIR="${1:-../shared/data}"   # the default is relative to the repository root
if [[ -n "${1:-}" && "$DATA_DIR" != /* ]]; then
    DATA_DIR="$CALLER_PWD/$DATA_DIR"   # an argument is relative to where you ran the script
fi
IMDB_ZST="$DATA_DIR/imdb-reviews/docs.jsonl.zst"
REUTERS="$DATA_DIR/reuters21578/docs.jsonl"

if [[ ! -f "$IMDB_ZST" ]]; then
    echo "$IMDB_ZST not found; pass the data directory as the first argument" >&2
    exit 2
fi
if [[ ! -f "$REUTERS" ]]; then
    echo "note: $REUTERS not found; the Reuters runs are skipped" >&2
    REUTERS=""
fi
for tool in cargo python3; do
    command -v "$tool" >/dev/null || { echo "$tool not found on PATH" >&2; exit 2; }
done

echo "building release binary ..." >&2
cargo build --release --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET_DIR/release/stemma"
[[ -x "$BIN" ]] || { echo "$BIN was not built" >&2; exit 1; }

WORK_DIR="${WORK_DIR:-$TARGET_DIR/e2e}"
[[ "$WORK_DIR" == /* ]] || WORK_DIR="$CALLER_PWD/$WORK_DIR"
mkdir -p "$WORK_DIR"
WORK_DIR="$(cd "$WORK_DIR" && pwd)"

# Decompress IMDB once (the .zst input is benchmarked too: stemma reads it directly).
IMDB_PLAIN="$WORK_DIR/imdb.jsonl"
if [[ ! -s "$IMDB_PLAIN" || "$IMDB_ZST" -nt "$IMDB_PLAIN" ]]; then
    echo "decompressing $IMDB_ZST -> $IMDB_PLAIN ..." >&2
    if command -v zstd >/dev/null; then
        zstd -d -q -f "$IMDB_ZST" -o "$IMDB_PLAIN.part"
        chmod u+w "$IMDB_PLAIN.part"
        mv "$IMDB_PLAIN.part" "$IMDB_PLAIN"
    elif python3 -c 'import zstandard' 2>/dev/null; then
        python3 - "$IMDB_ZST" "$IMDB_PLAIN.part" <<'EOF'
import sys, zstandard
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    zstandard.ZstdDecompressor().copy_stream(src, dst)
EOF
        mv "$IMDB_PLAIN.part" "$IMDB_PLAIN"
    else
        echo "note: neither zstd nor python zstandard found; only the .zst input is run" >&2
        IMDB_PLAIN=""
    fi
fi

export BIN WORK_DIR IMDB_ZST IMDB_PLAIN REUTERS REPO
export REPEATS="${REPEATS:-3}" THREADS="${THREADS:-1 $(nproc)}" QUICK="${QUICK:-0}"
export WAIT_IDLE="${WAIT_IDLE:-60}"

exec python3 - <<'PYEOF'
import hashlib, json, os, platform, re, statistics, subprocess, sys, time

BIN = os.environ["BIN"]
WORK = os.environ["WORK_DIR"]
REPEATS = 1 if os.environ["QUICK"] == "1" else max(1, int(os.environ["REPEATS"]))
THREADS = sorted(set(int(t) for t in os.environ["THREADS"].split()))
QUICK = os.environ["QUICK"] == "1"
WAIT_IDLE = int(os.environ["WAIT_IDLE"])

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""

def text_bytes(path):
    """Documents and UTF-8 bytes of their `text` fields (what MB/s is measured against)."""
    n = b = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                n += 1
                b += len(json.loads(line).get("text", "").encode())
    return n, b

def busy_seconds():
    """CPU-seconds the whole machine has been busy (all cores), from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")

def wait_idle():
    """Waits (up to WAIT_IDLE seconds) until other processes use less than 0.25 core."""
    deadline = time.time() + WAIT_IDLE
    while time.time() < deadline:
        b0 = busy_seconds()
        if b0 is None:
            return
        time.sleep(1)
        if busy_seconds() - b0 < 0.25:
            return
    log("  (machine still busy after %d s; running anyway)" % WAIT_IDLE)

def timed(cmd):
    """Runs cmd; returns (wall s, user s, sys s, peak RSS MiB, stderr, other load in cores).
    rusage is of this child only; other load = the machine's busy CPU during the run minus ours."""
    wait_idle()
    b0 = busy_seconds()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        log("FAILED (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), err.decode(errors="replace")))
        sys.exit(1)
    b1 = busy_seconds()
    other = None if b0 is None else max(0.0, (b1 - b0 - ru.ru_utime - ru.ru_stime) / wall)
    return wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss / 1024, err.decode(errors="replace"), other

def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def scan_counts(report_path):
    r = json.load(open(report_path))
    rel = {}
    for p in r["pairs"]:
        rel[p["relation"]] = rel.get(p["relation"], 0) + 1
    order = ["duplicate", "near-duplicate", "excerpt", "partial-reuse", "rewrite"]
    rel_s = ", ".join("%s %d" % (k, rel[k]) for k in order + sorted(set(rel) - set(order)) if k in rel)
    st = r.get("stats", {})
    return ("%d pairs (%s); %d families; %d candidates verified"
            % (len(r["pairs"]), rel_s, len(r["families"]), st.get("verified", -1)))

def dedup_counts(stderr):
    m = re.search(r"read (\d+) records, kept (\d+), removed (\d+) \((\d+) duplicate pairs from (\d+) candidates, banding (\d+x\d+)\)", stderr)
    if not m:
        return "?"
    return "kept %s, removed %s; %s pairs from %s candidates (banding %s)" % m.group(2, 3, 4, 5, 6)

datasets = []
if os.environ["IMDB_PLAIN"]:
    datasets.append(("IMDB", os.environ["IMDB_PLAIN"], True))
if not QUICK or not os.environ["IMDB_PLAIN"]:
    datasets.append(("IMDB (.zst)", os.environ["IMDB_ZST"], False))
if os.environ["REUTERS"]:
    datasets.append(("Reuters", os.environ["REUTERS"], True))

sizes = {}  # input path -> (docs, text bytes); the .zst input counts as its decompressed copy
for name, path, _ in datasets:
    plain = os.environ["IMDB_PLAIN"] if path == os.environ["IMDB_ZST"] else path
    if plain and plain not in sizes:
        log("counting text bytes of %s ..." % plain)
        sizes[plain] = text_bytes(plain)
    sizes[path] = sizes.get(plain)

rows, digests, notes = [], {}, []
for name, path, all_threads in datasets:
    tcounts = THREADS if all_threads else THREADS[-1:]
    for cmd_name in ("scan", "dedup"):
        for t in tcounts:
            tag = "%s-%s-t%d" % (re.sub(r"\W+", "", name.lower()), cmd_name, t)
            out = os.path.join(WORK, tag)
            if cmd_name == "scan":
                cmd = [BIN, "scan", path, "--quiet", "--json", out + ".json", "--threads", str(t)]
                outputs = [out + ".json"]
            else:
                cmd = [BIN, "dedup", path, "-o", out + ".kept.jsonl", "--removed",
                       out + ".removed.jsonl", "--threads", str(t)]
                outputs = [out + ".kept.jsonl", out + ".removed.jsonl"]
            runs = []
            for i in range(REPEATS):
                log("%s %s --threads %d  run %d/%d ..." % (name, cmd_name, t, i + 1, REPEATS))
                runs.append(timed(cmd))
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] + r[2] for r in runs)
            rss = statistics.median(r[3] for r in runs)
            others = [r[5] for r in runs if r[5] is not None]
            found = scan_counts(outputs[0]) if cmd_name == "scan" else dedup_counts(runs[-1][4])
            docs, nbytes = sizes[path] if sizes[path] else (None, None)
            rows.append({
                "data": name, "command": cmd_name, "threads": t, "runs": REPEATS,
                "wall_s": wall, "wall_min": min(r[0] for r in runs), "wall_max": max(r[0] for r in runs),
                "cpu_s": cpu, "peak_rss_mib": rss,
                "other_load": statistics.median(others) if others else None,
                "other_load_max": max(others) if others else None,
                "docs_per_s": docs / wall if docs else None,
                "mb_per_s": nbytes / 1e6 / wall if nbytes else None,
                "mb_per_cpu_s": nbytes / 1e6 / cpu if nbytes and cpu > 0 else None,
                "found": found, "command_line": " ".join(cmd),
            })
            digests.setdefault((name, cmd_name), {})[t] = [digest(o) for o in outputs]

for (name, cmd_name), by_t in digests.items():
    if len(set(map(tuple, by_t.values()))) > 1:
        notes.append("**outputs differ across thread counts** for %s %s" % (name, cmd_name))
    elif len(by_t) > 1:
        notes.append("%s %s: outputs byte-identical for threads %s" % (name, cmd_name, ", ".join(map(str, by_t))))

def f(x, fmt):
    return "—" if x is None else fmt % x

commit = sh("git -C '%s' rev-parse --short HEAD" % os.environ["REPO"]) or "?"
dirty = " (+ uncommitted changes)" if sh("git -C '%s' status --porcelain --untracked-files=no" % os.environ["REPO"]) else ""
cpu_model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip() or platform.processor()
mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
print("## stemma end-to-end benchmark\n")
print("- commit %s%s, %s" % (commit, dirty, sh("%s --version" % BIN)))
print("- machine: %s, %s cores, %s RAM; load average at end: %s" % (cpu_model, os.cpu_count(), mem, " ".join("%.2f" % x for x in os.getloadavg())))
print("- %s; median of %d run(s) per row; MB = 10^6 bytes of UTF-8 `text`; RSS = peak resident set (wait4); CPU s = user + system (MB per CPU s: throughput per busy core, the figure least disturbed by other load); other load = cores used by other processes during the run (median, max)" % (sh("rustc --version"), REPEATS))
for name, path, _ in datasets:
    if sizes.get(path):
        print("- %s: `%s`, %d docs, %.1f MB of text" % (name, path, sizes[path][0], sizes[path][1] / 1e6))
print()
print("| data | command | threads | wall s (min–max) | CPU s | docs/s | MB/s | MB per CPU s | peak RSS MiB | other load | found |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    print("| %s | %s | %d | %.2f (%.2f–%.2f) | %.2f | %s | %s | %s | %.0f | %s | %s |" % (
        r["data"], r["command"], r["threads"], r["wall_s"], r["wall_min"], r["wall_max"], r["cpu_s"],
        f(r["docs_per_s"], "%.0f"), f(r["mb_per_s"], "%.1f"), f(r["mb_per_cpu_s"], "%.1f"), r["peak_rss_mib"],
        f(r["other_load"], "%.2f") + ("" if r["other_load_max"] is None else " (max %.2f)" % r["other_load_max"]),
        r["found"]))
print()
for n in notes:
    print("- " + n)
with open(os.path.join(WORK, "results.json"), "w") as fh:
    json.dump(rows, fh, indent=1)
log("raw figures: %s" % os.path.join(WORK, "results.json"))
PYEOF
