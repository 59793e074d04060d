"""The plant's knowledge base: procedures, equipment and fault pages, searchable offline (pt-BR first)."""

from knowledge.embedder import embed_passages, embed_queries
from knowledge.progress import IndexProgress, IndexState
from knowledge.search import Hit, KnowledgeBase, SearchMode
from knowledge.service import build_corpus, index_plant, index_progress, search_knowledge

__all__ = [
    "Hit",
    "IndexProgress",
    "IndexState",
    "KnowledgeBase",
    "SearchMode",
    "build_corpus",
    "embed_passages",
    "embed_queries",
    "index_plant",
    "index_progress",
    "search_knowledge",
]
