#!/usr/bin/env python3
"""Draws a stratified sample of reported pairs for judging (precision as a user sees it).

    python3 benches/calibrate/sample.py PAIRS.jsonl SEED PER_STRATUM [EXCLUDE.jsonl ...] > sample.jsonl

PAIRS.jsonl is `stemma scan ... --pairs` output. Strata: relation x longest verbatim run below /
at least 30 tokens (duplicates, near-duplicates and excerpts are exact and not sampled). Pairs in
the EXCLUDE files (earlier judged samples) are not drawn again. Prints one line per drawn pair
(a, b, stratum, relation, longest run) and, on stderr, the stratum sizes for weighting.
Standard library only; deterministic for a seed.
"""
import json
import random
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    pairs_path, seed, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seen = set()
    for path in sys.argv[4:]:
        for line in open(path, encoding="utf-8"):
            o = json.loads(line)
            if "a" in o:
                seen.add(tuple(sorted((o["a"], o["b"]))))
    strata = {}
    for line in open(pairs_path, encoding="utf-8"):
        p = json.loads(line)
        if p["relation"] not in ("partial-reuse", "rewrite"):
            continue
        run = "run>=30" if p["longest_run_tokens"] >= 30 else "run<30"
        strata.setdefault(f"{p['relation']}/{run}", []).append(p)
    rng = random.Random(seed)
    for name in sorted(strata):
        pool = strata[name]
        print(f"{name}: {len(pool)} pairs", file=sys.stderr)
        fresh = [p for p in pool if tuple(sorted((p["a"], p["b"]))) not in seen]
        for p in rng.sample(fresh, min(per, len(fresh))):
            print(json.dumps({"a": p["a"], "b": p["b"], "stratum": name,
                              "relation": p["relation"], "longest_run": p["longest_run_tokens"]}))


if __name__ == "__main__":
    main()
