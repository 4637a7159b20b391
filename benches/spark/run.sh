#!/usr/bin/env bash
# Spark benchmark: stemma.spark.dedup vs MLlib MinHashLSH approxSimilarityJoin vs the CLI's
# stemma dedup on one JSONL corpus, scored against the exact all-pairs truth.
# See benches/spark/README.md. Writes only under the target dir (venv, build) and a temp dir.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: benches/spark/run.sh [OPTIONS] [CORPUS]

CORPUS      JSONL with `id` and `text` (.jsonl, .jsonl.zst or .jsonl.gz).
            Default: ../shared/data/imdb-reviews/docs.jsonl.zst relative to the repo root.
Options:
  --docs N              use only the first N documents (quick runs)
  --threshold T         Jaccard threshold (default 0.8)
  --tables L            MLlib MinHashLSH numHashTables (default 5)
  --methods LIST        subset of stemma-cli,stemma-spark,mllib (default: all)
  --master URL          Spark master (default local[2])
  --driver-memory MEM   spark.driver.memory (default 4g)
  --out FILE            also write the markdown report to FILE
  -h, --help            this help
Environment: VENV (a virtualenv with './python[spark]' and psutil installed; default: created
under the target dir as spark-venv), CARGO_TARGET_DIR (honoured).
USAGE
}

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/benches/spark"
docs="" threshold="0.8" tables="5" methods="stemma-cli,stemma-spark,mllib" master="local[2]"
memory="4g" out="" corpus=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --docs) docs="${2:?--docs needs a number}"; shift 2 ;;
        --threshold) threshold="${2:?--threshold needs a value}"; shift 2 ;;
        --tables) tables="${2:?--tables needs a number}"; shift 2 ;;
        --methods) methods="${2:?--methods needs a list}"; shift 2 ;;
        --master) master="${2:?--master needs a URL}"; shift 2 ;;
        --driver-memory) memory="${2:?--driver-memory needs a size}"; shift 2 ;;
        --out) out="${2:?--out needs a file}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [[ -z "$corpus" ]] || { echo "run.sh: one corpus only" >&2; exit 2; }; corpus="$1"; shift ;;
    esac
done
if [[ -n "$docs" && ! "$docs" =~ ^[1-9][0-9]*$ ]]; then echo "run.sh: --docs must be a positive integer" >&2; exit 2; fi
if [[ ! "$tables" =~ ^[1-9][0-9]*$ ]]; then echo "run.sh: --tables must be a positive integer" >&2; exit 2; fi

if [[ -z "$corpus" ]]; then
    corpus="$REPO/../shared/data/imdb-reviews/docs.jsonl.zst"
    [[ -f "$corpus" ]] || { echo "run.sh: the default corpus is missing: $corpus (IMDB reviews, 100,000 JSONL records with id and text, zstd); pass any JSONL corpus instead" >&2; exit 1; }
fi
[[ -f "$corpus" ]] || { echo "run.sh: no such file: $corpus" >&2; exit 1; }
corpus="$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")"
if [[ -n "$out" ]]; then
    mkdir -p "$(dirname "$out")"
    out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
fi
command -v java >/dev/null || { echo "run.sh: Spark needs a Java runtime (e.g. apt install openjdk-17-jre-headless)" >&2; exit 1; }
command -v cargo >/dev/null || { echo "run.sh: cargo not found (https://rustup.rs)" >&2; exit 1; }
export PYTHONDONTWRITEBYTECODE=1

TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
[[ "$TARGET" = /* ]] || TARGET="$REPO/$TARGET"

# 1. The CLI, release build.
echo "run.sh: building stemma (cargo build --release)" >&2
(cd "$REPO" && cargo build --release --locked --quiet --bin stemma)
STEMMA="$TARGET/release/stemma"

# 2. A virtualenv with the Python package, its Spark extra and psutil (for memory sampling).
VENV="${VENV:-$TARGET/spark-venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "run.sh: creating $VENV and installing './python[spark]' psutil (builds the package)" >&2
    "${PYTHON:-python3}" -m venv "$VENV"
    (cd "$REPO" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check './python[spark]' psutil)
fi
"$VENV/bin/python" -c 'import stemma.spark, psutil' 2>/dev/null || {
    echo "run.sh: $VENV lacks stemma[spark] or psutil: $VENV/bin/python -m pip install './python[spark]' psutil" >&2; exit 1; }

# 3. The corpus, decompressed (and cut to --docs) in a temp dir removed on exit.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/stemma-spark.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
input="$WORK/input.jsonl"
case "$corpus" in
    *.zst) command -v zstd >/dev/null || { echo "run.sh: zstd is needed to read $corpus" >&2; exit 1; }
           zstd -dcq "$corpus" > "$WORK/full.jsonl" ;;
    *.gz)  gzip -dc "$corpus" > "$WORK/full.jsonl" ;;
    *)     cp "$corpus" "$WORK/full.jsonl" ;;
esac
source="$corpus"
if [[ -n "$docs" ]]; then
    head -n "$docs" "$WORK/full.jsonl" > "$input"
    rm -f "$WORK/full.jsonl"
    source="$corpus (first $docs lines)"
else
    mv "$WORK/full.jsonl" "$input"
fi

# 4. The driver: each method in its own process, then the scores.
args=(--input "$input" --stemma "$STEMMA" --workdir "$WORK" --source "$source"
      --threshold "$threshold" --tables "$tables" --methods "$methods" --master "$master"
      --driver-memory "$memory")
[[ -z "$out" ]] || args+=(--out "$out")
"$VENV/bin/python" "$HERE/driver.py" "${args[@]}"
