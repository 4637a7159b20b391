"""Exact ground truth for the Spark benchmark: every pair of documents whose word-5-gram sets
have a Jaccard of at least T, by an exact all-pairs similarity join (no sampling, no LSH).

Shingle sets are the job of benches/peers/job.py (lower-case; tokens = maximal runs of Unicode
letters and digits; word 5-grams; 1-4 tokens: one shingle of all of them; no token: no set),
each shingle hashed to 64 bits (blake2b), a set kept as a sorted numpy array.

The join is prefix filtering (AllPairs, Bayardo et al., WWW 2007): order shingles by document
frequency, rarest first; a pair with Jaccard >= T shares at least ceil(T * |x|) shingles, so
the first |x| - ceil(T * |x|) + 1 shingles of x (its prefix) and those of y intersect. Each
document probes an inverted index of the prefixes of the documents before it (by size, so
|y| <= |x|, and the size filter |y| >= T * |x| applies); every candidate is verified by an
exact intersection. The prefix is taken one shingle longer than the bound needs, so float
rounding can only add candidates, never lose a pair.
"""

import hashlib
import math
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/peers")
from job import shingles  # noqa: E402  (benches/peers/job.py: the shared job definition)


def shingle_hash(s):
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def shingle_sets(texts):
    """One sorted int64 array per text (empty for a text without tokens)."""
    return [np.unique(np.fromiter((shingle_hash(s) for s in shingles(t)), dtype=np.int64)) for t in texts]


def jaccard(x, y):
    if len(x) == 0 or len(y) == 0:
        return 0.0
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter)


def all_pairs(sets, threshold):
    """{(i, j): jaccard} for every i < j with jaccard(sets[i], sets[j]) >= threshold."""
    nonempty = [i for i, s in enumerate(sets) if len(s)]
    if not nonempty:
        return {}
    universe, counts = np.unique(np.concatenate([sets[i] for i in nonempty]), return_counts=True)
    prefixes = {}
    for i in nonempty:
        s = sets[i]
        df = counts[np.searchsorted(universe, s)]
        order = np.lexsort((s, df))  # rarest first, ties by hash value
        n = len(s)
        p = min(n, n - math.ceil(threshold * n) + 2)
        prefixes[i] = s[order[:p]].tolist()
    index = defaultdict(list)
    found = {}
    for i in sorted(nonempty, key=lambda i: (len(sets[i]), i)):
        n = len(sets[i])
        seen = set()
        for tok in prefixes[i]:
            for j in index[tok]:
                if j in seen or len(sets[j]) < threshold * n - 1e-9:
                    continue
                seen.add(j)
                jac = jaccard(sets[i], sets[j])
                if jac >= threshold:
                    found[(min(i, j), max(i, j))] = jac
        for tok in prefixes[i]:
            index[tok].append(i)
    return found
