"""The lock's live alarms (ISA-18.2): list, explain, acknowledge, shelve, KPIs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from api.deps import CurrentUser
from api.responses import PLANT_ROUTE, Text, errors
from api.web_deps import PlantRole, Svc, need, operator_only
from lockpilot.language import Language
from rules.lifecycle import AlarmOperationError
from tools.alarms import (
    ActiveAlarmsResult,
    AlarmKpisResult,
    ExplainAlarmResult,
    alarm_kpis,
    explain_alarm,
    list_active_alarms,
)

router = APIRouter(prefix="/alarms", tags=["plant alarms"], responses=PLANT_ROUTE)
MAX_SHELVE_S = 8 * 3600


class AckIn(BaseModel):
    comment: Text = Field(default="", max_length=500)


class ShelveIn(BaseModel):
    for_s: float = Field(gt=0, le=MAX_SHELVE_S, description="How long the alarm stays shelved (s)")
    comment: Text = Field(min_length=1, max_length=500, description="Why it is shelved (required)")


class AlarmEventOut(BaseModel):
    event: dict[str, Any]


@router.get("/active", response_model=ActiveAlarmsResult)
def active(svc: Svc, _: PlantRole, equipment: str | None = None) -> ActiveAlarmsResult:
    """Active alarms, most urgent first, optionally of one equipment id."""
    need(svc.tools.alarms, "the alarm store")
    return list_active_alarms(svc.tools, equipment=equipment)


@router.get("/active/{alarm_id}", response_model=ExplainAlarmResult, responses=errors(404))
def explain(svc: Svc, _: PlantRole, alarm_id: str, language: Language = Language.PT) -> ExplainAlarmResult:
    """One alarm or rule explained: live values, first-out, PLC actions, what to do."""
    need(svc.tools.alarms, "the alarm store")
    result = explain_alarm(svc.tools, alarm_id, language=language)
    if result.rule is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown alarm or rule '{alarm_id}'")
    return result


@router.get("/kpis", response_model=AlarmKpisResult)
def kpis(
    svc: Svc, _: PlantRole, window_s: Annotated[float, Query(gt=0, le=31 * 86400)] = 86400.0
) -> AlarmKpisResult:
    """Alarm KPIs over the last `window_s` seconds (rate per hour, floods, chattering, standing)."""
    need(svc.tools.alarms, "the alarm store")
    return alarm_kpis(svc.tools, window_s=window_s)


def _act(action: Any) -> AlarmEventOut:
    try:
        return AlarmEventOut(event=action())
    except KeyError as exc:  # not in the rules' catalog
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown alarm {exc}") from None
    except AlarmOperationError as exc:
        code = status.HTTP_404_NOT_FOUND if str(exc).startswith("unknown alarm") else status.HTTP_409_CONFLICT
        raise HTTPException(code, str(exc)) from None


@router.post("/{alarm_id}/ack", response_model=AlarmEventOut, responses=errors(404, 409))
def acknowledge(svc: Svc, user: CurrentUser, role: PlantRole, alarm_id: str, body: AckIn) -> AlarmEventOut:
    """Acknowledge an alarm (operator)."""
    operator_only(role)
    actions = need(svc.alarm_actions, "the alarm store")
    return _act(lambda: actions.acknowledge(alarm_id, user=user.username, comment=body.comment))


@router.post("/{alarm_id}/shelve", response_model=AlarmEventOut, responses=errors(404, 409))
def shelve(svc: Svc, user: CurrentUser, role: PlantRole, alarm_id: str, body: ShelveIn) -> AlarmEventOut:
    """Shelve an alarm for a time, with a comment (operator)."""
    operator_only(role)
    actions = need(svc.alarm_actions, "the alarm store")
    return _act(lambda: actions.shelve(alarm_id, for_s=body.for_s, user=user.username, comment=body.comment))
