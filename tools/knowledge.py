"""Knowledge tool: passages of procedures, equipment notes and FAQ, each with a stable id to cite."""

from __future__ import annotations

from pydantic import Field

from tools.context import ToolContext
from tools.models import Citation, CitationKind, ToolResult
from tools.ports import KnowledgeHit


class KnowledgeResult(ToolResult):
    hits: list[KnowledgeHit] = Field(default_factory=list)


def search_knowledge(ctx: ToolContext, query: str, *, limit: int = 3) -> KnowledgeResult:
    """Search the plant's documents for the passages that answer a question."""
    if ctx.knowledge is None:
        return KnowledgeResult(error="the knowledge base is not available")
    progress = getattr(ctx.knowledge, "indexing", None)
    left = progress() if callable(progress) else None
    try:
        hits = list(ctx.knowledge.search(query, limit=limit))
    except Exception:
        if left is None:
            raise
        hits = []
    if not hits and left is not None:
        return KnowledgeResult(error=f"the knowledge base is still indexing (about {left:.0f} s)")
    return KnowledgeResult(hits=hits, citations=[Citation(kind=CitationKind.DOC, id=h.id) for h in hits])
