"""Index passages into knowledge_base: texts first, then the vectors that are missing or from another model.

A run has two steps. (1) One transaction writes the texts of new and edited passages (their old vectors
dropped) and deletes the passages gone: full-text search has the whole corpus from then on. (2) The
passages without a vector of the current model (new, edited, left over by an interrupted run, or made by
another model, e.g. an index from the MiniLM era) are embedded in batches, each committed, so the vector
side fills in while the copilot already answers. A vector is never compared with another model's: the
search reads only its own model's vectors.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg

from knowledge import store
from knowledge.corpus import Passage, vector_key
from knowledge.embedder import TextEncoder, TextKind, get_embedder
from knowledge.progress import IndexTracker

EMBED_BATCH = 8  # passages per engine call and commit (~1-2 s here: a query never waits long behind it)
Progress = Callable[[int, int], None]  # (passages embedded so far, passages to embed)


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    total: int
    added: int
    updated: int
    unchanged: int
    deleted: int
    embedded: int  # vectors computed: added, edited, and passages whose vector was missing or stale
    seconds: float
    text_seconds: float = 0.0  # until the texts were committed (full-text search usable)


def _lock_key(plant: str) -> int:
    """Return the advisory lock key that serialises index runs of one plant across processes."""
    return 0x10C4_0200_0000 + zlib.crc32(plant.encode())


def index_passages(
    conn: psycopg.Connection,
    passages: Sequence[Passage],
    *,
    plant: str = "lock",
    embedder: TextEncoder | None = None,
    progress: Progress | None = None,
    tracker: IndexTracker | None = None,
    batch_size: int = EMBED_BATCH,
) -> IndexReport:
    """Bring knowledge_base in line with the passages; unchanged passages with a current vector are skipped.

    Commits on `conn` as it goes (texts, then each batch of vectors); runs of one plant are serialised by
    an advisory lock, so a second process waits and then finds nothing left to do.
    """
    started = time.perf_counter()
    encoder = embedder or get_embedder()
    conn.commit()  # the session lock below must not sit inside a caller's open transaction
    conn.execute("SELECT pg_advisory_lock(%s)", (_lock_key(plant),))
    try:
        backend = store.vector_backend(conn)
        stored = store.stored_passages(conn, plant=plant)
        changed = [p for p in passages if p.id not in stored or stored[p.id].content_hash != p.content_hash]
        changed_ids = {p.id for p in changed}
        gone = sorted(set(stored) - {p.id for p in passages})
        with conn.transaction():
            if changed:
                store.upsert_texts(conn, changed, plant=plant)
            if gone:
                store.delete(conn, gone, plant=plant)
        conn.commit()
        text_seconds = time.perf_counter() - started
        key = vector_key(encoder.model_id)
        todo = [p for p in passages if p.id in changed_ids or stored[p.id].embedding_model != key]
        _embed(
            conn,
            todo,
            encoder,
            plant=plant,
            backend=backend,
            batch_size=batch_size,
            progress=progress,
            tracker=tracker,
        )
    except Exception as exc:
        if tracker is not None:
            tracker.fail(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        if not conn.closed:
            conn.rollback()
            conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(plant),))
            conn.commit()
    added = sum(1 for p in changed if p.id not in stored)
    return IndexReport(
        total=len(passages),
        added=added,
        updated=len(changed) - added,
        unchanged=len(passages) - len(changed),
        deleted=len(gone),
        embedded=len(todo),
        seconds=time.perf_counter() - started,
        text_seconds=text_seconds,
    )


def _embed(
    conn: psycopg.Connection,
    todo: Sequence[Passage],
    encoder: TextEncoder,
    *,
    plant: str,
    backend: store.VectorBackend,
    batch_size: int,
    progress: Progress | None,
    tracker: IndexTracker | None,
) -> None:
    """Embed the passages in batches, committing each batch's vectors and reporting progress."""
    if tracker is not None:
        tracker.start(len(todo))
    if progress is not None:
        progress(0, len(todo))
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vectors = encoder.encode([p.embed_text for p in batch], kind=TextKind.PASSAGE)
        with conn.transaction():
            store.write_vectors(
                conn, batch, vectors, plant=plant, model=vector_key(encoder.model_id), backend=backend
            )
        conn.commit()
        done = start + len(batch)
        if tracker is not None:
            tracker.advance(done)
        if progress is not None:
            progress(done, len(todo))
    if tracker is not None:
        tracker.finish()
