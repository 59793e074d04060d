"""Sequence tool: may a sequence start now, and which preconditions fail with their live values."""

from __future__ import annotations

from tools.context import ToolContext
from tools.models import Citation, CitationKind, ToolResult
from tools.ports import PreconditionView, SequenceCheckView


class SequenceCheckResult(ToolResult):
    check: SequenceCheckView | None = None

    @property
    def failing(self) -> list[PreconditionView]:
        return [] if self.check is None else [p for p in self.check.preconditions if not p.passed]


def check_sequence_preconditions(ctx: ToolContext, sequence_id: str) -> SequenceCheckResult:
    """Check whether a sequence may start now; each precondition with live value, threshold, data age."""
    if ctx.sequences is None:
        return SequenceCheckResult(error="the sequence checker is not available")
    known = {s.id for s in ctx.sequences.sequences()}
    if sequence_id not in known:
        return SequenceCheckResult(
            error=f"unknown sequence '{sequence_id}' (known: {', '.join(sorted(known))})"
        )
    check = ctx.sequences.check(sequence_id)
    cites = [Citation(kind=CitationKind.SEQUENCE, id=sequence_id)]
    cites += [Citation(kind=CitationKind.TAG, id=p.tag) for p in check.preconditions if p.tag]
    return SequenceCheckResult(check=check, citations=list(dict.fromkeys(cites)))
