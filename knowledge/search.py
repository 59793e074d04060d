"""Search the plant's knowledge: vector, full-text or hybrid (weighted RRF), returning hits to cite."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import psycopg

from knowledge import store
from knowledge.corpus import vector_key
from knowledge.embedder import TextEncoder, TextKind, get_embedder
from knowledge.fulltext import Language, Vocabulary, fulltext_search, query_language, words
from knowledge.hybrid import standard_score_fusion
from knowledge.lexicon import Lexicon, build_lexicon
from knowledge.store import VectorBackend

CANDIDATES = 20  # how deep each ranking goes; its scores are standardised over these
# Fusion of the vector and full-text rankings by standardised scores (knowledge.hybrid). With the
# multilingual e5 model the two rankings are about as good (recall@3 on the tuning half, 76 questions:
# vector 0.895, full text 0.882) and right on different questions, so neither may drown the other.
# Tuned on the tuning half only (`lockpilot knowledge eval --half tuning`): with the scores standardised
# over the 20 candidates, absent items at the ranking's lowest z, fusing the first 4-6 of each ranking
# at a vector weight of 0.35-0.55 gives 0.934 everywhere (weighted RRF's best: 0.921, at k 0.5-1);
# this is the middle of that plateau. Then, once: held-out hybrid 0.893 (MiniLM-era fusion: 0.813), all
# 151 questions 0.914 (0.854); on the original 75, 0.973 and held-out 0.946 (0.933 / 0.892).
FUSION_DEPTH = 5
VECTOR_WEIGHT = 0.45


# Nearest neighbours by the HNSW index; only vectors of the query's model (and text recipe) are compared.
PGVECTOR_SQL = (
    "SELECT id, 1 - (embedding <=> %(query)s::vector) FROM knowledge_base"
    " WHERE plant = %(plant)s AND embedding_model = %(model)s"
    " ORDER BY embedding <=> %(query)s::vector LIMIT %(limit)s"
)


class SearchMode(StrEnum):
    """Which ranking answers a search."""

    VECTOR = "vector"
    FULLTEXT = "fulltext"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class Hit:
    """One passage found: what the agent quotes and the id it cites (kind "doc")."""

    id: str
    document: str
    heading: str
    text: str
    score: float
    category: str
    topic: str
    question: str = ""

    @property
    def citation(self) -> dict[str, str]:
        """Return the citation in the shape of `lockpilot ask --json`."""
        return {"kind": "doc", "id": self.id}


@dataclass(frozen=True)
class _Row:
    document: str
    heading: str
    topic: str
    question: str
    answer: str
    category: str


@dataclass
class _Snapshot:
    """What one version of the indexed corpus keeps in memory: texts, vocabulary, vectors (exact path)."""

    version: tuple[int, str]
    rows: dict[str, _Row]
    vocabulary: Vocabulary
    lexicon: Lexicon
    ids: list[str]
    vector_ids: list[str]  # the passages with a vector of the search's model (all, once indexed)
    matrix: np.ndarray | None  # their vectors, exact path only


class KnowledgeBase:
    """Searches one plant's passages over one connection; caches the corpus until it is re-indexed."""

    def __init__(
        self,
        conn: psycopg.Connection,
        *,
        plant: str = "lock",
        embedder: TextEncoder | None = None,
        candidates: int = CANDIDATES,
    ) -> None:
        self.conn = conn
        self.plant = plant
        self.candidates = candidates
        self._embedder = embedder
        self.backend = store.vector_backend(conn)
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    @classmethod
    def connect(
        cls, database_url: str, *, plant: str = "lock", embedder: TextEncoder | None = None
    ) -> KnowledgeBase:
        """Open an autocommit connection and wrap it."""
        return cls(psycopg.connect(database_url, autocommit=True), plant=plant, embedder=embedder)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @property
    def embedder(self) -> TextEncoder:
        """Return the embedder, loading the shared one on first use."""
        if self._embedder is None:
            self._embedder = get_embedder()
        return self._embedder

    def search(
        self, query: str, *, limit: int = 5, mode: SearchMode = SearchMode.HYBRID, record_usage: bool = True
    ) -> list[Hit]:
        """Return the best passages for the query; count their use unless told not to."""
        with self._lock:
            snapshot = self._current_snapshot()
            ranked = self._rank(query, snapshot, mode=mode)[:limit]
            if record_usage and ranked:
                store.record_usage(self.conn, [pid for pid, _ in ranked], plant=self.plant)
                self.conn.commit()
        return [_hit(pid, score, snapshot.rows[pid]) for pid, score in ranked if pid in snapshot.rows]

    def ranked_ids(self, query: str, *, mode: SearchMode, limit: int = 10) -> list[str]:
        """Return ranked passage ids only, without counting usage (for evals)."""
        with self._lock:
            return [pid for pid, _ in self._rank(query, self._current_snapshot(), mode=mode)[:limit]]

    def passage_ids(self) -> set[str]:
        """Return the ids of every indexed passage of the plant."""
        with self._lock:
            return set(self._current_snapshot().ids)

    def _rank(self, query: str, snapshot: _Snapshot, *, mode: SearchMode) -> list[tuple[str, float]]:
        """Rank passages by the chosen mode."""
        if mode is SearchMode.FULLTEXT:
            return self._fulltext(query, snapshot)
        if mode is SearchMode.VECTOR:
            return self._vector(query, snapshot)
        rankings = [self._vector(query, snapshot), self._fulltext(query, snapshot)]
        return standard_score_fusion(
            rankings, weights=[VECTOR_WEIGHT, 1.0 - VECTOR_WEIGHT], depth=FUSION_DEPTH
        )

    def _fulltext(self, query: str, snapshot: _Snapshot) -> list[tuple[str, float]]:
        """Rank by full-text search: Portuguese over the typo-corrected query, English as it is written."""
        language = query_language(self.conn, query)
        english = language is Language.ENGLISH  # the corrector knows Portuguese: "take" is not "tank"
        terms = words(query) if english else snapshot.vocabulary.rewrite(query)
        return fulltext_search(
            self.conn,
            terms,
            plant=self.plant,
            limit=self.candidates,
            language=language,
            lexicon=snapshot.lexicon,
        )

    def _vector(self, query: str, snapshot: _Snapshot) -> list[tuple[str, float]]:
        """Rank by cosine similarity of embeddings: HNSW in pgvector, or exact in numpy."""
        qvec = self.embedder.encode([query], kind=TextKind.QUERY)[0]
        if self.backend is VectorBackend.PGVECTOR:
            literal = store.vector_literal(qvec)
            params = {
                "query": literal,
                "plant": self.plant,
                "model": vector_key(self.embedder.model_id),
                "limit": self.candidates,
            }
            rows = self.conn.execute(PGVECTOR_SQL, params).fetchall()
            return [(str(pid), float(score)) for pid, score in rows]
        if snapshot.matrix is None or not snapshot.vector_ids:
            return []
        scores = snapshot.matrix @ qvec
        top = np.argsort(-scores)[: self.candidates]
        return [(snapshot.vector_ids[i], float(scores[i])) for i in top]

    def _current_snapshot(self) -> _Snapshot:
        """Reload texts (and vectors on the exact path) when the corpus version has changed."""
        version = store.corpus_version(self.conn, plant=self.plant)
        if self._snapshot is None or self._snapshot.version != version:
            self._snapshot = self._load(version)
        return self._snapshot

    def _load(self, version: tuple[int, str]) -> _Snapshot:
        """Read every passage of the plant once, and on the exact path the vectors of the search's model."""
        exact = self.backend is VectorBackend.EXACT
        embedding = "embedding" if exact else "NULL"
        rows = self.conn.execute(
            f"SELECT id, document, heading, topic, question, answer, category, keywords, {embedding},"
            " embedding IS NOT NULL AND embedding_model = %s"
            " FROM knowledge_base WHERE plant = %s ORDER BY id",
            (vector_key(self.embedder.model_id), self.plant),
        ).fetchall()
        lexicon = build_lexicon(self.conn, sorted({title for r in rows for title in (r[2], r[3])}))
        self.conn.commit()
        texts = {r[0]: _Row(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}
        vocabulary = Vocabulary(" ".join([r[2], r[3], r[4], r[5], *r[7]]) for r in rows)
        ids = [r[0] for r in rows]
        current = [r for r in rows if r[9]]
        matrix = np.asarray([r[8] for r in current], dtype=np.float32) if exact and current else None
        return _Snapshot(version, texts, vocabulary, lexicon, ids, [r[0] for r in current], matrix)


def _hit(pid: str, score: float, row: _Row) -> Hit:
    """Build a typed hit from a cached row."""
    return Hit(
        id=pid,
        document=row.document,
        heading=row.heading,
        text=row.answer,
        score=round(score, 6),
        category=row.category,
        topic=row.topic,
        question=row.question,
    )
