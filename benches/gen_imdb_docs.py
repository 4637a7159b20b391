#!/usr/bin/env python3
"""Generates a JSONL corpus of DOCS documents of about BYTES bytes each from IMDB reviews, for
the dedup streaming figures (same number of documents, different total text size).

Each document concatenates randomly chosen reviews (a seeded choice per document) and deletes
one random word from each review it uses, so no document is a plain copy of a review. Every 10th
document is an earlier document (5 back) rebuilt from its seed with a few more words deleted: a
near-duplicate to find. Usage:

    python3 benches/gen_imdb_docs.py /tmp/imdb.jsonl 200000 5000  > /tmp/dd-1g.jsonl   # ~1 GB
    python3 benches/gen_imdb_docs.py /tmp/imdb.jsonl 200000 20000 > /tmp/dd-4g.jsonl   # ~4 GB
"""
import json
import random
import sys


def main():
    src, docs, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(src, encoding="utf-8") as f:
        reviews = [json.loads(line)["text"] for line in f]
    out = sys.stdout

    def build(seed):
        rng = random.Random(seed)
        parts, n = [], 0
        while n < size:
            r = reviews[rng.randrange(len(reviews))]
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
