"""Sequence tool: may a sequence start now, which preconditions fail with their live values, and what to run
first to make them pass (with an estimate of how long it takes)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from lockpilot.language import Bilingual
from tools.context import ToolContext
from tools.estimates import sequence_estimate_s
from tools.models import Citation, CitationKind, ToolResult
from tools.ports import PreconditionView, SequenceCheckView

ESTIMATE_TAGS = ("nivel_reservatorio_montante", "nivel_camara", "nivel_jusante")


class Remedy(BaseModel):
    """A sequence that makes a failing precondition pass, and about how long it takes from now."""

    precondition: str
    sequence_id: str
    name: Bilingual
    estimate_s: float | None = None


class SequenceCheckResult(ToolResult):
    check: SequenceCheckView | None = None
    remedies: list[Remedy] = Field(default_factory=list)
    estimate_s: float | None = None  # about how long the sequence itself would take, started now

    @property
    def failing(self) -> list[PreconditionView]:
        return [] if self.check is None else [p for p in self.check.preconditions if not p.passed]


def _estimate_values(ctx: ToolContext) -> dict[str, float | None]:
    stored = ctx.current(list(ESTIMATE_TAGS))
    return {t: (float(v.value) if v is not None and v.value is not None else None) for t, v in stored.items()}


def _remedies(
    ctx: ToolContext, sequence_id: str, failing: list[PreconditionView], values: dict[str, float | None]
) -> list[Remedy]:
    definition = ctx.bundle.sequences.get(sequence_id)
    if definition is None:
        return []
    wanted = {c.id: c.remedy for c in definition.preconditions if c.remedy}
    failed = [p.id for p in failing if p.id in wanted]
    if not failed:
        return []
    out = []
    for precondition in failed:
        remedy = ctx.bundle.sequences[wanted[precondition] or ""]
        estimate = sequence_estimate_s(remedy.id, values, ctx.bundle.parameters)
        out.append(
            Remedy(
                precondition=precondition,
                sequence_id=remedy.id,
                name=remedy.name,
                estimate_s=round(estimate) if estimate is not None else None,
            )
        )
    return out


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
    result = SequenceCheckResult(check=check, citations=list(dict.fromkeys(cites)))
    values = _estimate_values(ctx)  # read once: the remedies' estimates and the sequence's own
    result.remedies = _remedies(ctx, sequence_id, result.failing, values)
    estimate = sequence_estimate_s(sequence_id, values, ctx.bundle.parameters)
    result.estimate_s = round(estimate) if estimate is not None else None
    result.citations += [Citation(kind=CitationKind.SEQUENCE, id=r.sequence_id) for r in result.remedies]
    return result
