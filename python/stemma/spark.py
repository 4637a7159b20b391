"""stemma on Spark: near-duplicate removal for corpora beyond one machine, deciding as
``stemma dedup`` decides (``pip install './python[spark]'``).

The shape is the cluster shape of MinHash dedup (text-dedup, passim), with stemma's decisions:

1. **Keys per partition**: each Arrow batch of texts goes through ``mapInArrow`` into the Rust
   batch API (interpreter released, all cores of the executor): MinHash signature, token count,
   content hash and the LSH band keys of ``stemma dedup``. No Python object per document.
2. **Buckets by the shuffle**: band keys are exploded and counted by ``(band, key)``; a bucket
   of at most ``max_bucket`` records is gathered and paired, a larger one is reduced to a star
   on its first record, as ``stemma dedup``'s LSH does, without being gathered.
3. **Candidates verified in partitions**: a candidate survives when the two texts are identical
   (same content hash and token count) or their signatures estimate a Jaccard of at least
   ``threshold - 3 / sqrt(num_perm)`` (Spark SQL on the signature arrays); survivors get their
   two texts joined and their exact Jaccard computed by the Rust library, per Arrow batch.
4. **Groups by distributed connected components**: large-star / small-star (Kiveris et al.,
   *Connected Components in MapReduce and Beyond*, SoCC 2014) on the verified edges, until no
   edge changes; every record ends up linked to the smallest record of its group. Nothing is
   collected on the driver.
5. **The kept record** of each group is chosen by the keep policy (``first``: input order;
   ``longest``; ``earliest`` ``published_at``), exactly as ``stemma dedup`` chooses it.

"Input order" is the DataFrame's order (``monotonically_increasing_id``, so partition by
partition), or ``order_col`` when given. The input is persisted while the decision is made, so
that order is read once.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from typing import Iterator, Optional

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from . import Config
from . import _stemma

__all__ = ["dedup", "duplicate_pairs", "write_dedup", "scan", "ScanResult", "connected_components"]


def _string_buffers(arr: pa.Array):
    """An Arrow string column as (offsets, data, width, offset, length) for the Rust batch API."""
    if pa.types.is_large_string(arr.type):
        width = 8
    elif pa.types.is_string(arr.type):
        width = 4
    else:
        raise TypeError(f"the text column must be a string column, got {arr.type}")
    bufs = arr.buffers()
    data = bufs[2].to_pybytes() if bufs[2] is not None else b""
    return bufs[1].to_pybytes(), data, width, arr.offset, len(arr)


def _keys_batches(config: Config, bands: int, num_perm: int, order: str, text: str):
    """mapInArrow function: (order, text) batches -> (order, tokens, chash, sig, keys)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            texts = batch.column(text)
            if texts.null_count:
                texts = pa.compute.fill_null(texts, "")
            sigs, tokens, chash, keys = _stemma._dedup_keys_arrow(
                config, *_string_buffers(texts)
            )
            sig_values = pa.Array.from_buffers(pa.int32(), n * num_perm, [None, pa.py_buffer(sigs)])
            key_values = pa.Array.from_buffers(pa.int64(), n * bands, [None, pa.py_buffer(keys)])
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column(order),
                    pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(tokens)]),
                    pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(chash)]),
                    pa.ListArray.from_arrays(
                        pa.array(range(0, n * num_perm + 1, num_perm), pa.int32()), sig_values
                    ),
                    pa.ListArray.from_arrays(
                        pa.array(range(0, n * bands + 1, bands), pa.int32()), key_values
                    ),
                ],
                names=["_order", "_tokens", "_chash", "_sig", "_keys"],
            )

    return run


