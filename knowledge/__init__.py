"""The plant's knowledge base: procedures, equipment and fault pages, searchable offline (pt-BR first)."""

from knowledge.search import Hit, KnowledgeBase, SearchMode
from knowledge.service import build_corpus, index_plant, search_knowledge

__all__ = ["Hit", "KnowledgeBase", "SearchMode", "build_corpus", "index_plant", "search_knowledge"]
