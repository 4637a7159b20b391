"""stemma: find rewritten and syndicated copies in text corpora and trace where each text came from.

The work is done by the Rust library (the native module ``stemma._stemma``), with the
interpreter released; this module converts arguments and results. Results carry the fields of
the CLI's JSON, and ``Report.to_json()`` returns the bytes ``stemma scan --json`` writes.

>>> import stemma
>>> docs = [{"id": "a", "text": "the river council voted on monday to rebuild the old stone bridge"},
...         {"id": "b", "text": "the river council voted on monday to rebuild the old stone bridge"}]
>>> report = stemma.scan(docs)
>>> [(p.a, p.b, p.relation) for p in report.pairs]
[('a', 'b', 'duplicate')]

Documents are an iterable of dicts (``id``, ``text``, and optionally ``outlet``, ``url``,
``title``, ``published_at`` or ``date``, ``lang``) or of ``(id, text)`` /
``(id, text, metadata)`` tuples. Each gets the origin ``-:N`` (its 1-based position), exactly as
if the same records were given to the CLI as JSONL on standard input (``stemma scan -``). To
read files and directories the way the CLI does, pass a ``pathlib.Path`` (or a list of them).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union

from ._stemma import (  # noqa: F401  (re-exported)
    Config,
    IndexError,
    MinHasher,
    Signature,
    StemmaError,
    __version__,
)
from . import _stemma

__all__ = [
    "__version__",
    "Config",
    "MinHasher",
    "Signature",
    "StemmaError",
    "IndexError",
    "Record",
    "Report",
    "Dedup",
    "Comparison",
    "scan",
    "trace",
    "compare",
    "dedup",
    "Index",
]


class Record:
    """A JSON object of a report with attribute access: ``pair.jaccard``, ``pair["jaccard"]``.

    Nested objects are Records too, lists of objects lists of Records. ``to_dict()`` gives the
    plain JSON value back.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]):
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self._data[name])
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no field {name!r}; fields: {', '.join(self._data)}"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("report records are read-only")

    def __getitem__(self, name: str) -> Any:
        return _wrap(self._data[name])

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._data == other._data
        return NotImplemented

    def __hash__(self) -> int:  # records are values; hash their JSON
        return hash(json.dumps(self._data, sort_keys=True))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in list(self._data.items())[:6])
        more = ", ..." if len(self._data) > 6 else ""
        return f"Record({fields}{more})"

    def get(self, name: str, default: Any = None) -> Any:
        """The field, or ``default`` when the report omits it (optional fields)."""
        return _wrap(self._data[name]) if name in self._data else default

    def keys(self) -> List[str]:
        """The field names, in the JSON's order."""
        return list(self._data)

    def to_dict(self) -> Dict[str, Any]:
        """The plain JSON value (a dict)."""
        return self._data

    def __reduce__(self):
        return (Record, (self._data,))


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


class Report:
    """The result of :func:`scan` or :func:`trace`: the CLI's JSON report (schema
    ``stemma.analysis`` v1) as Python objects.

    ``pairs``, ``families``, ``documents`` are lists of :class:`Record` with the fields of the
    CLI's JSON; ``stemma`` (trace only) the stemma edges of every family; ``to_json()`` the
    exact text ``stemma scan --json`` (or ``trace --json``) writes.
    """

    def __init__(self, text: str):
        self._text = text
        self._data = json.loads(text)

    @property
    def pairs(self) -> List[Record]:
        """Related pairs, sorted as the CLI sorts them."""
        return _wrap(self._data["pairs"])

    @property
    def families(self) -> List[Record]:
        """Families (``family``, ``members``, ``capped``, ``pairs``; ``stemma`` after trace)."""
        return _wrap(self._data["families"])

    @property
    def documents(self) -> List[Record]:
        """Documents in id order (``id``, ``origin``, ``tokens``, ``shingles``, ``family``, ...)."""
        return _wrap(self._data["documents"])

    @property
    def stemma(self) -> List[Record]:
        """Trace only: every family's stemma edges, each with its ``family`` (the lines of
        ``stemma trace --stemma``)."""
        out = []
        for f in self._data["families"]:
            for e in f.get("stemma", []):
                out.append(Record({"family": f["family"], **e}))
        return out

    @property
    def stats(self) -> Record:
        """Candidate counters."""
        return Record(self._data["stats"])

    @property
    def config(self) -> Dict[str, Any]:
        """The whole configuration used, as echoed in the report."""
        return self._data["config"]

    @property
    def command(self) -> str:
        """``scan`` or ``trace``."""
        return self._data["command"]

    def to_json(self) -> str:
        """The report exactly as the CLI writes it with ``--json`` (pretty, trailing newline)."""
        return self._text

    def to_dict(self) -> Dict[str, Any]:
        """The report as plain JSON values."""
        return self._data

    def __repr__(self) -> str:
        d = self._data

        def count(n: int, one: str, many: str) -> str:
            return f"{n} {one if n == 1 else many}"

        return (
            f"<stemma {d['command']}: {count(len(d['documents']), 'document', 'documents')}, "
            f"{count(len(d['pairs']), 'related pair', 'related pairs')}, "
            f"{count(len(d['families']), 'family', 'families')}>"
        )

    def __reduce__(self):
        return (Report, (self._text,))