def _jaccard_batches(config: Config):
    """mapInArrow function: (a, b, identical, text_a, text_b) batches -> (a, b, identical,
    jaccard)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            ta, tb = batch.column("_text_a"), batch.column("_text_b")
            if ta.null_count:
                ta = pa.compute.fill_null(ta, "")
            if tb.null_count:
                tb = pa.compute.fill_null(tb, "")
            oa, da, wa, fa, _ = _string_buffers(ta)
            ob, db, wb, fb, _ = _string_buffers(tb)
            j = _stemma._jaccard_arrow(config, oa, da, wa, fa, ob, db, wb, fb, n)
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("a"),
                    batch.column("b"),
                    batch.column("identical"),
                    pa.Array.from_buffers(pa.float64(), n, [None, pa.py_buffer(j)]),
                ],
                names=["a", "b", "identical", "jaccard"],
            )

    return run


def _symmetric(edges: DataFrame) -> DataFrame:
    return edges.union(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest of its neighbourhood (itself
    included)."""
    s = _symmetric(edges)
    m = s.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    return (
        s.join(m, "u")
        .where(F.col("v") > F.col("u"))
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links itself and its smaller neighbours to the smallest of them."""
    s = _symmetric(edges).where(F.col("v") < F.col("u"))
    m = s.groupBy("u").agg(F.min("v").alias("m"))
    linked = s.join(m, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
    own = m.select(F.col("u"), F.col("m").alias("v"))
    return linked.union(own).where(F.col("u") != F.col("v")).distinct()


def connected_components(edges: DataFrame, max_rounds: int = 64) -> DataFrame:
    """Connected components of an undirected graph given as ``(a, b)`` long columns, by
    large-star / small-star rounds until no edge changes. Returns ``(node, component)``, the
    component being its smallest node, for every node in an edge (a node in no edge is its own
    component and is not listed). Each round is checkpointed locally (lineage stays short);
    nothing is collected on the driver but the count of changed edges."""
    e = edges.select(
        F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v")
    ).where(F.col("u") != F.col("v")).distinct().localCheckpoint()
    for _ in range(max_rounds):
        nxt = _small_star(_large_star(e)).localCheckpoint()
        changed = nxt.exceptAll(e).limit(1).count() + e.exceptAll(nxt).limit(1).count()
        e = nxt
        if changed == 0:
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    # Converged: a set of stars, each node (u) pointing at its component's smallest node (v).
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("component")).distinct()
    return e.select(F.col("u").alias("node"), F.col("v").alias("component")).union(roots)


def _decide(
    df: DataFrame,
    text_col: str,
    id_col: str,
    config: Config,
    keep: str,
    order_col: Optional[str],
    published_col: Optional[str],
):
    """Returns (input with `_order`, keys, decision: `_order` -> `_kept_order` for removed
    records, verified pairs: `(a, b, jaccard)` by `_order`, a < b)."""
    if keep not in ("first", "longest", "earliest"):
        raise ValueError(f"unknown keep policy {keep!r}: use first, longest or earliest")
    for col in (text_col, id_col):
        if col not in df.columns:
            raise ValueError(f"column {col!r} not found; the DataFrame has {df.columns}")
    num_perm = config.num_perm
    bands, rows = config.banding()
    max_bucket = _max_bucket(config)
    threshold = config.threshold
    floor = threshold - 3.0 / math.sqrt(max(num_perm, 1))

    base = df.withColumn(
        "_order", F.col(order_col).cast("long") if order_col else F.monotonically_increasing_id()
    )
    if keep == "earliest":
        pub = published_col or "published_at"
        base = base.withColumn(
            "_published", F.col(pub).cast("string") if pub in df.columns else F.lit(None).cast("string")
        )
    base = base.persist()

    keys = (
        base.select("_order", F.col(text_col).cast("string").alias("_text"))
        .mapInArrow(
            _keys_batches(config, bands, num_perm, "_order", "_text"),
            "_order long, _tokens long, _chash long, _sig array<int>, _keys array<long>",
        )
        .persist()
    )

    # LSH buckets. First the size and first member of every shared (band, key), by a
    # combinable aggregate (a giant bucket costs no task more than a small one). A bucket of
    # n <= max_bucket members then gives its n(n-1)/2 pairs: its members are gathered (at most
    # max_bucket orders, sorted) and paired by Spark SQL's array functions. A larger one gives
    # a star on its first member, as stemma dedup's LSH does, emitted where its members are
    # (the few giant keys are broadcast): no giant bucket is ever gathered in one place.
    exploded = (
        keys.where(F.col("_tokens") > 0)
        .select("_order", F.posexplode("_keys").alias("_band", "_key"))
        .persist()
    )
    shared = (
        exploded.groupBy("_band", "_key")
        .agg(F.count("*").alias("_n"), F.min("_order").alias("_first"))
        .where(F.col("_n") > 1)
        .persist()  # read twice (small and giant buckets): one aggregate, not two
    )
    small = (
        exploded.join(shared.where(F.col("_n") <= max_bucket).select("_band", "_key"),
                      ["_band", "_key"], "left_semi")
        .groupBy("_band", "_key")
        .agg(F.array_sort(F.collect_list("_order")).alias("_m"))
    )
    bucket_pairs = F.expr(
        """flatten(transform(sequence(1, size(_m) - 1), i ->
            transform(slice(_m, i + 1, size(_m) - i), y -> named_struct('a', _m[i - 1], 'b', y))))"""
    )
    pairs_small = small.select(F.explode(bucket_pairs).alias("_p")).select("_p.a", "_p.b")
    giant = shared.where(F.col("_n") > max_bucket).select("_band", "_key", "_first")
    pairs_star = (
        exploded.join(F.broadcast(giant), ["_band", "_key"])
        .where(F.col("_order") != F.col("_first"))
        .select(F.col("_first").alias("a"), F.col("_order").alias("b"))
    )
    candidates = pairs_small.union(pairs_star).distinct()

    # Estimated-Jaccard filter (or identical texts), in Spark SQL on the signature arrays.
    ka = keys.select(
        F.col("_order").alias("a"),
        F.col("_tokens").alias("ta"),
        F.col("_chash").alias("ha"),
        F.col("_sig").alias("sa"),
    )
    kb = keys.select(
        F.col("_order").alias("b"),
        F.col("_tokens").alias("tb"),
        F.col("_chash").alias("hb"),
        F.col("_sig").alias("sb"),
    )
    equal = F.expr("size(filter(zip_with(sa, sb, (x, y) -> x = y), z -> z))")
    identical = (F.col("ha") == F.col("hb")) & (F.col("ta") == F.col("tb"))
    survivors = (
        candidates.join(ka, "a")
        .join(kb, "b")
        .where(
            (F.col("ta") > 0)
            & (F.col("tb") > 0)
            & (identical | (equal.cast("double") / F.lit(float(num_perm)) >= F.lit(floor)))
        )
        .select("a", "b", identical.alias("identical"))
        .persist()
    )

    # Exact verification in partitions, by the Rust library.
    texts = base.select(F.col("_order"), F.col(text_col).cast("string").alias("_text"))
    with_texts = (
        survivors.join(texts.select(F.col("_order").alias("a"), F.col("_text").alias("_text_a")), "a")
        .join(texts.select(F.col("_order").alias("b"), F.col("_text").alias("_text_b")), "b")
        .select("a", "b", "identical", "_text_a", "_text_b")
    )
    exact = with_texts.mapInArrow(
        _jaccard_batches(config), "a long, b long, identical boolean, jaccard double"
    )
    # The verified pairs (what `stemma dedup --pairs` writes), kept for the caller: they are
    # few, and recomputing them would repeat the exact stage.
    verified = (
        exact.where(F.col("identical") | (F.col("jaccard") >= F.lit(threshold)))
        .select("a", "b", "jaccard")
        .persist()
    )
    edges = verified.select("a", "b")

    components = connected_components(edges)
    # The kept record of each group by the keep policy, ties by input order.
    info = keys.select("_order", "_tokens")
    if keep == "earliest":
        info = info.join(base.select("_order", "_published"), "_order")
    grouped = components.join(info, components.node == info._order).drop("_order")
    if keep == "first":
        rank = F.struct(F.col("node"))
    elif keep == "longest":
        rank = F.struct((-F.col("_tokens")).alias("t"), F.col("node"))
    else:  # earliest: records without a date come last
        rank = F.struct(
            F.col("_published").isNull().alias("undated"), F.col("_published"), F.col("node")
        )
    keepers = grouped.groupBy("component").agg(F.min(rank).alias("_best")).select(
        "component", F.col("_best.node").alias("_kept_order")
    )
    decision = (
        components.join(keepers, "component")
        .where(F.col("node") != F.col("_kept_order"))
        .select(F.col("node").alias("_order"), "_kept_order")
    )
    return base, keys, decision, verified


def _max_bucket(config: Config) -> int:
    return int(json.loads(config.to_json())["max_bucket"])


def _config_for(config: Optional[Config], threshold: Optional[float]) -> Config:
    if config is not None and not isinstance(config, Config):
        raise TypeError(f"config must be a stemma.Config, got {type(config).__name__}")
    config = config or Config()
    if threshold is not None:
        config = config.replace(threshold=threshold)
    return config


def _dedup_frames(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    threshold: Optional[float] = None,
    config: Optional[Config] = None,
    keep: str = "first",
    order_col: Optional[str] = None,
    published_col: Optional[str] = None,
):
    """(every row with `duplicate_of`, verified pairs by id): one decision, two views."""
    config = _config_for(config, threshold)
    base, _, decision, verified = _decide(
        df, text_col, id_col, config, keep, order_col, published_col
    )
    ids = base.select(F.col("_order").alias("_kept_order"), F.col(id_col).alias("duplicate_of"))
    removed = decision.join(ids, "_kept_order").select("_order", "duplicate_of")
    out = base.join(removed, "_order", "left").orderBy("_order")
    drop = [c for c in ("_order", "_published") if c in out.columns]
    named = base.select("_order", F.col(id_col).cast("string").alias("_id"))
    pairs = (
        verified.join(named.select(F.col("_order").alias("a"), F.col("_id").alias("_a")), "a")
        .join(named.select(F.col("_order").alias("b"), F.col("_id").alias("_b")), "b")
        .orderBy("a", "b")
        .select(
            F.col("_a").alias("a"),
            F.col("_b").alias("b"),
            # round4 as the CLI computes it: x * 1e4 rounded half up, over 1e4.
            (F.round(F.col("jaccard") * 10_000.0, 0) / 10_000.0).alias("jaccard"),
        )
    )
    return out.drop(*drop), pairs


def dedup(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    threshold: Optional[float] = None,
    config: Optional[Config] = None,
    keep: str = "first",
    order_col: Optional[str] = None,
    published_col: Optional[str] = None,
) -> DataFrame:
    """Every row of ``df`` with a ``duplicate_of`` column: null for a kept row, the id of the
    kept row of its group for a removed one, as ``stemma dedup`` decides (``threshold``
    overrides ``config.threshold``, default 0.8). Kept rows:
    ``dedup(df).where("duplicate_of IS NULL")``. Rows keep the input's order within partitions.
    """
    return _dedup_frames(
        df, text_col, id_col, threshold, config, keep, order_col, published_col
    )[0]


def duplicate_pairs(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    threshold: Optional[float] = None,
    config: Optional[Config] = None,
    order_col: Optional[str] = None,
) -> DataFrame:
    """The verified duplicate pairs ``(a, b, jaccard)`` behind :func:`dedup`'s decision, as
    ``stemma dedup --pairs`` writes them: ids as strings, ``a`` before ``b`` in input order,
    the exact Jaccard of their shingle sets rounded to 4 decimals, sorted by input order."""
    return _dedup_frames(
        df, text_col, id_col, threshold, config, "first", order_col, None
    )[1]


def write_dedup(
    df: DataFrame,
    path: str,
    format: str = "parquet",
    removed_path: Optional[str] = None,
    pairs_path: Optional[str] = None,
    **kwargs,
) -> None:
    """Runs :func:`dedup` and writes the kept rows to ``path`` (the removed ones, with
    ``duplicate_of``, to ``removed_path``; the verified pairs of :func:`duplicate_pairs` to
    ``pairs_path``): all or nothing. Each output is written to a temporary directory next to it
    and renamed into place only when every job succeeded; a failed job leaves no output and no
    temporary directory (local or mounted file systems)."""
    for p in filter(None, (path, removed_path, pairs_path)):
        if os.path.exists(p):
            raise FileExistsError(f"{p}: already exists; choose another path or remove it")
    result, pairs = _dedup_frames(df, **kwargs)
    result = result.persist()
    token = uuid.uuid4().hex[:12]
    staged = []
    try:
        outputs = [(path, result.where(F.col("duplicate_of").isNull()).drop("duplicate_of"))]
        if removed_path:
            outputs.append((removed_path, result.where(F.col("duplicate_of").isNotNull())))
        if pairs_path:
            outputs.append((pairs_path, pairs))
        for final, frame in outputs:
            tmp = os.path.join(
                os.path.dirname(os.path.abspath(final)), f".{os.path.basename(final)}.{token}.tmp"
            )
            staged.append((tmp, final))
            frame.write.format(format).save(tmp)
        for tmp, final in staged:
            os.rename(tmp, final)
    except BaseException:
        for tmp, final in staged:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        result.unpersist()


# ---------------------------------------------------------------------------------------------
# scan: related pairs and families, as `stemma scan` reports them.

#: The fields of a pair line of `stemma scan --json`, as a Spark schema.
PAIR_SCHEMA = (
    "a string, b string, relation string, jaccard double, containment_a_in_b double, "
    "containment_b_in_a double, estimated_jaccard double, simhash_distance long, "
    "shared_shingles long, bigram_containment_a_in_b double, bigram_containment_b_in_a double, "
    "idf_bigram_containment_a_in_b double, idf_bigram_containment_b_in_a double, "
    "verbatim_coverage_a double, verbatim_coverage_b double, longest_run_tokens long, "
    "tokens_a long, tokens_b long, sources array<string>, confidence double, rule string"
)

# The bits of a candidate's sources (stemma::distributed::sources_of_bits).
_LSH, _SIMHASH, _POSTINGS, _BIGRAMS = 1, 2, 4, 16


class ScanResult:
    """What :func:`scan` returns: ``pairs`` (one row per related pair, the columns of a pair of
    ``stemma scan --json``, sorted by ``(a, b)``) and ``families`` (``family``, ``members``,
    ``capped``, ``pairs``: ``(a, b, relation)`` inside the family, sorted by first member)."""

    def __init__(self, pairs: DataFrame, families: DataFrame):
        self.pairs = pairs
        self.families = families

    def __repr__(self) -> str:
        return "ScanResult(pairs=DataFrame, families=DataFrame)"


def _to_u64_list(values: bytes, offsets: bytes, n: int) -> pa.Array:
    """Flat little-endian u64 values and i32 offsets as an Arrow list<int64> array."""
    count = len(values) // 8
    vals = pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(values)])
    offs = pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)])
    return pa.ListArray.from_arrays(offs, vals)


def _scan_keys_batches(config: Config, bands: int):
    """mapInArrow function: (_d, _text) batches -> the keys of stemma::distributed."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            texts = batch.column("_text")
            if texts.null_count:
                texts = pa.compute.fill_null(texts, "")
            out = _stemma._scan_keys_arrow(config, *_string_buffers(texts))
            tokens, chash, set_hash, shingles, simhash, keys, win, wo, big, bo = out

            def longs(b, count=n):
                return pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(b)])

            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("_d"),
                    longs(tokens),
                    longs(chash),
                    longs(set_hash),
                    longs(shingles),
                    longs(simhash),
                    pa.ListArray.from_arrays(
                        pa.array(range(0, n * bands + 1, bands), pa.int32()),
                        longs(keys, n * bands),
                    ),
                    _to_u64_list(win, wo, n),
                    _to_u64_list(big, bo, n),
                ],
                names=["_d", "_tokens", "_chash", "_set", "_shingles", "_simhash", "_keys",
                       "_win", "_big"],
            )

    return run


