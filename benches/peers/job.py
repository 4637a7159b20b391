"""The job every tool in the peers benchmark does, written once for the Python side.

- text lower-cased (str.lower); tokens = maximal runs of Unicode letters and digits
  (the regex class [^\\W_]: word characters without the underscore);
- shingles = the set of word 5-grams (tokens joined by one space); a document with at least one
  but fewer than 5 tokens has one shingle made of all its tokens (as stemma's src/shingle.rs
  does); a document with no token has no shingle and is never paired;
- 128 permutations, LSH 16x8 at threshold 0.8 and 32x4 at 0.5, a candidate is kept when its
  estimated Jaccard is >= the threshold, clusters = union-find groups of size >= 2.

stemma additionally applies NFKC normalization to tokens; on mostly-ASCII text (IMDB) this
changes nothing measurable.
"""

import json
import re

K = 5
NUM_PERM = 128
BANDING = {0.8: (16, 8), 0.5: (32, 4)}

TOKEN_RE = re.compile(r"[^\W_]+")


def banding(threshold):
    """(bands, rows) for a threshold: the job's fixed choices, else rows from a simple rule."""
    for t, br in BANDING.items():
        if abs(t - threshold) < 1e-9:
            return br
    raise SystemExit(f"no banding defined for threshold {threshold}; known: {sorted(BANDING)}")


def tokens(text):
    return TOKEN_RE.findall(text.lower())


def shingles(text, k=K):
    """The set of word k-gram strings of `text` (see the module docstring)."""
    t = tokens(text)
    n = len(t)
    if n == 0:
        return set()
    if n < k:
        return {" ".join(t)}
    return {" ".join(t[i:i + k]) for i in range(n - k + 1)}


def doc_id(value):
    """Ids are compared as strings, whatever their JSON type."""
    return value if isinstance(value, str) else json.dumps(value)


def read_jsonl(path, text_field="text", id_field="id"):
    ids, texts = [], []
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            ids.append(doc_id(rec[id_field]))
            texts.append(rec.get(text_field) or "")
    return ids, texts


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        p = self.parent
        p.setdefault(x, x)
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def count_clusters(pairs):
    """Number of union-find groups of size >= 2 over `pairs` (iterable of (a, b))."""
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    return len({uf.find(x) for x in list(uf.parent)})


def write_pairs(path, pairs):
    """pairs: iterable of (id_a, id_b, jaccard). JSONL like stemma's --pairs."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for a, b, j in pairs:
            f.write(json.dumps({"a": a, "b": b, "jaccard": round(float(j), 6)}) + "\n")
            n += 1
    return n


def read_pairs(path):
    """Unordered id pairs of a pairs JSONL file, as a set of (min, max) string tuples."""
    out = set()
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            a, b = doc_id(rec["a"]), doc_id(rec["b"])
            if a != b:
                out.add((a, b) if a < b else (b, a))
    return out
