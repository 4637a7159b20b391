#!/usr/bin/env python3
"""Verbatim passage alignment, measured the PAN way (character precision, recall, granularity).

    python3 benches/align/pan.py [DATA] [--cases 300] [--seed 1] [--stemma target/release/stemma]
    python3 benches/align/pan.py --given-pairs   # with the Python package (pip install ./python)

Builds a text-alignment corpus from real newswire (reuters21578 in ../shared/data by default;
any JSONL with `id` and `text` works): each case inserts one verbatim passage of 25-150 words
from a source story into a host story at a word boundary, with its character spans known on
both sides; as many negative pairs (host, unrelated story) are added. `stemma trace` runs on
the corpus with its defaults, and each case's detected passages (pairs it does not report
detect nothing: what a user of scan/trace sees, the relation rules included). With
`--given-pairs` each pair is given, as in PAN's text-alignment task, and aligned by
`stemma.compare` (the Python package), which returns passages whatever the relation. Detections
are scored per side on characters, as PAN's text-alignment measures do:

- precision: characters inside detected passages that are inside the true passage;
- recall: characters of the true passage inside detected passages;
- granularity: detections per detected case (1 is best).

Negative pairs contribute their detections to precision. Standard library only; the corpus
is written to a temporary directory and not kept (the texts are the dataset's).
"""
import argparse
import json
import os
import random
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def word_spans(text):
    return [m.span() for m in re.finditer(r"\S+", text)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=os.path.join(ROOT, "..", "shared", "data", "reuters21578", "docs.jsonl"))
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stemma", default=os.path.join(ROOT, "target", "release", "stemma"))
    ap.add_argument("--given-pairs", action="store_true", help="align each given pair with stemma.compare")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    docs = [json.loads(l) for l in open(args.data, encoding="utf-8")]
    # Distinct, long enough stories (the corpus has wire duplicates; a text seen twice is out).
    seen, pool = set(), []
    for d in docs:
        t = d["text"].strip()
        if len(word_spans(t)) >= 200 and t not in seen:
            seen.add(t)
            pool.append(t)
    rng.shuffle(pool)
    need = 3 * args.cases
    if len(pool) < need:
        raise SystemExit(f"{args.data}: {len(pool)} stories of 200+ words, {need} needed")
    corpus, cases = [], []
    for i in range(args.cases):
        host, source, other = pool[3 * i], pool[3 * i + 1], pool[3 * i + 2]
        sw = word_spans(source)
        n = rng.randint(25, min(150, len(sw) - 1))
        first = rng.randint(0, len(sw) - n)
        s_start, s_end = sw[first][0], sw[first + n - 1][1]
        passage = source[s_start:s_end]
        hw = word_spans(host)
        at = hw[rng.randint(1, len(hw) - 1)][0]  # before a word
        suspicious = host[:at] + passage + " " + host[at:]
        sid, hid, oid = f"src{i:04d}", f"sus{i:04d}", f"neg{i:04d}"
        corpus += [{"id": sid, "text": source}, {"id": hid, "text": suspicious}, {"id": oid, "text": other}]
        cases.append({"sus": hid, "src": sid, "neg": oid,
                      "sus_span": (at, at + len(passage)), "src_span": (s_start, s_end)})
    texts = {d["id"]: d["text"] for d in corpus}
    pairs = {}
    if args.given_pairs:
        import stemma  # the Python package: pip install ./python

        for c in cases:
            for x, y in ((c["sus"], c["src"]), (c["sus"], c["neg"])):
                cmp = stemma.compare((x, texts[x]), (y, texts[y]))
                pairs[(x, y)] = {"passages": [
                    {"a": dict(q.a), "b": dict(q.b)} for q in cmp.passages]}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "corpus.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                for d in corpus:
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")
            out = os.path.join(tmp, "trace.json")
            subprocess.run([args.stemma, "trace", path, "--json", out, "-q"], check=True)
            report = json.load(open(out, encoding="utf-8"))
        for p in report["pairs"]:
            pairs[(p["a"], p["b"])] = p

    def detections(x, y):
        """Detected passages of the pair as (span in x, span in y), character offsets."""
        if (x, y) in pairs:
            return [((q["a"]["start"], q["a"]["end"]), (q["b"]["start"], q["b"]["end"])) for q in pairs[(x, y)].get("passages", [])]
        if (y, x) in pairs:
            return [((q["b"]["start"], q["b"]["end"]), (q["a"]["start"], q["a"]["end"])) for q in pairs[(y, x)].get("passages", [])]
        return []

    def chars(spans):
        s = set()
        for a, b in spans:
            s.update(range(a, b))
        return s

    det_chars = true_det = true_chars = found = 0
    granularity, detected_cases, neg_detections = 0, 0, 0
    for c in cases:
        d = detections(c["sus"], c["src"])
        for side, truth in ((0, c["sus_span"]), (1, c["src_span"])):
            dc = chars([x[side] for x in d])
            tc = set(range(*truth))
            det_chars += len(dc)
            true_det += len(dc & tc)
            true_chars += len(tc)
            found += len(tc & dc)
        hits = [x for x in d if set(range(*x[0])) & set(range(*c["sus_span"]))]
        if hits:
            detected_cases += 1
            granularity += len(hits)
        for neg in (c["neg"],):
            nd = detections(c["sus"], neg)
            neg_detections += len(nd)
            for side in (0, 1):
                det_chars += len(chars([x[side] for x in nd]))
    precision = true_det / det_chars if det_chars else 1.0
    recall = found / true_chars if true_chars else 0.0
    gran = granularity / detected_cases if detected_cases else float("nan")
    mode = "given pairs (stemma.compare)" if args.given_pairs else "corpus (stemma trace)"
    print(f"{mode}: {args.cases} cases (verbatim passages of 25-150 words) + {args.cases} negative pairs, seed {args.seed}")
    print(f"character precision {precision:.4f}  recall {recall:.4f}  granularity {gran:.3f}  "
          f"cases detected {detected_cases}/{args.cases}  detections in negative pairs {neg_detections}")


if __name__ == "__main__":
    main()