def _shingle_batches(config: Config):
    """mapInArrow function: (_d, _text) batches -> (_d, _shingles list)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            texts = batch.column("_text")
            if texts.null_count:
                texts = pa.compute.fill_null(texts, "")
            values, offsets = _stemma._shingle_sets_arrow(config, *_string_buffers(texts))
            yield pa.RecordBatch.from_arrays(
                [batch.column("_d"), _to_u64_list(values, offsets, batch.num_rows)],
                names=["_d", "_sh"],
            )

    return run


def _verify_batches(config: Config, documents: int):
    """mapInArrow function: candidates with both ends' ids, texts and statistics -> the related
    ones as (a, b, json, strength)."""

    def side(batch, s):
        return tuple(
            batch.column(f"{c}_{s}").to_pylist()
            for c in ("_d", "_id", "_text", "_bk", "_bd", "_bp")
        )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            a, b = side(batch, "a"), side(batch, "b")
            a = (a[0], a[1], [t or "" for t in a[2]], *[[x or [] for x in c] for c in a[3:]])
            b = (b[0], b[1], [t or "" for t in b[2]], *[[x or [] for x in c] for c in b[3:]])
            out = _stemma._verify_batch(config, documents, a, b, batch.column("_src").to_pylist())
            keep = [i for i, r in enumerate(out) if r is not None]
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array([a[0][i] for i in keep], pa.int64()),
                    pa.array([b[0][i] for i in keep], pa.int64()),
                    pa.array([out[i][0] for i in keep], pa.string()),
                    pa.array([out[i][1] for i in keep], pa.float64()),
                ],
                names=["a", "b", "_json", "_strength"],
            )

    return run


def _family_batches(config: Config):
    """mapInArrow function: one row per connected component (nodes, texts, edges) -> its
    families as (first, members, capped)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            firsts, members, capped = [], [], []
            for row in batch.to_pylist():
                edges = [(e["a"], e["b"], e["s"]) for e in row["_edges"]]
                texts = [t or "" for t in row["_texts"]]
                for m, c in _stemma._component_families(config, row["_nodes"], texts, edges):
                    firsts.append(m[0])
                    members.append(m)
                    capped.append(c)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(firsts, pa.int64()),
                    pa.array(members, pa.list_(pa.int64())),
                    pa.array(capped, pa.bool_()),
                ],
                names=["_first", "_members", "_capped"],
            )

    return run


