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

__all__ = ["dedup", "duplicate_pairs", "write_dedup", "connected_components"]


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
    import json

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