Docs = Union[Iterable[Any], "os.PathLike[str]"]


def _paths(docs: Any) -> bool:
    if isinstance(docs, os.PathLike):
        return True
    if isinstance(docs, (list, tuple)) and docs and all(isinstance(d, os.PathLike) for d in docs):
        return True
    return False


def _check_config(config: Optional[Config]) -> None:
    if config is not None and not isinstance(config, Config):
        raise TypeError(f"config must be a stemma.Config, got {type(config).__name__}")


#: ``--max-doc-bytes``'s default: 16 MiB.
MAX_DOC_BYTES = 16 << 20


def _check_max_doc_bytes(max_doc_bytes) -> int:
    if isinstance(max_doc_bytes, bool) or not isinstance(max_doc_bytes, int) or max_doc_bytes < 0:
        raise ValueError(
            f"max_doc_bytes must be a non-negative int (bytes), got {max_doc_bytes!r}"
        )
    return max_doc_bytes


def scan(docs: Docs, config: Optional[Config] = None, max_doc_bytes: int = MAX_DOC_BYTES) -> Report:
    """Relations between documents and families, as ``stemma scan`` finds them.

    ``docs``: an iterable of dicts / tuples (see the module docs), or a ``pathlib.Path`` (or a
    list of them) read as the CLI reads files, directories and JSONL. ``max_doc_bytes`` is the
    CLI's ``--max-doc-bytes``: a longer text is truncated at a character boundary, counted in
    the report's ``inputs.truncated`` and named in its ``inputs.warnings``.
    """
    _check_config(config)
    limit = _check_max_doc_bytes(max_doc_bytes)
    return Report(_stemma._scan(docs, config, _paths(docs), limit))


def trace(docs: Docs, config: Optional[Config] = None, max_doc_bytes: int = MAX_DOC_BYTES) -> Report:
    """Everything :func:`scan` does, plus passages, cues, direction and a stemma per family,
    as ``stemma trace`` finds them (``max_doc_bytes`` as in :func:`scan`)."""
    _check_config(config)
    limit = _check_max_doc_bytes(max_doc_bytes)
    return Report(_stemma._trace(docs, config, _paths(docs), limit))