def _simhash_blocks(max_distance: int):
    """(shift, mask) of the SimHash blocks (stemma's candidates::hamming::blocks), the mask as a
    signed 64-bit value."""
    blocks = max_distance + 1

    def width(i):
        return 64 // blocks + (1 if i < 64 % blocks else 0)

    out = []
    for block in range(blocks):
        shift = sum(width(i) for i in range(block))
        mask = (1 << width(block)) - 1
        out.append((shift, mask - (1 << 64) if mask >= 1 << 63 else mask))
    return out


def _bucket_pairs(members: DataFrame, max_bucket: int, close=None) -> DataFrame:
    """Pairs `(a, b)` of the buckets of `members` (`_g` the bucket, `_d` the document, `_h`
    carried for `close`): every pair of a bucket of at most `max_bucket` documents, a star on
    its smallest document for a larger one (as stemma's candidates::emit_bucket), each kept
    when `close(ha, hb)` holds (a Column over `ha`, `hb`)."""
    sizes = (
        members.groupBy("_g").agg(F.count("*").alias("_n"), F.min("_d").alias("_first"))
        .where(F.col("_n") > 1)
        .persist()
    )
    small = (
        members.join(sizes.where(F.col("_n") <= max_bucket).select("_g"), "_g", "left_semi")
        .groupBy("_g")
        .agg(F.array_sort(F.collect_list(F.struct("_d", "_h"))).alias("_m"))
    )
    pair_expr = F.expr(
        """flatten(transform(sequence(1, size(_m) - 1), i ->
            transform(slice(_m, i + 1, size(_m) - i), y -> named_struct(
                'a', _m[i - 1]._d, 'ha', _m[i - 1]._h, 'b', y._d, 'hb', y._h))))"""
    )
    pairs = small.select(F.explode(pair_expr).alias("_p")).select("_p.*")
    giant = sizes.where(F.col("_n") > max_bucket).select("_g", "_first")
    heads = members.join(giant, "_g").where(F.col("_d") == F.col("_first"))
    star = (
        members.join(giant, "_g")
        .where(F.col("_d") != F.col("_first"))
        .join(heads.select("_g", F.col("_h").alias("ha")), "_g")
        .select(F.col("_first").alias("a"), "ha", F.col("_d").alias("b"), F.col("_h").alias("hb"))
    )
    out = pairs.unionByName(star)
    if close is not None:
        out = out.where(close)
    return out.select("a", "b")


