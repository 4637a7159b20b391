#!/usr/bin/env python3
"""Generates a JSONL corpus of DOCS documents of about BYTES bytes each from IMDB reviews, for
the dedup streaming figures (same number of documents, different total text size).

Each document concatenates randomly chosen reviews (a seeded choice per document) and deletes
one random word from each review it uses, so no document is a plain copy of a review. Every 10th
document is an earlier document (5 back) rebuilt from its seed with a few more words deleted: a
near-duplicate to find. Usage:

    python3 benches/gen_imdb_docs.py /tmp/imdb.jsonl 200000 5000  > /tmp/dd-1g.jsonl   # ~1 GB
    python3 benches/gen_imdb_docs.py /tmp/imdb.jsonl 200000 20000 > /tmp/dd-4g.jsonl   # ~4 GB

With a fourth argument WINDOW, each part is a random run of WINDOW words from a random review
instead of a whole review, so documents of review size are not copies of each other however
many are generated (the scaling runs: the 100 000 reviews would otherwise repeat, and pairs
grow with the square of the document count):

    python3 benches/gen_imdb_docs.py /tmp/imdb.jsonl 1000000 1300 40 > /tmp/g1m.jsonl  # ~1.4 GB
"""
import json
import random
import sys


def main():
    src, docs, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    window = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with open(src, encoding="utf-8") as f:
        reviews = [json.loads(line)["text"] for line in f]
    if window:
        reviews = [r.split() for r in reviews]
    out = sys.stdout

    def pick(rng):
        r = reviews[rng.randrange(len(reviews))]
        if not window:
            return r
        start = rng.randrange(max(1, len(r) - window + 1))
        return " ".join(r[start:start + window])

    def build(seed):
        rng = random.Random(seed)
        parts, n = [], 0
        while n < size:
            r = pick(rng)
            cut = rng.randrange(len(r))
            sp = r.find(" ", cut)
            if sp > 0:
                nxt = r.find(" ", sp + 1)
                r = r[:sp] + (r[nxt:] if nxt > 0 else "")
            parts.append(r)
            n += len(r) + 1
        return " ".join(parts)

    for d in range(docs):
        if d % 10 == 9:
            text = build(d - 5)
            rng = random.Random(~d)
            for _ in range(3):
                cut = rng.randrange(len(text))
                sp = text.find(" ", cut)
                if sp > 0:
                    nxt = text.find(" ", sp + 1)
                    text = text[:sp] + (text[nxt:] if nxt > 0 else "")
        else:
            text = build(d)
        out.write(json.dumps({"id": f"g{d}", "text": text}))
        out.write("\n")


if __name__ == "__main__":
    main()
