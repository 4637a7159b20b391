#!/usr/bin/env bash
# Side-by-side benchmark: stemma dedup vs datasketch, rensa and gaoya on one JSONL corpus.
# See benches/peers/README.md. Writes only under target/ (venv, build) and a temp dir.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: benches/peers/run.sh [OPTIONS] [CORPUS]

CORPUS      JSONL with `id` and `text` (.jsonl, .jsonl.zst or .jsonl.gz).
            Default: ../shared/data/imdb-reviews/docs.jsonl.zst relative to the repo root.
Options:
  --docs N           use only the first N documents (quick runs)
  --repeats N        interleaved repeats per threshold, median reported (default 3)
  --thresholds LIST  comma-separated, among 0.8 and 0.5 (default 0.8,0.5)
  --tools LIST       subset of stemma,datasketch,rensa,gaoya (default: all)
  --no-scan          skip the extra `stemma scan` row
  --out FILE         also write the markdown report to FILE (e.g. benches/runs/DATE-peers.md)
  -h, --help         this help
Environment: PYTHON (default python3, must be >= 3.9), CARGO_TARGET_DIR (honoured).
EOF
}

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/benches/peers"
PINS=(datasketch==2.0.0 rensa==0.5.0 gaoya==0.2.2)

docs="" repeats=3 thresholds="0.8,0.5" tools="stemma,datasketch,rensa,gaoya" scan=1 out="" corpus=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --docs) docs="${2:?--docs needs a number}"; shift 2 ;;
        --repeats) repeats="${2:?--repeats needs a number}"; shift 2 ;;
        --thresholds) thresholds="${2:?--thresholds needs a list}"; shift 2 ;;
        --tools) tools="${2:?--tools needs a list}"; shift 2 ;;
        --no-scan) scan=0; shift ;;
        --out) out="${2:?--out needs a file}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [[ -z "$corpus" ]] || { echo "run.sh: one corpus only" >&2; exit 2; }; corpus="$1"; shift ;;
    esac
done
if [[ -n "$docs" && ! "$docs" =~ ^[1-9][0-9]*$ ]]; then echo "run.sh: --docs must be a positive integer" >&2; exit 2; fi
if [[ ! "$repeats" =~ ^[1-9][0-9]*$ ]]; then echo "run.sh: --repeats must be a positive integer" >&2; exit 2; fi

if [[ -z "$corpus" ]]; then
    corpus="$REPO/../shared/data/imdb-reviews/docs.jsonl.zst"
    if [[ ! -f "$corpus" ]]; then
        cat >&2 <<EOF
run.sh: the default corpus is missing: $corpus
  It is the IMDB Large Movie Review Dataset as 100,000 JSONL records {"id": ..., "text": ...},
  zstd-compressed (about 38 MB; 130 MB decompressed), expected at
  ../shared/data/imdb-reviews/docs.jsonl.zst next to the repository (one review per line,
  from the Large Movie Review Dataset, Maas et al. 2011). Or pass any JSONL file with id and
  text:
  benches/peers/run.sh path/to/corpus.jsonl
EOF
        exit 1
    fi
fi
[[ -f "$corpus" ]] || { echo "run.sh: no such file: $corpus" >&2; exit 1; }
corpus="$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")"
if [[ -n "$out" ]]; then
    mkdir -p "$(dirname "$out")"
    out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
fi

export PYTHONDONTWRITEBYTECODE=1  # nothing written into the source tree
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || { echo "run.sh: $PYTHON not found (Python >= 3.9 needed)" >&2; exit 1; }
command -v cargo >/dev/null || { echo "run.sh: cargo not found (https://rustup.rs)" >&2; exit 1; }

# 1. Python environment with the pinned peers (re-installed only when the pins change).
VENV="$REPO/target/peers-venv"
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "run.sh: creating $VENV" >&2
    mkdir -p "$REPO/target"
    "$PYTHON" -m venv "$VENV"
fi
if [[ "$(cat "$VENV/.pins" 2>/dev/null || true)" != "${PINS[*]}" ]]; then
    echo "run.sh: installing ${PINS[*]}" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
    echo "${PINS[*]}" > "$VENV/.pins"
fi

# 2. stemma, release build.
echo "run.sh: building stemma (cargo build --release)" >&2
(cd "$REPO" && cargo build --release --quiet)
STEMMA="${CARGO_TARGET_DIR:-$REPO/target}/release/stemma"
[[ "$STEMMA" = /* ]] || STEMMA="$REPO/$STEMMA"
[[ -x "$STEMMA" ]] || { echo "run.sh: no binary at $STEMMA after the build" >&2; exit 1; }

# 3. The corpus, decompressed (and cut to --docs) in a temp dir removed on exit.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/stemma-peers.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
input="$WORK/input.jsonl"
case "$corpus" in
    *.zst) command -v zstd >/dev/null || { echo "run.sh: zstd is needed to read $corpus (apt install zstd)" >&2; exit 1; }
           zstd -dcq "$corpus" > "$WORK/full.jsonl" ;;
    *.gz)  gzip -dc "$corpus" > "$WORK/full.jsonl" ;;
    *)     ln -s "$corpus" "$WORK/full.jsonl" ;;
esac
source="$corpus"
if [[ -n "$docs" ]]; then
    head -n "$docs" "$WORK/full.jsonl" > "$input"
    rm -f "$WORK/full.jsonl"
    source="$corpus (first $docs lines)"
else
    mv "$WORK/full.jsonl" "$input"
fi

# 4. The driver.
args=(--input "$input" --stemma "$STEMMA" --repo "$REPO" --repeats "$repeats"
      --thresholds "$thresholds" --tools "$tools" --workdir "$WORK" --source "$source")
[[ $scan -eq 1 ]] || args+=(--no-scan)
[[ -z "$out" ]] || args+=(--out "$out")
"$VENV/bin/python" "$HERE/driver.py" "${args[@]}"
