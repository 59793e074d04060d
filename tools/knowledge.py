"""Knowledge tool: passages of procedures, equipment notes and FAQ, each with a stable id to cite."""

from __future__ import annotations

from pydantic import Field

from knowledge.generate import RULE_PAGES
from tools.context import ToolContext
from tools.models import Citation, CitationKind, ToolResult
from tools.ports import KnowledgeHit


class KnowledgeResult(ToolResult):
    hits: list[KnowledgeHit] = Field(default_factory=list)


_WIDER = 4  # how many more passages to look through when the rule pages are left out


def search_knowledge(
    ctx: ToolContext, query: str, *, limit: int = 3, beyond_rules: bool = False
) -> KnowledgeResult:
    """Search the plant's documents for the passages that answer a question; `beyond_rules` leaves out
    the alarms' own pages (an explained alarm already carries its cause and action)."""
    if ctx.knowledge is None:
        return KnowledgeResult(error="the knowledge base is not available")
    progress = getattr(ctx.knowledge, "indexing", None)
    left = progress() if callable(progress) else None
    try:
        hits = list(ctx.knowledge.search(query, limit=limit * _WIDER if beyond_rules else limit))
    except Exception:
        if left is None:
            raise
        hits = []
    if beyond_rules:
        hits = [h for h in hits if not h.id.startswith(RULE_PAGES)][:limit]
    if not hits and left is not None:
        return KnowledgeResult(error=f"the knowledge base is still indexing (about {left:.0f} s)")
    return KnowledgeResult(hits=hits, citations=[Citation(kind=CitationKind.DOC, id=h.id) for h in hits])
