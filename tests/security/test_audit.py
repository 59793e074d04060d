"""One audit chain per file (points 3, 7, 8, 15): a day of operation with restarts verifies intact; edits,
deletions and truncations are detected; a torn last line is moved aside on start."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.dataplane import DataPlane
from lockpilot.roles import Role
from tests.security.helpers import bearer, cli_env, lockpilot, next_setpoint, request_setpoint, web_stack
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(300)


def _verify(plane_env: dict[str, str], log: Path) -> tuple[int, dict[str, object]]:
    """`lockpilot audit verify --json` in its own process: exit code and JSON."""
    done = lockpilot("audit", "verify", "--path", str(log), "--json", env=plane_env)
    return done.returncode, json.loads(done.stdout)


def _intact(database_url: str, log: Path) -> bool:
    """What `audit verify` decides, in this process (the CLI runs it at the start and the end)."""
    from storage.audit_chain import chain_name, verify
    from storage.audit_head import PgAuditHead

    head = PgAuditHead(database_url)
    try:
        return verify(log, head=head.load(chain_name(log))).ok
    finally:
        head.close()


def _operate(plane: DataPlane, token: str, *, hour: int) -> None:
    """An hour of a day: configuration changes, meter readings, one command requested and approved."""
    client = httpx.Client(base_url=plane.url, headers=bearer(token), timeout=60)
    with client:
        made = client.post("/api/clients", json={"name": f"cliente-{hour}"})
        assert made.status_code == 201, made.text
        device = client.post(
            "/api/devices",
            json={"client_id": made.json()["id"], "name": f"medidor-{hour}", "device_type": "modbus_tcp"},
        )
        assert device.status_code == 201, device.text
        start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=hour)
        for batch in range(3):
            readings = [
                {
                    "time": (start + timedelta(seconds=60 * (batch * 20 + i))).isoformat(),
                    "metric": "kwh",
                    "value": i,
                }
                for i in range(20)
            ]
            answer = client.post(
                "/api/ingest",
                json={
                    "client": f"cliente-{hour}",
                    "device": f"medidor-{hour}",
                    "device_type": "modbus_tcp",
                    "measurements": readings,
                },
            )
            assert answer.status_code == 200, answer.text
        command_id = request_setpoint(plane, token, next_setpoint(plane))
        decided = client.post(f"/api/commands/{command_id}/approve")
        assert decided.json()["outcome"]["outcome"] == "verified", decided.text


def test_a_day_with_restarts_verifies_and_tampering_is_caught(
    pg_url: str, redis_base_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    log = data_dir / "audit.log"
    env: dict[str, str] = {}
    for restart in range(3):  # two restarts in the day
        plane = web_stack(pg_url, redis_db(redis_base_url, 10), data_dir)
        try:
            svc = plane.services
            assert svc is not None and svc.metering is not None
            svc.users.add("olga", role=Role.OPERATOR, password="senha-da-olga-123")
            token = svc.metering.create_token(username="olga", role=Role.OPERATOR, actor="test")
            env = cli_env(plane)
            for hour in range(restart * 4, restart * 4 + 4):
                _operate(plane, token, hour=hour)
            pending = request_setpoint(plane, token, next_setpoint(plane))
            other = lockpilot(
                "reject", pending, "--reason", "fim do turno", env={**env, "LOCKPILOT_TOKEN": token}
            )
            assert other.returncode == 0, other.stdout + other.stderr  # another process, the same chain
        finally:
            plane.stop()
    code, result = _verify(env, log)
    assert code == 0 and result["ok"] and result["head_checked"], result
    lines = log.read_text(encoding="utf-8").splitlines()
    kinds = {json.loads(line)["kind"] for line in lines}
    assert {"config", "reading", "command"} <= kinds  # point 15: PLC commands are in the chain
    actions = [json.loads(line)["data"].get("action") for line in lines]
    assert actions.count("command_written") == 12 and "command_rejected" in actions
    original = log.read_bytes()

    edited = lines[:]
    entry = json.loads(edited[10])
    entry["actor"] = "mallory"
    edited[10] = json.dumps(entry, ensure_ascii=False)
    log.write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert not _intact(pg_url, log)

    log.write_text("\n".join(lines[:20] + lines[21:]) + "\n", encoding="utf-8")  # a deleted line
    assert not _intact(pg_url, log)

    log.write_text("\n".join([*lines[:20], lines[21], lines[20], *lines[22:]]) + "\n", encoding="utf-8")
    assert not _intact(pg_url, log)  # two lines swapped

    log.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # the last line deleted
    code, result = _verify(env, log)
    assert code == 1 and "truncated" in str(result["reason"])

    log.write_text("\n".join(lines[:100]) + "\n", encoding="utf-8")  # cut to 100 lines
    assert not _intact(pg_url, log)

    log.write_bytes(original)
    assert _intact(pg_url, log)


def test_torn_last_line_is_moved_aside_on_start(pg_url: str, redis_base_url: str, tmp_path: Path) -> None:
    """Point 7: a crash mid-write leaves half a line; the next start repairs it and says so."""
    data_dir = tmp_path / "data"
    plane = web_stack(pg_url, redis_db(redis_base_url, 11), data_dir)
    try:
        assert plane.services is not None and plane.services.metering is not None
        plane.services.metering.create_token(username="x", role=Role.VIEWER, actor="test")
        env = cli_env(plane)
    finally:
        plane.stop()
    log = data_dir / "audit.log"
    intact = log.read_bytes()
    with log.open("ab") as fh:
        fh.write(b'{"seq": 99, "time": "2026-')  # torn by a crash
    plane = web_stack(pg_url, redis_db(redis_base_url, 11), data_dir)
    try:
        assert plane.audit is not None and plane.audit.torn > 0
        assert plane.services is not None and plane.services.metering is not None
        plane.services.metering.create_token(username="y", role=Role.VIEWER, actor="test")
    finally:
        plane.stop()
    assert (data_dir / "audit.log.torn").read_bytes().startswith(b'{"seq": 99')
    assert log.read_bytes().startswith(intact)
    assert _verify(env, log)[0] == 0


def test_two_chains_on_one_file_do_not_fork(tmp_path: Path) -> None:
    """Point 3: two writers on one file (two processes' chains) continue one sequence."""
    from storage.audit_chain import AuditChain, AuditKind, verify

    path = tmp_path / "audit.log"
    first, second = AuditChain(path), AuditChain(path)
    for n in range(50):
        (first if n % 3 else second).append(AuditKind.CONFIG, actor="t", data={"n": n})
    result = verify(path)
    assert result.ok and result.lines == 50
