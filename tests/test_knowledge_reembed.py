"""An index from the MiniLM era is re-embedded and never compared with e5 queries; an interrupted run
resumes; the progress the copilot reads while the vectors are computed (machine's PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import psycopg
import pytest

from knowledge import store
from knowledge.corpus import Passage, vector_key
from knowledge.embedder import TextKind
from knowledge.indexer import index_passages
from knowledge.progress import IndexState, IndexTracker
from knowledge.search import KnowledgeBase, SearchMode
from storage.migrate import MIGRATIONS_DIR, migrate
from tests.knowledge_helpers import CountingEncoder, cached_embedder, sample_passages

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def _minilm_era_index(url: str, passages: Sequence[Passage], tmp_path: Path) -> None:
    """Migrate as the MiniLM-era code did (up to 0202) and store its rows: 384-d vectors, no model id."""
    old = tmp_path / "migrations-0202"
    old.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name < "0203":
            shutil.copy(path, old / path.name)
    migrate(url, directory=old)
    rng = np.random.default_rng(7)
    with psycopg.connect(url) as conn:
        backend = store.vector_backend(conn)
        cast = "vector" if backend is store.VectorBackend.PGVECTOR else "real[]"
        for p in passages:
            vector = rng.normal(size=384).astype(np.float32)
            vector /= np.linalg.norm(vector)
            value = store.vector_literal(vector) if cast == "vector" else vector.tolist()
            conn.execute(
                "INSERT INTO knowledge_base (plant, id, document, heading, topic, question, answer, keywords,"
                " category, position, content_hash, embedding, search) VALUES ('lock', %s, %s, %s, %s, %s,"
                f" %s, %s, %s, %s, %s, %s::{cast}, to_tsvector('portuguese', knowledge_fold(%s)))",
                (
                    p.id,
                    p.document,
                    p.heading,
                    p.topic,
                    p.question,
                    p.answer,
                    list(p.keywords),
                    p.category.value,
                    p.position,
                    p.content_hash,
                    value,
                    f"{p.topic} {p.heading} {p.question} {p.answer}",
                ),
            )


@pytest.fixture(scope="module")
def encoder(request: pytest.FixtureRequest) -> CountingEncoder:
    return CountingEncoder(cached_embedder(request.config))


def test_a_minilm_era_index_is_re_embedded(pg_url: str, encoder: CountingEncoder, tmp_path: Path) -> None:
    passages = sample_passages()
    _minilm_era_index(pg_url, passages, tmp_path)
    migrate(pg_url)  # what the new code's start-up does
    with psycopg.connect(pg_url) as conn:
        models = conn.execute("SELECT DISTINCT embedding_model FROM knowledge_base").fetchall()
    assert models == [(MINILM,)]

    kb = KnowledgeBase.connect(pg_url, embedder=encoder.inner)
    try:
        # Before the re-index: no MiniLM vector is compared with an e5 query; full text answers.
        assert kb.ranked_ids("falta de energia", mode=SearchMode.VECTOR) == []
        hybrid = kb.ranked_ids("falta de energia", mode=SearchMode.HYBRID, limit=3)
        assert hybrid == kb.ranked_ids("falta de energia", mode=SearchMode.FULLTEXT, limit=3)

        encoder.texts.clear()
        with psycopg.connect(pg_url) as conn:
            report = index_passages(conn, passages, embedder=encoder)
        assert (report.added, report.updated, report.unchanged) == (0, 0, len(passages))
        assert report.embedded == len(passages) == len(encoder.texts)
        with psycopg.connect(pg_url) as conn:
            models = conn.execute("SELECT DISTINCT embedding_model FROM knowledge_base").fetchall()
            assert models == [(vector_key(encoder.model_id),)]
            again = index_passages(conn, passages, embedder=encoder)
        assert again.embedded == 0

        matrix = encoder.inner.encode([p.embed_text for p in passages], kind=TextKind.PASSAGE)
        query = "what happens when the main power fails"
        qvec = encoder.inner.encode([query], kind=TextKind.QUERY)[0]
        exact = [passages[i].id for i in np.argsort(-(matrix @ qvec))[:5]]
        assert kb.ranked_ids(query, mode=SearchMode.VECTOR, limit=5) == exact
    finally:
        kb.close()


def test_a_new_model_re_embeds_and_never_mixes(pg_url: str, encoder: CountingEncoder) -> None:
    passages = sample_passages()
    other = CountingEncoder(encoder.inner, model_id="some-future-model")
    with psycopg.connect(pg_url) as conn:
        assert index_passages(conn, passages, embedder=encoder).embedded == 0
        assert index_passages(conn, passages, embedder=other).embedded == len(passages)
    kb = KnowledgeBase.connect(pg_url, embedder=encoder.inner)  # still the current model's queries
    try:
        assert kb.ranked_ids("falta de energia", mode=SearchMode.VECTOR) == []
    finally:
        kb.close()
    with psycopg.connect(pg_url) as conn:
        assert index_passages(conn, passages, embedder=encoder).embedded == len(passages)


class _FailingEncoder(CountingEncoder):
    """Embeds `batches` batches of passages and then fails, as a killed process would stop."""

    def __init__(self, inner: CountingEncoder, *, batches: int) -> None:
        super().__init__(inner.inner)
        self.batches = batches

    def encode(self, texts, *, kind):
        if kind is TextKind.PASSAGE:
            if self.batches == 0:
                raise RuntimeError("stopped")
            self.batches -= 1
        return super().encode(texts, kind=kind)


def test_an_interrupted_run_keeps_full_text_and_resumes(pg_url: str, encoder: CountingEncoder) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("DELETE FROM knowledge_base")
        conn.commit()
    passages = sample_passages()
    tracker = IndexTracker("lock")
    with psycopg.connect(pg_url) as conn, pytest.raises(RuntimeError, match="stopped"):
        index_passages(
            conn, passages, embedder=_FailingEncoder(encoder, batches=2), tracker=tracker, batch_size=4
        )
    reading = tracker.progress()
    assert reading.state is IndexState.FAILED and reading.done == 8 and "stopped" in reading.error
    with psycopg.connect(pg_url) as conn:
        done, total = store.vector_coverage(conn, plant="lock", model=vector_key(encoder.model_id))
    assert (done, total) == (8, len(passages))
    kb = KnowledgeBase.connect(pg_url, embedder=encoder.inner)
    try:
        assert "faq#gerador" in kb.ranked_ids("gerador de emergencia", mode=SearchMode.HYBRID, limit=3)
    finally:
        kb.close()

    encoder.texts.clear()
    with psycopg.connect(pg_url) as conn:
        report = index_passages(conn, passages, embedder=encoder, tracker=tracker)
    assert report.embedded == len(passages) - 8 == len(encoder.texts)
    assert tracker.progress().state is IndexState.READY


def test_progress_while_the_vectors_are_computed(pg_url: str, encoder: CountingEncoder) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("DELETE FROM knowledge_base")
        conn.commit()
    passages = sample_passages()
    tracker = IndexTracker("lock")
    kb = KnowledgeBase.connect(pg_url, embedder=encoder.inner)
    seen: list[tuple[IndexState, int, int, float | None, list[str]]] = []

    def during(done: int, total: int) -> None:
        reading = tracker.progress()
        hits = kb.ranked_ids("gerador de emergencia", mode=SearchMode.HYBRID, limit=3)
        seen.append((reading.state, reading.done, reading.total, reading.seconds_left, hits))

    try:
        with psycopg.connect(pg_url) as conn:
            index_passages(conn, passages, embedder=encoder, progress=during, tracker=tracker, batch_size=4)
    finally:
        kb.close()
    first = seen[0]
    assert first[0] is IndexState.INDEXING and first[1:3] == (0, len(passages))
    assert first[3] is not None and first[3] > 0
    assert "faq#gerador" in first[4]  # the texts were committed before any vector: search answers
    middle = seen[len(seen) // 2]
    assert middle[0] is IndexState.INDEXING and 0 < middle[1] < middle[2] and middle[3] is not None
    final = tracker.progress()
    assert final.state is IndexState.READY and final.done == final.total and final.seconds_left is None
