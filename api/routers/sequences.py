"""Operating sequences and their precondition check on live values; knowledge search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.responses import NO_NUL, PLANT_ROUTE, errors
from api.web_deps import PlantRole, Svc, need
from tools.knowledge import KnowledgeResult, search_knowledge
from tools.ports import SequenceInfo
from tools.sequences import SequenceCheckResult, check_sequence_preconditions

router = APIRouter(tags=["sequences", "knowledge"], responses=PLANT_ROUTE)


@router.get("/sequences", response_model=list[SequenceInfo])
def list_sequences(svc: Svc, _: PlantRole) -> list[SequenceInfo]:
    """The plant's operating sequences."""
    return need(svc.tools.sequences, "sequences").sequences()


@router.get("/sequences/{sequence_id}/check", response_model=SequenceCheckResult, responses=errors(404))
def check(svc: Svc, _: PlantRole, sequence_id: str) -> SequenceCheckResult:
    """Whether a sequence may start now, with each precondition's live value, threshold and data age."""
    desk = need(svc.tools.sequences, "sequences")
    if sequence_id not in {s.id for s in desk.sequences()}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown sequence '{sequence_id}'")
    return check_sequence_preconditions(svc.tools, sequence_id)


@router.get("/knowledge/search", response_model=KnowledgeResult)
def knowledge(
    svc: Svc,
    _: PlantRole,
    q: Annotated[str, Query(min_length=1, max_length=500, pattern=NO_NUL)],
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
) -> KnowledgeResult:
    """Search procedures, equipment notes and FAQ (hybrid full-text and vector)."""
    need(svc.tools.knowledge, "the knowledge base")
    return search_knowledge(svc.tools, q, limit=limit)
