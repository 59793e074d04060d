"""Ask the copilot (design.md section 6 JSON) and the command path: request, approve, reject, status."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from agent.service import AnswerResult, thread_for
from api.deps import CurrentUser
from api.responses import PLANT_ROUTE, CommandRefusedOut, ErrorOut, Text, ValidationErrorsOut, either, errors
from api.web_deps import PlantRole, Svc, need
from commands.desk import CommandOutcome, Outcome
from commands.execute import execute
from lockpilot.roles import Role
from lockpilot.safetext import CLEAN
from storage.audit_chain import plain

router = APIRouter(tags=["copilot"], responses=PLANT_ROUTE)
CHANNEL = "api"
DECISION_ERRORS = either(403, ErrorOut, CommandRefusedOut) | either(404, CommandRefusedOut)
_CODES = {Outcome.NOT_FOUND: status.HTTP_404_NOT_FOUND, Outcome.NOT_ALLOWED: status.HTTP_403_FORBIDDEN}


class AskIn(BaseModel):
    question: Annotated[Text, CLEAN] = Field(min_length=1, max_length=2000)
    thread_id: Annotated[Text, CLEAN] | None = Field(
        default=None, max_length=200, description="Default: one thread per API user"
    )


class CommandIn(BaseModel):
    command: Annotated[Text, CLEAN] = Field(
        min_length=1, max_length=100, description="An id of commands.yaml"
    )
    value: float | None = Field(
        default=None, description="Only for setpoint commands (NaN and infinities are refused, audited)"
    )


class RejectIn(BaseModel):
    reason: Annotated[Text, CLEAN] = Field(default="", max_length=500)


class DecisionOut(BaseModel):
    outcome: CommandOutcome
    text: str


class CommandStatusOut(BaseModel):
    id: str
    command: str
    tag: str
    value: Any
    status: str
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    seconds_left: float
    summary: dict[str, Any]
    decided_by: str | None
    reason: str | None
    result: dict[str, Any] | None


@router.post("/ask", response_model=AnswerResult)
def ask(svc: Svc, user: CurrentUser, role: PlantRole, body: AskIn) -> AnswerResult:
    """Answer one question in the caller's language, with tool calls, citations and any pending command."""
    copilot = need(svc.copilot, "the copilot")
    started = time.perf_counter()
    result = copilot.ask(
        body.question,
        user=user.username,
        role=role,
        thread_id=body.thread_id or thread_for(user.username, CHANNEL),
    )
    svc.telemetry.observe_agent(CHANNEL, time.perf_counter() - started)
    return result


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}},
)
async def ask_stream(svc: Svc, user: CurrentUser, role: PlantRole, body: AskIn) -> StreamingResponse:
    """The same turn as /ask, as server-sent events while it runs: `token` (the answer as it is written),
    `tool_start` and `tool_end` (each tool step), `answer` (final text; `rewritten` means the grounding check
    replaced what was streamed), then `done` with the /ask JSON."""
    copilot = need(svc.copilot, "the copilot")
    thread_id = body.thread_id or thread_for(user.username, CHANNEL)

    async def events() -> AsyncIterator[str]:
        started = time.perf_counter()
        async for event in copilot.astream(body.question, user=user.username, role=role, thread_id=thread_id):
            yield _sse(event.kind.value, event.as_dict())
        result = await asyncio.to_thread(copilot.result, thread_id)
        svc.telemetry.observe_agent(CHANNEL, time.perf_counter() - started)
        yield _sse("done", result.model_dump(mode="json"))

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@router.post(
    "/commands",
    response_model=CommandOutcome,
    status_code=status.HTTP_201_CREATED,
    responses=either(422, ValidationErrorsOut, CommandRefusedOut),
)
def request_command(svc: Svc, user: CurrentUser, role: PlantRole, body: CommandIn) -> CommandOutcome:
    """Request an allow-listed command: checked (limits, preconditions) and stored pending approval."""
    desk = need(svc.tools.commands, "the command path")
    outcome = desk.request(
        body.command, body.value, user=user.username, role=role, thread_id=thread_for(user.username, CHANNEL)
    )
    if outcome.outcome is Outcome.REFUSED:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, plain(outcome.model_dump(mode="json")))
    return outcome


@router.get("/commands/{command_id}", response_model=CommandStatusOut, responses=errors(404))
def command_status(svc: Svc, _: PlantRole, command_id: str) -> CommandStatusOut:
    """A command request's state, its summary and the seconds left to approve it."""
    desk = need(svc.tools.commands, "the command path")
    record = desk.store.get(command_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"command {command_id} not found")
    desk.expire_if_due(record)
    record = desk.store.get(command_id)
    assert record is not None
    left = (
        max(0.0, (record.expires_at - svc.clock.now()).total_seconds())
        if record.status.value == "pending"
        else 0.0
    )
    return CommandStatusOut(
        id=record.id,
        command=record.command,
        tag=record.tag,
        value=record.value,
        status=record.status.value,
        requested_by=record.requested_by,
        requested_at=record.requested_at,
        expires_at=record.expires_at,
        seconds_left=left,
        summary=record.summary,
        decided_by=record.decided_by,
        reason=record.reason,
        result=record.result,
    )


def _decided(outcome: CommandOutcome, text: str) -> DecisionOut:
    if outcome.outcome in _CODES:
        raise HTTPException(_CODES[outcome.outcome], outcome.model_dump(mode="json"))
    return DecisionOut(outcome=outcome, text=text)


def _token_scope(role: Role, command_id: str) -> None:
    """A token narrower than operator never approves, whatever its user's directory role."""
    if role is not Role.OPERATOR:
        refused = CommandOutcome(
            outcome=Outcome.NOT_ALLOWED, command_id=command_id, reason="operator_role_required"
        )
        raise HTTPException(status.HTTP_403_FORBIDDEN, refused.model_dump(mode="json"))


@router.post("/commands/{command_id}/approve", response_model=DecisionOut, responses=DECISION_ERRORS)
def approve(svc: Svc, user: CurrentUser, role: PlantRole, command_id: str) -> DecisionOut:
    """Approve (an operator in the user directory now, before expiry): re-check, write, read back, audit."""
    _token_scope(role, command_id)
    if svc.copilot is not None:
        return _decided(*svc.copilot.approve(command_id, user=user.username))
    desk = need(svc.tools.commands, "the command path")
    decided = desk.approve(command_id, user=user.username)
    final = execute(desk, command_id) if decided.outcome is Outcome.APPROVED else decided
    return _decided(final, "")


@router.post("/commands/{command_id}/reject", response_model=DecisionOut, responses=DECISION_ERRORS)
def reject(svc: Svc, user: CurrentUser, role: PlantRole, command_id: str, body: RejectIn) -> DecisionOut:
    """Reject a pending command with a reason; it is never written."""
    if svc.copilot is not None:
        return _decided(*svc.copilot.reject(command_id, user=user.username, reason=body.reason))
    desk = need(svc.tools.commands, "the command path")
    return _decided(desk.reject(command_id, user=user.username, reason=body.reason), "")
