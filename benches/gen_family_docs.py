#!/usr/bin/env python3
"""Generates a JSONL corpus of many two-member families from IMDB reviews, for the report
scaling figures (issue #16: rendering must stay linear in families).

Takes the first BASES reviews of SRC (a .jsonl or .jsonl.zst of `{"id", "text"}` lines) and
writes each one followed by an edited copy: one word in forty (at least one) replaced by a
word from a short list, at positions drawn from a seeded generator, so the copy is a
near-duplicate or rewrite of its original and of nothing else. Output is deterministic.
Usage:

    python3 benches/gen_family_docs.py /work/shared/data/imdb-reviews/docs.jsonl.zst 50000 > /tmp/fam-100k.jsonl

With BASES above the number of reviews, base k >= 100 000 is review k mod 100 000 with its
words shuffled (seeded by k), so every base is distinct from every other (no shared 5-word
runs to speak of) and families stay two-member:

    python3 benches/gen_family_docs.py /work/shared/data/imdb-reviews/docs.jsonl.zst 500000 > /tmp/fam-1m.jsonl
"""
import json
import random
import subprocess
import sys

WORDS = ["quite", "rather", "really", "somewhat", "truly", "fairly", "very", "simply"]


def reviews(src):
    if src.endswith(".zst"):
        p = subprocess.Popen(["zstd", "-dc", src], stdout=subprocess.PIPE)
        lines = p.stdout
    else:
        lines = open(src, "rb")
    for line in lines:
        yield json.loads(line)


def main():
    src, bases = sys.argv[1], int(sys.argv[2])
    pool = []
    for r in reviews(src):
        pool.append((r["id"], r["text"]))
        if len(pool) >= bases:
            break
    out = sys.stdout
    for k in range(bases):
        rid, text = pool[k % len(pool)]
        words = text.split()
        if k >= len(pool):
            random.Random(k).shuffle(words)
            rid = f"{rid}~v{k // len(pool)}"
            text = " ".join(words)
        rng = random.Random(k * 7919 + 1)
        edited = list(words)
        for _ in range(max(1, len(words) // 40)):
            i = rng.randrange(len(edited))
            edited[i] = WORDS[rng.randrange(len(WORDS))]
        out.write(json.dumps({"id": rid, "text": text}) + "\n")
        out.write(json.dumps({"id": rid + "~edited", "text": " ".join(edited)}) + "\n")


if __name__ == "__main__":
    main()