class Comparison(Record):
    """Two documents compared directly (``stemma compare``): ``relation`` (or None), the
    figures, ``passages`` (byte spans and texts), ``cues_a``/``cues_b`` and ``direction``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return (
            f"Comparison(relation={self._data['relation']!r}, jaccard={self._data['jaccard']}, "
            f"passages={len(self._data['passages'])})"
        )


def compare(a: Any, b: Any, config: Optional[Config] = None) -> Comparison:
    """Compares two documents (each a str, a dict with ``id`` and ``text``, or an (id, text)
    tuple), as ``stemma compare A B`` does."""
    _check_config(config)
    return Comparison(json.loads(_stemma._compare(a, b, config)))


class Dedup:
    """The decision of :func:`dedup`, as ``stemma dedup`` makes it.

    ``kept``: ids of kept records, in input order; ``duplicate_of``: removed id -> kept id;
    ``jaccard``: removed id -> exact Jaccard with its kept record; ``pairs``: the verified
    duplicate pairs ``(a, b, jaccard)`` (the lines of ``stemma dedup --pairs``).
    """

    def __init__(self, ids, duplicate_of, pairs, candidates, banding):
        self.ids: List[str] = ids
        self.kept: List[str] = [i for i, d in zip(ids, duplicate_of) if d is None]
        self.duplicate_of: Dict[str, str] = {
            i: ids[d[0]] for i, d in zip(ids, duplicate_of) if d is not None
        }
        self.jaccard: Dict[str, float] = {
            i: d[1] for i, d in zip(ids, duplicate_of) if d is not None
        }
        self.pairs: List[tuple] = [(ids[a], ids[b], j) for a, b, j in pairs]
        self.candidates: int = candidates
        self.banding: tuple = banding

    @property
    def removed(self) -> List[str]:
        """Ids of removed records, in input order."""
        return [i for i in self.ids if i in self.duplicate_of]

    def __repr__(self) -> str:
        return f"<stemma dedup: kept {len(self.kept)} of {len(self.ids)} records>"


def dedup(
    docs: Iterable[Any],
    config: Optional[Config] = None,
    *,
    threshold: Optional[float] = None,
    keep: str = "first",
) -> Dedup:
    """Keeps one record per near-duplicate group, as ``stemma dedup`` decides.

    ``threshold`` overrides ``config.threshold``; ``keep`` is ``first``, ``longest`` or
    ``earliest`` (``published_at``).
    """
    _check_config(config)
    if threshold is not None:
        config = (config or Config()).replace(threshold=threshold)
    return Dedup(*_stemma._dedup(docs, config, keep))


def __getattr__(name: str) -> Any:
    if name == "spark":  # lazily: pyspark is an optional extra
        import importlib

        return importlib.import_module(".spark", __name__)
    raise AttributeError(f"module 'stemma' has no attribute {name!r}")


class Index:
    """A persistent fingerprint index on disk, the same one the CLI's ``stemma index``
    commands build and read (segments + manifest, written atomically).

    >>> idx = stemma.Index.build("idx", docs)            # stemma index build -o idx
    >>> idx.add(more_docs); idx.remove(["a"]); idx.stats()
    >>> idx.query(new_docs)                               # as `stemma query idx` relates them
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]):
        self.path = os.fspath(path)
        self.stats()  # opens it: a missing or corrupt index fails here

    @classmethod
    def build(
        cls,
        path: Union[str, "os.PathLike[str]"],
        docs: Docs,
        config: Optional[Config] = None,
        *,
        texts: bool = True,
    ) -> "Index":
        """A new index at ``path`` (``stemma index build``; ``texts=False`` is ``--no-text``)."""
        _check_config(config)
        _stemma._index_build(os.fspath(path), docs, config, texts, _paths(docs))
        return cls(path)

    def add(self, docs: Docs) -> Dict[str, Any]:
        """Appends documents as a new segment, fingerprinted with the index's settings."""
        return json.loads(_stemma._index_add(self.path, docs, _paths(docs)))

    def remove(self, ids: Iterable[str]) -> Dict[str, Any]:
        """Deletes the documents with these ids (an unknown id is an error, as in the CLI)."""
        if isinstance(ids, str):
            ids = [ids]
        return json.loads(_stemma._index_remove(self.path, list(ids)))

    def stats(self) -> Dict[str, Any]:
        """Documents, deleted, segments, bytes, texts, generation, params, banding."""
        return json.loads(_stemma._index_stats(self.path))

    def query(self, docs: Docs, config: Optional[Config] = None) -> List[Record]:
        """Each document's related indexed documents, with scan's relations and figures, as
        ``stemma query INDEX`` relates them (every identical copy compared on its own, where
        ``scan --against`` pairs copies with their first copy only): ``input``, ``indexed``,
        then the pair's fields in the form of ``scan --against``'s ``index_matches``
        (``a``/``b`` ordered by id)."""
        _check_config(config)
        return _wrap(json.loads(_stemma._index_query(self.path, docs, config, _paths(docs))))

    def __repr__(self) -> str:
        s = self.stats()
        return f"<stemma Index {self.path!r}: {s['documents'] - s['deleted']} documents, {s['segments']} segments>"
