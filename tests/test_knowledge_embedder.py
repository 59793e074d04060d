"""The numpy forward pass of all-MiniLM-L6-v2 matches sentence-transformers and ranks paraphrases."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embedder import EMBEDDING_DIM, CachingEmbedder, Embedder, get_embedder, model_dir


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_model_ships_in_the_package() -> None:
    assert (model_dir() / "model.safetensors").is_file()
    assert (model_dir() / "tokenizer.json").is_file()


def test_reference_similarities_of_sentence_transformers(embedder: Embedder) -> None:
    # Scores printed by sentence-transformers' semantic-search example with this model.
    query = "A man is eating pasta."
    corpus = ["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse."]
    vectors = embedder.encode([query, *corpus])
    assert vectors.shape == (4, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors[1:] @ vectors[0]) == pytest.approx([0.7035, 0.5272, 0.1889], abs=2e-3)


def test_paraphrases_rank_above_unrelated(embedder: Embedder) -> None:
    anchor, paraphrase, unrelated = embedder.encode(
        ["The gate will not open", "The lock gate does not open", "Pump oil temperature is high"]
    )
    assert anchor @ paraphrase > anchor @ unrelated + 0.2
    pt = embedder.encode(["a bomba está vibrando muito", "vibração alta na bomba", "nível da câmara"])
    assert pt[0] @ pt[1] > pt[0] @ pt[2]


def test_padding_does_not_change_vectors(embedder: Embedder) -> None:
    short, long_text = "comporta", "a comporta de montante não abre porque os níveis não estão equalizados"
    together = embedder.encode([short, long_text])
    assert np.allclose(together[0], embedder.encode_one(short), atol=1e-5)
    assert np.allclose(together[1], embedder.encode_one(long_text), atol=1e-5)


def test_long_text_is_truncated_not_rejected(embedder: Embedder) -> None:
    assert embedder.encode_one("eclusa " * 600).shape == (EMBEDDING_DIM,)


def test_cache_computes_each_text_once(embedder: Embedder, tmp_path) -> None:
    path = tmp_path / "vectors.npz"
    cache = CachingEmbedder(embedder, path=path)
    first = cache.encode(["enchimento", "esvaziamento", "enchimento"])
    assert cache.computed == 2
    again = CachingEmbedder(embedder, path=path)
    assert np.allclose(again.encode(["esvaziamento", "enchimento"]), first[[1, 0]])
    assert again.computed == 0
