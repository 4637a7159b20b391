#!/usr/bin/env bash
# Fuzz stemma with cargo-fuzz (libFuzzer). See fuzz/README.md.
#
#   fuzz/run.sh [-t SECONDS] [--no-cmin] [TARGET...]
#
# Installs cargo-fuzz (pinned, --locked) if it is missing, builds the targets (nightly
# toolchain, debug assertions and overflow checks on), then runs each TARGET (default: all of
# normalize_tokenize, jsonl_reader, index_readers, align) one after the other for SECONDS
# (default 120, or $FUZZ_SECONDS) as one libFuzzer process (one job, one worker: libFuzzer's
# default; `-jobs=1` would only move the output into fuzz-0.log), seeded from the committed corpus
# fuzz/corpus/<target>/ and the hand-written seeds fuzz/seeds/<target>/. New interesting
# inputs go into fuzz/corpus/<target>/, which is then minimized with `cargo fuzz cmin` so what
# is committed stays small (skip with --no-cmin). A crash, panic, timeout (10 s per input) or
# out-of-memory (2048 MB) is saved under fuzz/artifacts/<target>/ and makes the script exit 1
# after the remaining targets ran; reproduce it with
#   cargo +nightly fuzz run -a <target> fuzz/artifacts/<target>/<file>
# After each run its last libFuzzer status line (execs/s, cov, ft, corpus) is printed, and
# the full logs are in fuzz/logs/<target>.log.
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.1
ALL=(normalize_tokenize jsonl_reader index_readers align)

seconds=${FUZZ_SECONDS:-120}
cmin=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t) seconds=$2; shift 2 ;;
    --no-cmin) cmin=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")

max_len() {
  case "$1" in
    normalize_tokenize) echo 4096 ;;
    jsonl_reader) echo 8192 ;;
    index_readers) echo 16384 ;;
    align) echo 4096 ;;
    *) echo "unknown target $1 (known: ${ALL[*]})" >&2; exit 2 ;;
  esac
}

# Extra libFuzzer flags. index_readers mutates whole segment files (the seeds are ~9 KB), and
# align must see long texts for its bounded-work check to mean anything: without
# -len_control=0 libFuzzer grows inputs slowly from a few bytes (runs of 240 s stayed under
# ~800 bytes).
extra() {
  case "$1" in
    index_readers|align) echo "-len_control=0" ;;
    *) echo "" ;;
  esac
}

cd "$(dirname "$0")"
for t in "${targets[@]}"; do max_len "$t" >/dev/null; done

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

# -a: debug assertions (and with them overflow checks) in the fuzzed code.
FUZZ=(cargo +nightly fuzz)
"${FUZZ[@]}" build -a

# The query path uses rayon; one thread keeps each run on one core.
export RAYON_NUM_THREADS=1
mkdir -p logs
failed=()
for t in "${targets[@]}"; do
  len=$(max_len "$t")
  mkdir -p "corpus/$t" "seeds/$t" "artifacts/$t"
  echo "== $t: ${seconds}s, -max_len=$len"
  if ! "${FUZZ[@]}" run -a "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 $(extra "$t") >"logs/$t.log" 2>&1; then
    failed+=("$t")
    echo "!! $t failed: see fuzz/logs/$t.log and fuzz/artifacts/$t/"
  fi
  grep -E '^#[0-9]+' "logs/$t.log" | tail -n 1 || true
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "logs/$t.log" || true
  if [ "$cmin" = 1 ]; then
    # -use_counters=0: keep one input per new edge, not per new hit count of an edge, so the
    # committed corpus keeps all coverage in far fewer files.
    "${FUZZ[@]}" cmin -a "$t" "corpus/$t" -- -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
      -use_counters=0 \
      >"logs/$t.cmin.log" 2>&1 || echo "!! cmin of $t failed: see fuzz/logs/$t.cmin.log"
  fi
  echo "   corpus/$t: $(find "corpus/$t" -type f -printf '%s\n' | awk '{n++; s+=$1} END {printf "%d files, %d bytes", n, s}')"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes in: ${failed[*]}"
  exit 1
fi
echo "all targets ran without a crash"
