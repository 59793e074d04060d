"""Entry points over a plant: build its corpus, index it, and search it (the agent's `search_knowledge`)."""

from __future__ import annotations

import threading

import psycopg

from knowledge.corpus import Passage, chunk_markdown, load_corpus
from knowledge.embedder import TextEncoder
from knowledge.indexer import IndexReport, Progress, index_passages
from knowledge.progress import IndexProgress, tracker
from knowledge.search import Hit, KnowledgeBase, SearchMode
from knowledge.store import ensure_schema
from lockpilot.settings import get_settings
from rules.bundle import PlantBundle

_BASES: dict[tuple[str, str], KnowledgeBase] = {}
_BASES_LOCK = threading.Lock()


def generated_passages(bundle: PlantBundle) -> list[Passage]:
    """Build the per-rule and per-sequence pages from the plant's rule and sequence data."""
    from knowledge.generate import generate_pages

    return [p for doc, text in generate_pages(bundle).items() for p in chunk_markdown(doc, text)]


def build_corpus(bundle: PlantBundle) -> list[Passage]:
    """Return every passage of the plant: hand-written pages, FAQ, generated rule and sequence pages."""
    return load_corpus(bundle.plant.docs_dir, extra=generated_passages(bundle))


def index_plant(
    database_url: str,
    *,
    bundle: PlantBundle,
    embedder: TextEncoder | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Migrate the schema if needed and index the plant's corpus incrementally (see `index_progress`)."""
    ensure_schema(database_url)
    passages = build_corpus(bundle)
    with psycopg.connect(database_url) as conn:
        return index_passages(
            conn,
            passages,
            plant=bundle.plant.name,
            embedder=embedder,
            progress=progress,
            tracker=tracker(bundle.plant.name),
        )


def index_progress(plant: str | None = None) -> IndexProgress:
    """Return how far this process's index run of the plant is: done/total passages, seconds left.

    While `state` is INDEXING the search already answers from full text and the vector side fills in.
    """
    return tracker(plant or get_settings().plant).progress()


def knowledge_base(database_url: str, *, plant: str | None = None) -> KnowledgeBase:
    """Return the process-wide KnowledgeBase of a database and plant (one connection, cached corpus)."""
    plant = plant or get_settings().plant
    with _BASES_LOCK:
        base = _BASES.get((database_url, plant))
        if base is None or base.conn.closed:
            base = KnowledgeBase.connect(database_url, plant=plant)
            _BASES[(database_url, plant)] = base
        return base


def _default_database_url() -> str:
    """Resolve the database URL as storage does (settings, then a running embedded stack)."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from storage.embedded import resolve_urls

    return resolve_urls(settings)[0]


def search_knowledge(
    query: str,
    *,
    limit: int = 5,
    mode: SearchMode = SearchMode.HYBRID,
    database_url: str | None = None,
    conn: psycopg.Connection | None = None,
    plant: str | None = None,
    record_usage: bool = True,
) -> list[Hit]:
    """Search the plant's documents; each hit carries id, document, heading, text and score to cite."""
    plant = plant or get_settings().plant
    if conn is not None:
        return KnowledgeBase(conn, plant=plant).search(
            query, limit=limit, mode=mode, record_usage=record_usage
        )
    base = knowledge_base(database_url or _default_database_url(), plant=plant)
    return base.search(query, limit=limit, mode=mode, record_usage=record_usage)
