#!/usr/bin/env bash
# Family-heavy scaling (issue 16): `scan` and `trace` on the 100k IMDB reviews and on corpora of
# two-member families (benches/gen_family_docs.py), one line per run with elapsed seconds, user
# and system CPU seconds, peak RSS (KiB) and the load average, for benches/runs/.
#
#   python3 benches/gen_family_docs.py /work/shared/data/imdb-reviews/docs.jsonl.zst 50000 > DIR/fam-100k.jsonl
#   python3 benches/gen_family_docs.py /work/shared/data/imdb-reviews/docs.jsonl.zst 500000 > DIR/fam-1m.jsonl
#   zstd -dc /work/shared/data/imdb-reviews/docs.jsonl.zst > DIR/imdb-100k.jsonl
#   benches/family_scale.sh target/release/stemma DIR ROUNDS CORPUS... [-- COMMAND...]
#
# CORPUS names DIR/CORPUS.jsonl; COMMAND defaults to "scan" "scan -q" "trace" "trace -q"
# (without -q the summary goes to stdout, kept in DIR/out/). Rounds interleave the corpora, so
# a slow spell of a shared machine falls on every corpus alike.
set -euo pipefail
bin=$1 dir=$2 rounds=$3
shift 3
corpora=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do corpora+=("$1"); shift; done
[ $# -gt 0 ] && shift
commands=("$@")
[ ${#commands[@]} -eq 0 ] && commands=("scan" "scan -q" "trace" "trace -q")
mkdir -p "$dir/out"
echo "# $("$bin" --version) on $(nproc) cores; round|corpus|command|elapsed user sys maxKiB|load average"
for round in $(seq 1 "$rounds"); do
  for corpus in "${corpora[@]}"; do
    for cmd in "${commands[@]}"; do
      # shellcheck disable=SC2086 # the command's words are meant to split
      /usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" \
        "$bin" $cmd "$dir/$corpus.jsonl" > "$dir/out/$corpus-${cmd// /}.txt"
      echo "$round|$corpus|$cmd|$(cat "$dir/time.txt")|$(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
