"""Shared fixtures: the CLI binary (built with cargo from the repository), the seeds, and a
deterministic generated corpus."""

import json
import os
import pathlib
import random
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def cli():
    """The `stemma` binary: $STEMMA_BIN, or built with `cargo build --bin stemma`."""
    if os.environ.get("STEMMA_BIN"):
        return os.environ["STEMMA_BIN"]
    subprocess.run(
        ["cargo", "build", "--locked", "--quiet", "--bin", "stemma"], cwd=REPO, check=True
    )
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return str(target / "debug" / "stemma")


def run_cli(cli, *args, stdin=None):
    out = subprocess.run(
        [cli, *map(str, args)], input=stdin, capture_output=True, check=True
    )
    return out.stdout


def seed_docs():
    return [
        {"id": p.name, "text": p.read_text(encoding="utf-8")}
        for p in sorted(SEEDS.iterdir())
        if p.suffix == ".txt"
    ]


def generated_corpus(n_stories=60, seed=14):
    """Stories of random words and what syndication does to them: exact copies, copies with a
    few words changed, excerpts, stories spliced from two, and unrelated texts. Deterministic."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]

    def story(length):
        return [rng.choice(vocab) for _ in range(length)]

    docs = []
    for s in range(n_stories):
        base = story(rng.randint(80, 300))
        docs.append((f"s{s:03d}", base))
        kind = s % 6
        if kind == 0:
            docs.append((f"s{s:03d}-copy", list(base)))
        elif kind == 1:
            edited = list(base)
            for _ in range(max(1, len(base) // 100)):
                edited[rng.randrange(len(edited))] = rng.choice(vocab)
            docs.append((f"s{s:03d}-edit", edited))
        elif kind == 2:
            start = rng.randrange(len(base) // 3)
            docs.append((f"s{s:03d}-excerpt", base[start : start + len(base) // 2]))
        elif kind == 3 and s > 0:
            other = docs[rng.randrange(len(docs) - 1)][1]
            docs.append((f"s{s:03d}-splice", base[: len(base) // 2] + story(60) + other[:80]))
        elif kind == 4:
            docs.append((f"s{s:03d}-dated", base + story(5)))
    rng.shuffle(docs)
    return [{"id": i, "text": " ".join(words)} for i, words in docs]


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path
