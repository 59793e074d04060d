"""Index and search against the machine's PostgreSQL (plain path: no pgvector, exact cosine in numpy)."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest

from knowledge import store
from knowledge.indexer import index_passages
from knowledge.search import Hit, KnowledgeBase, SearchMode
from knowledge.service import search_knowledge
from knowledge.store import VectorBackend
from tests.knowledge_helpers import CountingEncoder, cached_embedder, sample_passages


@pytest.fixture(scope="module")
def encoder(request: pytest.FixtureRequest) -> CountingEncoder:
    return CountingEncoder(cached_embedder(request.config))


@pytest.fixture(scope="module")
def db(pg_url: str, encoder: CountingEncoder) -> str:
    store.ensure_schema(pg_url)
    with psycopg.connect(pg_url) as conn:
        index_passages(conn, sample_passages(), embedder=encoder)
    return pg_url


@pytest.fixture
def kb(db: str, encoder: CountingEncoder):
    base = KnowledgeBase.connect(db, embedder=encoder.inner)
    yield base
    base.close()


def test_plain_server_uses_exact_search(db: str) -> None:
    with psycopg.connect(db) as conn:
        has_vector = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
        if has_vector:
            pytest.skip("this server has pgvector; the plain path is tested where it is absent")
        assert store.vector_backend(conn) is VectorBackend.EXACT
        assert conn.execute("SELECT knowledge_fold('Câmara ÁGUA Ação')").fetchone() == ("camara agua acao",)


def test_hits_are_typed_and_citable(kb: KnowledgeBase) -> None:
    hits = kb.search("qual a pressão normal do sistema hidráulico?", limit=3, record_usage=False)
    assert hits and all(isinstance(h, Hit) for h in hits)
    assert "faq#pressao-normal" in [h.id for h in hits]
    top = hits[0]
    assert top.document and top.heading and top.text and top.score > 0
    assert top.citation == {"kind": "doc", "id": top.id}


@pytest.mark.parametrize("mode", list(SearchMode))
def test_every_mode_finds_cavitation(kb: KnowledgeBase, mode: SearchMode) -> None:
    ids = kb.ranked_ids("bomba cavitando, barulho de cascalho", mode=mode, limit=5)
    assert any(i.startswith(("unidade-hidraulica#cavitacao", "regras/cavitacao_bomba")) for i in ids)


def test_fulltext_ignores_accents_and_fixes_typos(kb: KnowledgeBase) -> None:
    accented = kb.ranked_ids("gerador de emergência", mode=SearchMode.FULLTEXT, limit=3)
    plain = kb.ranked_ids("gerador de emergencia", mode=SearchMode.FULLTEXT, limit=3)
    typo = kb.ranked_ids("gerdor de emergencai", mode=SearchMode.FULLTEXT, limit=3)
    assert accented == plain == typo
    assert "faq#gerador" in plain


def test_usage_is_counted_for_returned_hits_only(db: str, kb: KnowledgeBase) -> None:
    hits = kb.search("o gerador liga sozinho?", limit=2)
    kb.ranked_ids("o gerador liga sozinho?", mode=SearchMode.HYBRID)  # evals do not count
    with psycopg.connect(db) as conn:
        rows: dict[str, int] = dict(
            conn.execute(
                "SELECT id, usage_count FROM knowledge_base WHERE last_accessed IS NOT NULL"
            ).fetchall()
        )
    assert rows == {h.id: 1 for h in hits}


def test_search_knowledge_over_a_given_connection(db: str) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        hits = search_knowledge("falta de energia", conn=conn, limit=2, plant="lock", record_usage=False)
    assert hits[0].document == "falta-energia"


def test_reindex_embeds_only_what_changed(db: str, encoder: CountingEncoder, kb: KnowledgeBase) -> None:
    passages = sample_passages()
    kb.ranked_ids("aquecimento", mode=SearchMode.HYBRID)  # cache the corpus before it changes
    with psycopg.connect(db) as conn:
        encoder.texts.clear()
        same = index_passages(conn, passages, embedder=encoder)
        assert (same.added, same.updated, same.deleted, same.unchanged) == (0, 0, 0, len(passages))
        assert same.embedded == 0 and encoder.texts == []

        edited = [
            dataclasses.replace(p, answer=p.answer + " Tamanduá-bandeira.") if p.id == "faq#gerador" else p
            for p in passages
            if p.id != "faq#vento-forte"
        ]
        report = index_passages(conn, edited, embedder=encoder)
        assert (report.added, report.updated, report.deleted, report.embedded) == (0, 1, 1, 1)
        assert len(encoder.texts) == 1 and "Tamanduá" in encoder.texts[0]
    assert kb.ranked_ids("tamandua bandeira", mode=SearchMode.FULLTEXT, limit=1) == ["faq#gerador"]
    assert "faq#vento-forte" not in kb.passage_ids()


def test_english_questions_reach_portuguese_passages_through_full_text(kb: KnowledgeBase, db: str) -> None:
    with psycopg.connect(db) as conn:
        row = conn.execute(
            "SELECT search_en FROM knowledge_base WHERE id = 'unidade-hidraulica#cavitacao'"
        ).fetchone()
    assert row is not None and "cavit" in str(row[0])  # the English field, generated from the heading
    ids = kb.ranked_ids(
        "what should the operator do after a power failure", mode=SearchMode.FULLTEXT, limit=3
    )
    assert "falta-energia#o-que-o-operador-faz" in ids
    ids = kb.ranked_ids("at what pressure does the relief valve open?", mode=SearchMode.FULLTEXT, limit=3)
    assert "unidade-hidraulica#valvula-by-pass-e-valvula-de-alivio" in ids
