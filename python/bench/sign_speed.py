"""Python batch signing against the Rust API on the same texts (issue 14's 1.2x target).

    python python/bench/sign_speed.py [N]

Generates N texts (default 20000, about 250 words each, deterministic), runs the Rust example
`sign_speed` on them (cargo, release) and times `MinHasher.signatures_bytes` and
`MinHasher.signatures` on the same texts, best of five each.
"""

import json
import pathlib
import random
import subprocess
import sys
import tempfile
import time

import stemma

REPO = pathlib.Path(__file__).resolve().parents[2]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rng = random.Random(14)
    vocab = [f"w{i}" for i in range(5000)]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(100, 400))) for _ in range(n)]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(texts) + "\n")
    rust = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "stemma-python", "--example", "sign_speed", "--", f.name],
        cwd=REPO, check=True, capture_output=True, text=True,
    )
    rust = json.loads(rust.stdout)
    h = stemma.MinHasher()
    out = {"texts": n, "rust_texts_per_second": rust["texts_per_second"]}
    for name in ("signatures_bytes", "signatures"):
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            getattr(h, name)(texts)
            best = min(best, time.perf_counter() - t)
        out[f"python_{name}_texts_per_second"] = round(n / best)
        out[f"python_{name}_time_vs_rust"] = round(best / rust["seconds"], 3)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
