#!/usr/bin/env python3
"""Scores `stemma trace` as a user runs it on the labelled corpora (whole dev sets, defaults):
binary and 3-way macro-F1 over the labelled pairs (a pair the run does not report is "none"),
and direction among found derived pairs (from the pair's direction verdict and the stemma).

    python3 benches/calibrate/eval.py [STEMMA_BINARY] [DATA_DIR]

The figures it prints are in-sample for the decision's coefficients (fitted on these sets):
the honest accuracy is the cross-validated table of fit.py; this checks the whole pipeline
(candidates, verification, families, direction) end to end.
"""
import json
import os
import subprocess
import sys
import tempfile

from fit import macro_f1

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "stemma")
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared", "data")
DERIVED = {"partially-derived", "wholly-derived", "near-copy", "light-revision", "heavy-revision"}


def run(corpus):
    d = os.path.join(DATA, corpus)
    with tempfile.TemporaryDirectory() as tmp:
        pairs_path, stemma_path = os.path.join(tmp, "p.jsonl"), os.path.join(tmp, "s.jsonl")
        subprocess.run([BIN, "trace", os.path.join(d, "docs.jsonl"), "-q", "--pairs", pairs_path,
                        "--stemma", stemma_path], check=True)
        pairs = {}
        for line in open(pairs_path):
            p = json.loads(line)
            pairs[(p["a"], p["b"])] = p
        parent = {}
        for line in open(stemma_path):
            e = json.loads(line)
            parent[e["child"]] = e["parent"]
    truth = [json.loads(l) for l in open(os.path.join(d, "truth.jsonl"))]
    truth = [t for t in truth if "a" in t and "basis" not in t]
    labelled = {(min(t["a"], t["b"]), max(t["a"], t["b"])) for t in truth}
    binary, three = [], []
    right = wrong = unplaced = found = 0
    for t in truth:
        key = (min(t["a"], t["b"]), max(t["a"], t["b"]))
        p = pairs.get(key)
        rel = p["relation"] if p else "none"
        derived = t["label"] in DERIVED
        binary.append((derived, rel != "none"))
        want = "WD" if t["label"] == "wholly-derived" else ("PD" if derived else "ND")
        three.append((want, {"none": "ND", "partial-reuse": "PD"}.get(rel, "WD")))
        if derived and p:
            found += 1
            src, dst = t["a"], t["b"]
            verdict = p.get("direction", {}).get("verdict", "undetermined")
            # Stemma: dst under src (right), src under dst (wrong), else the pair verdict.
            if parent.get(dst) == src:
                right += 1
            elif parent.get(src) == dst:
                wrong += 1
            elif verdict in ("a->b", "b->a"):
                # The verdict names the pair's own a and b (a < b by id).
                if (verdict == "a->b") == (p["a"] == src):
                    right += 1
                else:
                    wrong += 1
            else:
                unplaced += 1
    others = sum(1 for k in pairs if k not in labelled)
    print(f"{corpus:>12}: binary macro-F1 {macro_f1(binary):.3f}, 3-way {macro_f1(three):.3f}; "
          f"derived pairs found {found}/{sum(t['label'] in DERIVED for t in truth)}; "
          f"direction right {right}, wrong {wrong}, not placed {unplaced}; "
          f"{len(pairs)} pairs reported, {others} not labelled")


for c in ("counter-dev", "clough"):
    run(c)
