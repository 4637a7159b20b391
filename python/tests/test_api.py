"""The Python API itself: MinHasher, pickling, and clear exceptions on bad input."""

import pickle

import pytest

import stemma
from conftest import generated_corpus


def test_minhasher_batch_equals_single():
    texts = [d["text"] for d in generated_corpus()[:50]]
    h = stemma.MinHasher(stemma.Config(num_perm=64))
    batch = h.signatures(texts)
    assert batch == [h.signature(t) for t in texts]
    assert all(len(s) == 64 for s in batch)
    raw = h.signatures_bytes(texts)
    assert raw == b"".join(s.to_bytes() for s in batch)
    assert stemma.Signature.from_bytes(batch[0].to_bytes()) == batch[0]


def test_signature_estimates_jaccard():
    h = stemma.MinHasher()
    a = " ".join(f"w{i}" for i in range(400))
    assert h.signature(a).jaccard(h.signature(a)) == 1.0
    assert h.signature(a).jaccard(h.signature("something else entirely here now")) < 0.1
    with pytest.raises(ValueError, match="cannot be compared"):
        h.signature(a).jaccard(stemma.MinHasher(stemma.Config(num_perm=64)).signature(a))


def test_pickle_roundtrips():
    c = stemma.Config(threshold=0.7, shingle="chars:7", bands="8x4")
    assert pickle.loads(pickle.dumps(c)) == c
    assert pickle.loads(pickle.dumps(c)).bands == (8, 4)
    s = stemma.MinHasher(c).signature("some text to sign")
    assert pickle.loads(pickle.dumps(s)) == s
    r = stemma.scan([("a", "x y z w v u"), ("b", "x y z w v u")])
    assert pickle.loads(pickle.dumps(r)).to_json() == r.to_json()


def test_config_defaults_mirror_cli():
    c = stemma.Config()
    assert (c.shingle, c.num_perm, c.threshold, c.fold_diacritics, c.family_policy) == (
        "words:5", 128, 0.8, False, "strict")
    assert c.replace(threshold=0.5).threshold == 0.5
    assert c.banding() == stemma.Config().banding()


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (dict(threshold=0), ValueError, "--threshold"),
        (dict(threshold=1.5), ValueError, "--threshold"),
        (dict(num_perm=0), ValueError, "--num-perm"),
        (dict(num_perm=-3), ValueError, "--num-perm"),
        (dict(num_perm="128"), TypeError, "num_perm"),
        (dict(shingle="words:0"), ValueError, "--shingle"),
        (dict(shingle="lines:3"), ValueError, "unknown shingle unit"),
        (dict(family_policy="loose"), ValueError, "family policy"),
        (dict(bands="16x16"), ValueError, "needs 256 permutations"),
        (dict(permutation_family="minwise"), ValueError, "permutation_family"),
        (dict(threshold=True), TypeError, "threshold"),
        (dict(nonsense=1), TypeError, "unexpected keyword"),
    ],
)
def test_invalid_config(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        stemma.Config(**kwargs)


@pytest.mark.parametrize(
    "docs, exc, message",
    [
        ([{"id": "a"}], ValueError, 'document 0: field "text" is missing'),
        ([{"text": "x"}], ValueError, 'document 0: field "id" is missing'),
        ([{"id": "a", "text": 3}], TypeError, 'field "text" must be a str, got int'),
        ([{"id": 1.5, "text": "x"}], TypeError, 'field "id" must be a str or an int'),
        ([{"id": "a", "text": "x", "outlet": 7}], TypeError, 'field "outlet" must be a str'),
        ([("a",)], ValueError, "a tuple must be"),
        ([["a", "b"]], TypeError, "expected a dict"),
        ([("a", "x"), ("a", "y")], ValueError, 'duplicate document id "a": first at -:1, again at -:2'),
        ("just a string", TypeError, "iterable of documents"),
        (42, TypeError, "iterable of documents"),
        ([], ValueError, "no documents"),
    ],
)
def test_bad_documents(docs, exc, message):
    with pytest.raises(exc, match=message):
        stemma.scan(docs)


def test_bad_documents_in_dedup_and_config_type():
    with pytest.raises(ValueError, match='field "text" is missing'):
        stemma.dedup([{"id": "a"}])
    with pytest.raises(ValueError, match="keep policy"):
        stemma.dedup([("a", "x")], keep="last")
    with pytest.raises(TypeError, match="stemma.Config"):
        stemma.scan([("a", "x")], config={"threshold": 0.5})
    with pytest.raises(OSError, match="cannot read"):
        import pathlib

        stemma.scan(pathlib.Path("/nonexistent/corpus"))


def test_int_ids_and_metadata():
    r = stemma.scan([{"id": 7, "text": "a b c d e f", "outlet": "X", "date": "2026-01-02"},
                     (8, "a b c d e f", {"lang": "en"})])
    docs = {d.id: d for d in r.documents}
    assert docs["7"].outlet == "X" and docs["7"].published_at == "2026-01-02"
    assert docs["8"].lang == "en"
    assert r.pairs[0].relation == "duplicate"


def test_config_repr_round_trips():
    c = stemma.Config(threshold=0.7, shingle="chars:7", bands="8x4", fold_diacritics=True)
    assert eval(repr(c), {"Config": stemma.Config}) == c
    assert repr(stemma.MinHasher(c)) == "MinHasher(num_perm=128, shingle='chars:7')"


def test_report_repr_counts_with_the_right_nouns():
    one = stemma.scan([("a", "one text alone"), ("b", "another text alone")])
    assert repr(one) == "<stemma scan: 2 documents, 0 related pairs, 0 families>"
    story = "the minister said on friday that the new bridge over the river will open in march " * 3
    two = stemma.scan([("a", story), ("b", story + " more")])
    assert repr(two) == "<stemma scan: 2 documents, 1 related pair, 1 family>"


def test_compare_passage_spans_are_characters():
    # Non-ASCII text: Python strings index characters, so the spans slice the passage out.
    shared = "Chủ tịch nước đã ký quyết định công bố luật mới về đất đai vào sáng thứ hai tuần này tại Hà Nội"
    a = "Tin tức hôm nay. " + shared + " và nhiều tin khác nữa ở đây."
    b = "Một đoạn mở đầu khác hẳn với văn bản kia. " + shared + ". Hết."
    c = stemma.compare(a, b)
    assert c.passages
    p = c.passages[0]
    assert a[p.a["start"]:p.a["end"]] == p.text_a
    assert b[p.b["start"]:p.b["end"]] == p.text_b
    assert a.encode()[p.a_bytes["start"]:p.a_bytes["end"]].decode() == p.text_a