def _pairs_of_groups(members: DataFrame) -> DataFrame:
    """Every pair `(a, b)`, a < b, of the documents `_d` of each group `_g` (small groups
    only: the caller caps their size)."""
    grouped = members.groupBy("_g").agg(F.array_sort(F.collect_list("_d")).alias("_m"))
    pair_expr = F.expr(
        """flatten(transform(sequence(1, size(_m) - 1), i ->
            transform(slice(_m, i + 1, size(_m) - i), y -> named_struct('a', _m[i - 1], 'b', y))))"""
    )
    return (
        grouped.where(F.size("_m") > 1)
        .select(F.explode(pair_expr).alias("_p"))
        .select("_p.a", "_p.b")
    )


def scan(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    config: Optional[Config] = None,
    threshold: Optional[float] = None,
) -> ScanResult:
    """Related pairs and families of the documents of ``df``, as ``stemma scan`` reports them:
    the same pairs with the same relations (duplicate, near-duplicate, excerpt, partial reuse,
    rewrite) and figures, and the same families under the configured family policy
    (``threshold`` overrides ``config.threshold``).

    Shape (nothing per document is collected on the driver):

    1. **Keys per partition** through ``mapInArrow`` into the Rust batch API: token count,
       content hash, shingle-set hash, SimHash, LSH band keys, winnowed fingerprints and word
       bigrams of every text.
    2. **Documents in id order** (a distributed sort, ``zipWithIndex``): the canonical order of
       the single machine; identical texts (same content hash, token count and shingle-set
       hash) are grouped by the shuffle and only the first of each group is paired with the
       rest, the others get a ``duplicate`` pair with it.
    3. **Candidates by the shuffle**, the four generators of ``stemma scan``: LSH buckets and
       SimHash blocks (buckets above ``max_bucket`` become stars on their first document),
       shared winnowed fingerprints (document frequency up to ``max_df``, at least
       ``min_shared_fingerprints`` shared) and shared rare bigrams (each document's best
       ``bigram_candidates_per_document`` partners).
    4. **Corpus statistics as distributed aggregates**: the document frequency of every
       fingerprint and bigram, joined to the documents of the candidates (idf weights, common
       bigrams, boilerplate shingles), and the document count.
    5. **Verification in partitions** by the Rust library (``stemma.distributed.verify`` via
       ``mapInArrow``), each candidate with its two texts and their statistics.
    6. **Families**: distributed connected components (large-star / small-star) of the related
       pairs, then each component's families under the family policy (strict: complete
       linkage, as the single machine merges, strongest pair first) in the component's task.
       Families never cross components, so they are the single machine's families.

    Where it can differ from ``stemma scan``: identical texts are grouped by a 64-bit hash of
    the shingle set next to the content hash, where the single machine compares the sets (two
    different texts equal in both hashes and the token count are not expected); a component
    is handled by one task, so one giant component (a template shared by millions of documents)
    is a straggler. The pairs of a component's texts are read by the family step only for the
    strict policy.
    """
    config = _config_for(config, threshold)
    for col in (text_col, id_col):
        if col not in df.columns:
            raise ValueError(f"column {col!r} not found; the DataFrame has {df.columns}")
    c = json.loads(config.to_json())
    spark = df.sparkSession
    bands, _ = config.banding()
    max_bucket = int(c["max_bucket"])

    base = df.select(
        F.col(id_col).cast("string").alias("_id"),
        F.coalesce(F.col(text_col).cast("string"), F.lit("")).alias("_text"),
    )
    # One job checks both: a null id, or an id on two rows.
    dup = (
        base.groupBy("_id").count()
        .where(F.col("_id").isNull() | (F.col("count") > 1))
        .limit(1)
        .collect()
    )
    if dup and dup[0]["_id"] is None:
        raise ValueError(f"{dup[0]['count']} row(s) have no id (column {id_col!r} is null)")
    if dup:
        raise ValueError(
            f"duplicate id {dup[0]['_id']!r} ({dup[0]['count']} rows): ids must be unique"
        )
    ranks = spark.createDataFrame(
        base.select("_id").orderBy("_id").rdd.map(lambda r: r[0]).zipWithIndex(),
        "_id string, _d long",
    )
    docs = base.join(ranks, "_id").persist()
    documents = docs.count()

    keys = (
        docs.select("_d", "_text")
        .mapInArrow(
            _scan_keys_batches(config, bands),
            "_d long, _tokens long, _chash long, _set long, _shingles long, _simhash long, "
            "_keys array<long>, _win array<long>, _big array<long>",
        )
        .persist()
    )

    # Identical texts: the first document of each group stands for it.
    reps = (
        keys.where(F.col("_tokens") > 0)
        .groupBy("_chash", "_tokens", "_set")
        .agg(F.min("_d").alias("_rep"))
    )
    info = (
        keys.select("_d", "_chash", "_tokens", "_set", "_shingles", "_simhash")
        .join(reps, ["_chash", "_tokens", "_set"], "left")
        .select(
            "_d", "_tokens", "_shingles",
            F.when(F.col("_tokens") > 0, F.col("_simhash")).otherwise(F.lit(0)).alias("_simhash"),
            F.coalesce(F.col("_rep"), F.col("_d")).alias("_rep"),
        )
        .withColumn("_active", (F.col("_rep") == F.col("_d")) & (F.col("_tokens") > 0))
        .persist()
    )
    active = info.where("_active").select("_d")

    # LSH: band keys of active documents.
    lsh = _bucket_pairs(
        keys.join(active, "_d", "left_semi")
        .select("_d", F.posexplode("_keys").alias("_band", "_key"))
        .select(F.struct("_band", "_key").alias("_g"), "_d", F.lit(0).alias("_h")),
        max_bucket,
    ).withColumn("_src", F.lit(_LSH))

    # SimHash blocks over every document (buckets count them all), pairs of active ones.
    max_distance = int(c["simhash_max_distance"])
    blocks = _simhash_blocks(max_distance)
    block_keys = F.array(*[
        F.struct(F.lit(i).alias("_b"),
                 F.shiftrightunsigned("_simhash", shift).bitwiseAND(F.lit(mask).cast("long"))
                 .alias("_k"))
        for i, (shift, mask) in enumerate(blocks)
    ])
    sim = (
        _bucket_pairs(
            info.select("_d", F.col("_simhash").alias("_h"), F.explode(block_keys).alias("_g")),
            max_bucket,
            close=F.bit_count(F.col("ha").bitwiseXOR(F.col("hb"))) <= max_distance,
        )
        .join(active.select(F.col("_d").alias("a")), "a", "left_semi")
        .join(active.select(F.col("_d").alias("b")), "b", "left_semi")
        .select("a", "b", F.lit(_SIMHASH).alias("_src"))
    )

    # Winnowed fingerprints: document frequencies over every document.
    fps = keys.select("_d", F.explode("_win").alias("_g")).persist()
    fp_df = fps.groupBy("_g").agg(F.count("*").alias("_df")).persist()
    postings = (
        _pairs_of_groups(
            fps.join(fp_df.where(F.col("_df") <= int(c["max_df"])).select("_g"), "_g", "left_semi")
            .join(active, "_d", "left_semi")
        )
        .groupBy("a", "b").count()
        .where(F.col("count") >= int(c["min_shared_fingerprints"]))
        .select("a", "b", F.lit(_POSTINGS).alias("_src"))
    )
    common_fps = fp_df.where(F.col("_df") > int(c["boilerplate_max_df"])).select("_g")

    # Word bigrams: document frequencies; rewrite candidates from the rare ones.
    bigs = keys.select("_d", F.explode("_big").alias("_g")).persist()
    big_df = bigs.groupBy("_g").agg(F.count("*").alias("_df")).persist()
    generated = [lsh, sim, postings]
    per_doc = int(c["bigram_candidates_per_document"])
    if per_doc > 0:
        cap = min(int(c["bigram_max_df"]), int(c["bigram_candidates_max_df"]))
        linked = (
            _pairs_of_groups(
                bigs.join(big_df.where((F.col("_df") >= 2) & (F.col("_df") <= cap)).select("_g"),
                          "_g", "left_semi")
                .join(active, "_d", "left_semi")
            )
            .groupBy("a", "b").count()
            .where(F.col("count") >= max(int(c["bigram_candidates_min_shared"]), 1))
        )
        ends = linked.select(F.col("a").alias("_x"), F.col("b").alias("_y"), "count").union(
            linked.select(F.col("b").alias("_x"), F.col("a").alias("_y"), "count")
        )
        best = Window.partitionBy("_x").orderBy(F.col("count").desc(), F.col("_y"))
        rewrites = (
            ends.withColumn("_r", F.row_number().over(best))
            .where(F.col("_r") <= per_doc)
            .select(F.least("_x", "_y").alias("a"), F.greatest("_x", "_y").alias("b"))
            .distinct()
            .withColumn("_src", F.lit(_BIGRAMS))
        )
        generated.append(rewrites)
    candidates = generated[0]
    for g in generated[1:]:
        candidates = candidates.unionByName(g)
    # Checkpointed: the plans above are long, and the statistics and the verification read
    # the candidates three times.
    candidates = (
        candidates.groupBy("a", "b").agg(F.bit_or("_src").alias("_src")).localCheckpoint()
    )

    # The statistics of the candidates' documents.
    involved = candidates.select(F.col("a").alias("_d")).union(
        candidates.select(F.col("b").alias("_d"))
    ).distinct()
    big_stats = (
        bigs.join(involved, "_d", "left_semi")
        .join(big_df.where(F.col("_df") >= 2), "_g")
        .groupBy("_d")
        .agg(F.collect_list(F.struct("_g", "_df")).alias("_s"))
        .select("_d", F.col("_s._g").alias("_bk"), F.col("_s._df").alias("_bd"))
    )
    stats = involved.join(big_stats, "_d", "left")
    if common_fps.limit(1).count():
        shingles = (
            docs.join(involved, "_d", "left_semi")
            .select("_d", "_text")
            .mapInArrow(_shingle_batches(config), "_d long, _sh array<long>")
            .select("_d", F.explode("_sh").alias("_g"))
        )
        boiler = (
            shingles.join(common_fps, "_g", "left_semi")
            .groupBy("_d")
            .agg(F.collect_list("_g").alias("_bp"))
        )
        stats = stats.join(boiler, "_d", "left")
    else:
        stats = stats.withColumn("_bp", F.lit(None).cast("array<long>"))
    ends_info = stats.join(docs.select("_d", "_id", "_text"), "_d")

    def side(s):
        return ends_info.select(*[F.col(x).alias(f"{x}_{s}") for x in ends_info.columns])

    verified = (
        candidates.join(side("a"), F.col("a") == F.col("_d_a"))
        .join(side("b"), F.col("b") == F.col("_d_b"))
        .mapInArrow(
            _verify_batches(config, documents),
            "a long, b long, _json string, _strength double",
        )
    )
    # Identical copies: one duplicate pair each, with their group's first document.
    named = docs.select("_d", "_id")
    copies = info.where(F.col("_rep") != F.col("_d"))
    identical = (
        copies.join(named.select(F.col("_d").alias("_rep"), F.col("_id").alias("_ida")), "_rep")
        .join(named, "_d")
        .select(F.col("_rep").alias("a"), F.col("_d").alias("b"), "_ida",
                F.col("_id").alias("_idb"), "_tokens", "_shingles")
        .mapInArrow(_identical_batches(), "a long, b long, _json string, _strength double")
    )
    related = verified.union(identical).localCheckpoint()

    pairs = (
        related.select("a", "b", F.from_json("_json", PAIR_SCHEMA).alias("_p"))
        .orderBy("a", "b")
        .select("_p.*")
    )
    families = _families(related, docs, config)
    return ScanResult(pairs, families)


