"""`lockpilot up`'s data plane in-process (twin, collector, stores, rules runner) and a separate copilot that
answers from the rules runner's persisted alarms, not from an engine of its own."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from agent.assembly import build_copilot
from app.dataplane import DataPlane
from app.options import PlaneOptions, TwinOptions
from commands.plantio import S7PlantIO
from lockpilot.net import free_port
from lockpilot.roles import Role
from lockpilot.settings import Settings
from rules.store import alarm_rows
from storage.keys import RedisKeys
from tests.agent_stack import wait_for
from tools.alarm_store import AlarmAction
from twin import Fault

ALARM = "cavitacao_bomba"
QUICK_CAVITATION = {"rate_m_min": 20.0, "strainer_dp_bar": 2.0}  # ~10 s to the signature, not ~3 min


@pytest.fixture
def plane(pg_url: str, redis_url: str, tmp_path: Path) -> Iterator[DataPlane]:
    settings = Settings(database_url=pg_url, redis_url=redis_url, data_dir=tmp_path, twin_port=free_port())
    options = PlaneOptions(twin=TwinOptions(speed=1.0, auto_cycle=False), index_knowledge=False, copilot=None)
    running = DataPlane(settings, options)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _stored_state(plane: DataPlane, alarm_id: str) -> str | None:
    """The alarm's state in the rules runner's Redis hash (None before the runner ever wrote it)."""
    with redis.Redis.from_url(plane.redis_url) as client:
        raw = client.hget(RedisKeys(plane.plant.name).alarms, alarm_id)
    return json.loads(raw)["state"] if raw else None


def _cli_active_ids(plane: DataPlane) -> set[str]:
    """What `lockpilot alarms --active --json` lists."""
    with psycopg.connect(plane.database_url) as conn:
        return {r["alarm_id"] for r in alarm_rows(conn, active_only=True)}


def _settled(plane: DataPlane, *, quiet_s: float, timeout_s: float) -> bool:
    """Wait until the stored active alarms stop changing for quiet_s (the PLC's reaction has played out)."""
    deadline = time.monotonic() + timeout_s
    last, since = _cli_active_ids(plane), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = _cli_active_ids(plane)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return True
    return False


@pytest.mark.slow
def test_separate_copilot_explains_the_runners_cavitation(plane: DataPlane) -> None:
    current = RedisKeys(plane.plant.name).current
    client = redis.Redis.from_url(plane.redis_url)
    assert wait_for(lambda: client.hexists(current, "nivel_camara"), timeout_s=15), "no current values"
    with plane.twin_server.lock:
        plane.twin_server.twin.inject(Fault.CAVITATION, **QUICK_CAVITATION)
    assert wait_for(lambda: _stored_state(plane, ALARM) is not None, timeout_s=40, poll_s=0.2), (
        f"the rules runner never raised {ALARM}"
    )
    assert _settled(plane, quiet_s=3.0, timeout_s=20.0)
    assert plane.bundle is not None
    handle = build_copilot(  # another process's copilot: it reads the runner's stored alarms
        plane.bundle,
        database_url=plane.database_url,
        redis_url=plane.redis_url,
        io=S7PlantIO(plane.plant, host="127.0.0.1", port=plane.plc_address[1]),
        knowledge=False,
    )
    try:
        why = handle.copilot.ask("por que a bomba principal parou?", user="ana", role=Role.VIEWER)
        listed = handle.copilot.ask(
            "quais alarmes estão ativos?", user="ana", role=Role.VIEWER, thread_id="t2"
        )
        cli_ids = _cli_active_ids(plane)
        event = handle.alarms.act(ALARM, AlarmAction.ACK, user="ana", comment="visto")
        client.delete(RedisKeys(plane.plant.name).alarms)  # Redis lost its alarms: the table answers
        from_table = {a.id: a.state for a in handle.alarms.active()}
    finally:
        handle.close()
    assert "explain_alarm" in [c["name"] for c in why.tool_calls]
    assert {"kind": "rule", "id": ALARM} in why.citations
    assert "cavita" in why.answer.lower()
    assert [c["name"] for c in listed.tool_calls] == ["list_active_alarms"]
    assert ALARM in cli_ids
    assert {c["id"] for c in listed.citations if c["kind"] == "alarm"} == cli_ids
    assert f"{len(cli_ids)} alarme(s) ativo(s)" in listed.answer
    assert (event.user, event.to_state.value) == ("ana", "acknowledged")
    assert set(from_table) == cli_ids and from_table[ALARM] == "acknowledged"
