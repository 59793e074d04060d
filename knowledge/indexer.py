"""Index passages into knowledge_base, embedding only what changed since the last run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import psycopg

from knowledge import store
from knowledge.corpus import Passage
from knowledge.embedder import TextEncoder, get_embedder

EMBED_BATCH = 16
Progress = Callable[[int, int], None]  # (passages embedded so far, passages to embed)


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    total: int
    added: int
    updated: int
    unchanged: int
    deleted: int
    seconds: float

    @property
    def embedded(self) -> int:
        """Return how many passages were embedded."""
        return self.added + self.updated


def _embed(embedder: TextEncoder, passages: Sequence[Passage], progress: Progress | None) -> np.ndarray:
    """Embed passages in batches, reporting progress."""
    parts = [np.zeros((0, embedder.dim), dtype=np.float32)]
    for start in range(0, len(passages), EMBED_BATCH):
        batch = passages[start : start + EMBED_BATCH]
        parts.append(embedder.encode([p.embed_text for p in batch]))
        if progress is not None:
            progress(start + len(batch), len(passages))
    return np.concatenate(parts)


def index_passages(
    conn: psycopg.Connection,
    passages: Sequence[Passage],
    *,
    plant: str = "lock",
    embedder: TextEncoder | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring knowledge_base in line with the passages, in one transaction; unchanged ones are skipped."""
    started = time.perf_counter()
    backend = store.vector_backend(conn)
    stored = store.stored_hashes(conn, plant=plant)
    changed = [p for p in passages if stored.get(p.id) != p.content_hash]
    current = {p.id for p in passages}
    gone = sorted(set(stored) - current)
    if progress is not None:
        progress(0, len(changed))
    vectors = _embed(embedder or get_embedder(), changed, progress) if changed else None
    with conn.transaction():
        if vectors is not None:
            store.upsert(conn, changed, vectors, plant=plant, backend=backend)
        if gone:
            store.delete(conn, gone, plant=plant)
    added = sum(1 for p in changed if p.id not in stored)
    return IndexReport(
        total=len(passages),
        added=added,
        updated=len(changed) - added,
        unchanged=len(passages) - len(changed),
        deleted=len(gone),
        seconds=time.perf_counter() - started,
    )