def _identical_batches():
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            out = _stemma._identical_batch(
                batch.column("_ida").to_pylist(),
                batch.column("_idb").to_pylist(),
                batch.column("_tokens").to_pylist(),
                batch.column("_shingles").to_pylist(),
            )
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("a"),
                    batch.column("b"),
                    pa.array([o[0] for o in out], pa.string()),
                    pa.array([o[1] for o in out], pa.float64()),
                ],
                names=["a", "b", "_json", "_strength"],
            )

    return run


def _families(related: DataFrame, docs: DataFrame, config: Config) -> DataFrame:
    """The families of the related pairs `(a, b, _json, _strength)`: connected components,
    then each component's families by the Rust library, numbered F1, F2, ... by first member."""
    components = connected_components(related.select("a", "b"))
    member_rows = (
        components.join(docs.select(F.col("_d").alias("node"), "_text"), "node")
        .groupBy("component")
        .agg(F.collect_list(F.struct("node", "_text")).alias("_m"))
        .select("component", F.col("_m.node").alias("_nodes"), F.col("_m._text").alias("_texts"))
    )
    edge_rows = (
        related.join(components, related.a == components.node)
        .groupBy("component")
        .agg(F.collect_list(F.struct("a", "b", F.col("_strength").alias("s"))).alias("_edges"))
    )
    groups = member_rows.join(edge_rows, "component").mapInArrow(
        _family_batches(config), "_first long, _members array<long>, _capped boolean"
    )
    numbered = spark_zip(groups.orderBy("_first"))
    names = docs.select(F.col("_d").alias("_m"), F.col("_id"))
    members = (
        numbered.select("_f", F.explode("_members").alias("_m"))
        .join(names, "_m")
        .groupBy("_f")
        .agg(F.array_sort(F.collect_list(F.struct("_m", "_id"))).alias("_s"))
        .select("_f", F.col("_s._id").alias("members"))
    )
    of = numbered.select("_f", F.explode("_members").alias("_m"))
    inside = (
        related.select("a", "b", F.get_json_object("_json", "$.relation").alias("relation"))
        .join(of.select(F.col("_m").alias("a"), F.col("_f").alias("_fa")), "a")
        .join(of.select(F.col("_m").alias("b"), F.col("_f").alias("_fb")), "b")
        .where(F.col("_fa") == F.col("_fb"))
        .join(names.select(F.col("_m").alias("a"), F.col("_id").alias("_ia")), "a")
        .join(names.select(F.col("_m").alias("b"), F.col("_id").alias("_ib")), "b")
        .groupBy(F.col("_fa").alias("_f"))
        .agg(F.array_sort(F.collect_list(F.struct("a", "b", "_ia", "_ib", "relation"))).alias("_p"))
        .select("_f", F.expr(
            "transform(_p, p -> named_struct('a', p._ia, 'b', p._ib, 'relation', p.relation))"
        ).alias("pairs"))
    )
    return (
        numbered.join(members, "_f")
        .join(inside, "_f")  # every family has a pair inside: it was merged on one
        .orderBy("_f")
        .select(
            F.concat(F.lit("F"), (F.col("_f") + 1).cast("string")).alias("family"),
            "members",
            F.col("_capped").alias("capped"),
            "pairs",
        )
    )


def spark_zip(ordered: DataFrame) -> DataFrame:
    """``ordered`` with ``_f``: each row's position in its order (0-based), by ``zipWithIndex``
    (distributed: no single partition holds the rows)."""
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType(list(ordered.schema.fields) + [StructField("_f", LongType(), False)])
    rdd = ordered.rdd.zipWithIndex().map(lambda r: (*r[0], r[1]))
    return ordered.sparkSession.createDataFrame(rdd, schema)
