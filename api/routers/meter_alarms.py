"""Alarm rules per client and/or device, and the events they raised on ingestion."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from api.deps import NOT_FOUND, CurrentUser, Store, check_client, require, scope_client, visible_device
from lockpilot.roles import Role
from metering.models import MeterAlarmEvent, MeterAlarmRule, MeterAlarmRuleCreate, MeterAlarmRuleUpdate, User
from metering.store import MeteringStore

router = APIRouter(prefix="/meter-alarms", tags=["meter alarms"])
RULE_EDITORS = (Role.OPERATOR, Role.DATA_USER)


def _visible_rule(store: MeteringStore, user: User, rule_id: int) -> MeterAlarmRule:
    rule = store.rule(rule_id)
    if rule is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    check_client(user, rule.client_id)
    return rule


@router.get("/rules", response_model=list[MeterAlarmRule])
def list_rules(store: Store, user: CurrentUser, client_id: int | None = None) -> list[MeterAlarmRule]:
    """List alarm rules the caller may see."""
    return store.rules(client_id=scope_client(user, client_id))


@router.post("/rules", response_model=MeterAlarmRule, status_code=status.HTTP_201_CREATED)
def create_rule(new: MeterAlarmRuleCreate, store: Store, user: CurrentUser) -> MeterAlarmRule:
    """Create a rule for a client, optionally one device (operator, or the client's data user)."""
    require(user, *RULE_EDITORS)
    check_client(user, new.client_id)
    if new.device_id is not None and visible_device(store, user, new.device_id).client_id != new.client_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "device belongs to another client")
    return store.create_rule(new, actor=user.username)


@router.patch("/rules/{rule_id}", response_model=MeterAlarmRule)
def update_rule(
    rule_id: int, change: MeterAlarmRuleUpdate, store: Store, user: CurrentUser
) -> MeterAlarmRule:
    """Change a rule's name, comparison, threshold or enabled flag."""
    require(user, *RULE_EDITORS)
    _visible_rule(store, user, rule_id)
    updated = store.update_rule(rule_id, change, actor=user.username)
    assert updated is not None
    return updated


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(rule_id: int, store: Store, user: CurrentUser) -> Response:
    """Delete a rule (its past events stay)."""
    require(user, *RULE_EDITORS)
    _visible_rule(store, user, rule_id)
    store.delete_rule(rule_id, actor=user.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/events", response_model=list[MeterAlarmEvent])
def list_events(
    store: Store,
    user: CurrentUser,
    device_id: int | None = None,
    client_id: int | None = None,
    limit: int = 100,
) -> list[MeterAlarmEvent]:
    """List alarm events, newest first, by device or client."""
    if device_id is not None:
        visible_device(store, user, device_id)
    return store.events(client_id=scope_client(user, client_id), device_id=device_id, limit=min(limit, 1000))


@router.post("/events/{event_id}/ack", response_model=MeterAlarmEvent)
def acknowledge_event(event_id: int, store: Store, user: CurrentUser) -> MeterAlarmEvent:
    """Acknowledge an event (operator, or the client's data user)."""
    require(user, *RULE_EDITORS)
    _visible_event(store, user, event_id)
    event = store.acknowledge_event(event_id, actor=user.username)
    assert event is not None
    return event


@router.delete("/events/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_event(event_id: int, store: Store, user: CurrentUser) -> Response:
    """Delete an event (operator)."""
    require(user, Role.OPERATOR)
    _visible_event(store, user, event_id)
    store.delete_event(event_id, actor=user.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _visible_event(store: MeteringStore, user: User, event_id: int) -> None:
    row = store.fetch_one("SELECT device_id FROM alarm_events WHERE id = %s", (event_id,))
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    visible_device(store, user, int(row["device_id"]))
