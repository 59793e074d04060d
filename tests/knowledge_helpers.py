"""Helpers shared by the knowledge tests: one embedder per process, its vectors cached on disk."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from knowledge.corpus import Passage
from knowledge.embedder import CachingEmbedder, get_embedder
from knowledge.service import build_corpus
from rules.bundle import load_bundle

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCUMENTS = ("unidade-hidraulica", "falta-energia", "faq", "regras/cavitacao_bomba")


@cache
def _embedder(path: Path) -> CachingEmbedder:
    return CachingEmbedder(get_embedder(), path=path)


def cached_embedder(config: pytest.Config) -> CachingEmbedder:
    """Return the process's caching embedder; vectors persist in pytest's cache dir between runs."""
    assert config.cache is not None
    return _embedder(config.cache.mkdir("lockpilot-knowledge") / "embeddings.npz")


class CountingEncoder:
    """Count the texts an indexer sends to the model (to prove unchanged passages are skipped)."""

    def __init__(self, inner: CachingEmbedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts, batch_size=batch_size)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def sample_passages(documents: tuple[str, ...] = SAMPLE_DOCUMENTS) -> list[Passage]:
    """A few real pages of the plant (and the FAQ), enough to search for real."""
    bundle = load_bundle("lock", root=Path(__file__).resolve().parent.parent / "plants")
    return [p for p in build_corpus(bundle) if p.document in documents]
