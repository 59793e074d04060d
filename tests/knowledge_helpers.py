"""Helpers shared by the knowledge tests: one embedder per process, its vectors cached on disk."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from knowledge.corpus import Passage
from knowledge.embedder import CachingEmbedder, TextKind, get_embedder
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
    return _embedder(config.cache.mkdir("lockpilot-knowledge") / "embeddings-e5.npz")


class CountingEncoder:
    """Count the passages an indexer sends to the model (to prove unchanged ones are skipped)."""

    def __init__(self, inner: CachingEmbedder, *, model_id: str | None = None) -> None:
        self.inner = inner
        self.texts: list[str] = []
        self._model_id = model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def model_id(self) -> str:
        return self._model_id or self.inner.model_id

    def encode(self, texts: Sequence[str], *, kind: TextKind) -> np.ndarray:
        if kind is TextKind.PASSAGE:
            self.texts.extend(texts)
        return self.inner.encode(texts, kind=kind)


def sample_passages(documents: tuple[str, ...] = SAMPLE_DOCUMENTS) -> list[Passage]:
    """A few real pages of the plant (and the FAQ), enough to search for real."""
    bundle = load_bundle("lock", root=Path(__file__).resolve().parent.parent / "plants")
    return [p for p in build_corpus(bundle) if p.document in documents]
