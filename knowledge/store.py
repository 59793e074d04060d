"""The knowledge_base table: schema, vector back-end detection, texts and vectors by content hash, usage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import psycopg

from knowledge.corpus import Passage

# Weighted document for full-text search: titles and headings (A), question and keywords (B), body (C).
_SEARCH_SQL = (
    "setweight(to_tsvector('portuguese', knowledge_fold(%(topic)s || ' ' || %(heading)s)), 'A')"
    " || setweight(to_tsvector('portuguese', knowledge_fold(%(question)s || ' ' || %(keywords_text)s)), 'B')"
    " || setweight(to_tsvector('portuguese', knowledge_fold(%(answer)s)), 'C')"
)


class VectorBackend(StrEnum):
    """How nearest neighbours are found."""

    PGVECTOR = "pgvector"  # vector(384) column, HNSW index, `<=>` in SQL
    EXACT = "exact"  # real[] column, exact cosine in numpy


def ensure_schema(database_url: str) -> None:
    """Apply the storage migrations (knowledge's are 0200-0299) to the database."""
    from storage.migrate import migrate

    migrate(database_url)


def vector_backend(conn: psycopg.Connection) -> VectorBackend:
    """Tell which variant of the knowledge_base migration this database has."""
    row = conn.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'knowledge_base'::regclass AND attname = 'embedding'"
    ).fetchone()
    if row is None:
        raise RuntimeError("knowledge_base has no embedding column: run the storage migrations")
    return VectorBackend.PGVECTOR if str(row[0]).startswith("vector") else VectorBackend.EXACT


def vector_literal(vector: np.ndarray) -> str:
    """Format a vector as pgvector's text input ('[0.1,0.2,...]')."""
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


@dataclass(frozen=True)
class StoredPassage:
    """What the index holds for one passage: its content hash and which model made its vector, if any."""

    content_hash: str
    embedding_model: str | None  # None while the passage waits for its vector


def stored_passages(conn: psycopg.Connection, *, plant: str) -> dict[str, StoredPassage]:
    """Return passage id -> content hash and vector model of what is indexed for the plant."""
    rows = conn.execute(
        "SELECT id, content_hash, CASE WHEN embedding IS NULL THEN NULL ELSE embedding_model END"
        " FROM knowledge_base WHERE plant = %s",
        (plant,),
    ).fetchall()
    return {str(pid): StoredPassage(str(digest), model) for pid, digest, model in rows}


def upsert_texts(conn: psycopg.Connection, passages: Sequence[Passage], *, plant: str) -> None:
    """Insert or replace passages' texts without vectors (they come after), keeping usage counts."""
    sql = (
        "INSERT INTO knowledge_base (plant, id, document, heading, topic, question, answer, keywords,"
        " category, position, content_hash, embedding, embedding_model, search)"
        " VALUES (%(plant)s, %(id)s, %(document)s, %(heading)s,"
        " %(topic)s, %(question)s, %(answer)s, %(keywords)s, %(category)s, %(position)s, %(hash)s,"
        f" NULL, NULL, {_SEARCH_SQL})"
        " ON CONFLICT (plant, id) DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading,"
        " topic = EXCLUDED.topic, question = EXCLUDED.question, answer = EXCLUDED.answer,"
        " keywords = EXCLUDED.keywords, category = EXCLUDED.category, position = EXCLUDED.position,"
        " content_hash = EXCLUDED.content_hash, embedding = NULL, embedding_model = NULL,"
        " search = EXCLUDED.search, indexed_at = now()"
    )
    rows = [
        {
            "plant": plant,
            "id": passage.id,
            "document": passage.document,
            "heading": passage.heading,
            "topic": passage.topic,
            "question": passage.question,
            "answer": passage.answer,
            "keywords": list(passage.keywords),
            "keywords_text": " ".join(passage.keywords),
            "category": passage.category.value,
            "position": passage.position,
            "hash": passage.content_hash,
        }
        for passage in passages
    ]
    with conn.cursor() as cur:
        cur.executemany(sql, rows)


def write_vectors(
    conn: psycopg.Connection,
    passages: Sequence[Passage],
    vectors: np.ndarray,
    *,
    plant: str,
    model: str,
    backend: VectorBackend,
) -> int:
    """Store passages' vectors and the model that made them; a passage edited meanwhile is left alone.

    Return how many rows took their vector.
    """
    cast = "vector" if backend is VectorBackend.PGVECTOR else "real[]"
    sql = (
        f"UPDATE knowledge_base SET embedding = %(embedding)s::{cast}, embedding_model = %(model)s,"
        " indexed_at = now() WHERE plant = %(plant)s AND id = %(id)s AND content_hash = %(hash)s"
    )
    written = 0
    with conn.cursor() as cur:
        for passage, vector in zip(passages, vectors, strict=True):
            embedding = vector_literal(vector) if backend is VectorBackend.PGVECTOR else vector.tolist()
            params = {
                "embedding": embedding,
                "model": model,
                "plant": plant,
                "id": passage.id,
                "hash": passage.content_hash,
            }
            cur.execute(sql, params)
            written += cur.rowcount
    return written


def vector_coverage(conn: psycopg.Connection, *, plant: str, model: str) -> tuple[int, int]:
    """Return (passages with a vector of this model, passages) for the plant: progress readable anywhere."""
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE embedding IS NOT NULL AND embedding_model = %s), count(*)"
        " FROM knowledge_base WHERE plant = %s",
        (model, plant),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def delete(conn: psycopg.Connection, ids: Sequence[str], *, plant: str) -> None:
    """Remove passages that are no longer in the corpus."""
    conn.execute("DELETE FROM knowledge_base WHERE plant = %s AND id = ANY(%s)", (plant, list(ids)))


def record_usage(conn: psycopg.Connection, ids: Sequence[str], *, plant: str) -> None:
    """Count one more use of each cited passage and stamp the time."""
    conn.execute(
        "UPDATE knowledge_base SET usage_count = usage_count + 1, last_accessed = now()"
        " WHERE plant = %s AND id = ANY(%s)",
        (plant, list(ids)),
    )


def corpus_version(conn: psycopg.Connection, *, plant: str) -> tuple[int, str]:
    """Return a cheap fingerprint of the plant's indexed corpus, to invalidate in-process caches."""
    row = conn.execute(
        "SELECT count(*), coalesce(max(indexed_at)::text, '') FROM knowledge_base WHERE plant = %s", (plant,)
    ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])
