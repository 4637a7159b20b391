"""One peer tool doing the benchmark job on one JSONL file, in its own process.

Usage: peer.py TOOL INPUT.jsonl THRESHOLD PAIRS_OUT.jsonl
TOOL is datasketch, rensa or gaoya. Prints one JSON object on stdout: tool, version, docs,
per-phase seconds, pairs and clusters. The pairs (estimated Jaccard >= THRESHOLD) go to
PAIRS_OUT as JSONL lines {"a": id, "b": id, "jaccard": estimate}.

Each tool is driven through its fastest documented path (see README.md); the job is in job.py.
"""

import json
import sys
import time
from importlib.metadata import version

import job


class Phases:
    def __init__(self):
        self.times = {}
        self._t = time.perf_counter()

    def mark(self, name):
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + (now - self._t)
        self._t = now


def shingle_all(texts, encode=False):
    """Index (position) and shingle set of every document that has at least one shingle."""
    keep, sets = [], []
    for i, text in enumerate(texts):
        s = job.shingles(text)
        if s:
            keep.append(i)
            sets.append([x.encode("utf-8") for x in s] if encode else list(s))
    return keep, sets


def cluster(pairs, ph):
    n = job.count_clusters((a, b) for a, b, _ in pairs)
    ph.mark("cluster")
    return n


def run_datasketch(ids, texts, threshold, ph):
    from datasketch import MinHash, MinHashLSH
    import numpy as np

    bands, rows = job.banding(threshold)
    keep, sets = shingle_all(texts, encode=True)  # datasketch hashes bytes
    ph.mark("shingle")
    # MinHash.bulk: one shared permutation state for all documents (documented bulk path).
    mhs = MinHash.bulk(sets, num_perm=job.NUM_PERM)
    del sets
    ph.mark("sign")
    lsh = MinHashLSH(threshold=threshold, num_perm=job.NUM_PERM, params=(bands, rows))
    with lsh.insertion_session(buffer_size=100_000) as session:
        for k, m in enumerate(mhs):
            session.insert(k, m, check_duplication=False)
    ph.mark("index")
    hv = np.vstack([m.hashvalues for m in mhs])
    qa, qb = [], []
    for k, m in enumerate(mhs):
        for c in lsh.query(m):
            if c > k:
                qa.append(k)
                qb.append(c)
    qa = np.asarray(qa, dtype=np.int64)
    qb = np.asarray(qb, dtype=np.int64)
    est = np.empty(len(qa))
    step = 1 << 16
    for s in range(0, len(qa), step):
        est[s:s + step] = (hv[qa[s:s + step]] == hv[qb[s:s + step]]).mean(axis=1)
    ok = est >= threshold
    pairs = [(ids[keep[a]], ids[keep[b]], j) for a, b, j in zip(qa[ok], qb[ok], est[ok])]
    ph.mark("query")
    return pairs, len(qa)


def run_rensa(ids, texts, threshold, ph):
    from rensa import RMinHash, RMinHashLSH

    bands, _ = job.banding(threshold)
    keep, sets = shingle_all(texts)
    ph.mark("shingle")
    # Batch constructor: all documents' sketches in one native call.
    mhs = RMinHash.from_token_sets(sets, job.NUM_PERM, 42)
    del sets
    ph.mark("sign")
    lsh = RMinHashLSH(threshold, job.NUM_PERM, bands)
    lsh.insert_many(mhs, start_key=0)
    ph.mark("index")
    cands = lsh.query_all(mhs)
    pairs = []
    n_cand = 0
    for k, cs in enumerate(cands):
        m = mhs[k]
        for c in cs:
            if c > k:
                n_cand += 1
                j = m.jaccard(mhs[c])
                if j >= threshold:
                    pairs.append((ids[keep[k]], ids[keep[c]], j))
    ph.mark("query")
    return pairs, n_cand


def run_gaoya(ids, texts, threshold, ph):
    from gaoya.minhash import MinHashStringIndex
    import itertools

    bands, rows = job.banding(threshold)
    # gaoya's own Rust tokenizer: lowercase, word analyzer, word 5-grams. Its query keeps
    # results with similarity > jaccard_threshold, so ask a hair lower and filter >= below.
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=max(0.0, threshold - 1e-9),
                               num_bands=bands, band_size=rows, analyzer="word",
                               lowercase=True, ngram_range=(job.K, job.K), id_container="vec")
    # gaoya's 5-gram analyzer gives a document with fewer than 5 tokens an empty set (and all
    # empty sets the same signature); give those the job's one shingle of all tokens instead,
    # through gaoya's token API. Finding them costs at most 5 regex matches per document.
    long_k, short_k, short_tokens = [], [], []
    for i, text in enumerate(texts):
        if len(list(itertools.islice(job.TOKEN_RE.finditer(text), job.K))) == job.K:
            long_k.append(i)
        else:
            t = job.tokens(text)
            if t:
                short_k.append(i)
                short_tokens.append([" ".join(t)])
    long_docs = [texts[i] for i in long_k]
    ph.mark("shingle")
    # Tokenizing, signing and indexing are one parallel native call in gaoya.
    index.par_bulk_insert_docs(long_k, long_docs)
    for i, t in zip(short_k, short_tokens):
        index.minhash_index.insert_tokens(i, t)
    ph.mark("sign+index")
    results = index.par_bulk_query(long_docs, return_similarity=True)
    results += [index.minhash_index.query_tokens_return_similarity(t) for t in short_tokens]
    pairs = []
    n_cand = 0
    for k, res in zip(long_k + short_k, results):
        for c, j in res:
            if c > k:
                n_cand += 1
                if j >= threshold:
                    pairs.append((ids[k], ids[c], j))
    ph.mark("query")
    return pairs, n_cand


RUNNERS = {"datasketch": run_datasketch, "rensa": run_rensa, "gaoya": run_gaoya}


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in RUNNERS:
        sys.exit(f"usage: peer.py {{{','.join(RUNNERS)}}} INPUT.jsonl THRESHOLD PAIRS_OUT.jsonl")
    tool, path, threshold, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    t0 = time.perf_counter()
    ph = Phases()
    ids, texts = job.read_jsonl(path)
    ph.mark("read")
    pairs, n_cand = RUNNERS[tool](ids, texts, threshold, ph)
    clusters = cluster(pairs, ph)
    job.write_pairs(out, pairs)
    ph.mark("write")
    print(json.dumps({
        "tool": tool, "version": version(tool), "docs": len(ids),
        "phases": ph.times, "total_in_process": time.perf_counter() - t0,
        "candidates": n_cand, "pairs": len(pairs), "clusters": clusters,
    }))


if __name__ == "__main__":
    main()
