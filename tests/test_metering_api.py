"""REST API over the real database: CRUD, ingest with alarm rules, metrics and analytics, scoping, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from lockpilot.roles import Role
from metering.store import MeteringStore
from storage.audit_chain import AuditChain, verify
from storage.migrate import migrate

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def env(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    migrate(pg_url)
    audit_path = tmp_path_factory.mktemp("audit") / "audit.log"
    store = MeteringStore(pg_url, audit=AuditChain(audit_path))
    tokens = {
        role: store.create_token(username=f"{role.value}1", role=role, actor="setup")
        for role in (Role.OPERATOR, Role.VIEWER, Role.TRAINER)
    }
    with TestClient(create_app(store, forward=True)) as client:
        yield {"store": store, "client": client, "tokens": tokens, "audit": audit_path}
    store.close()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def batch(client: str, device: str, values: list[tuple[str, float]], *, start: datetime = T0) -> dict:
    return {
        "client": client,
        "device": device,
        "device_type": "modbus_rtu",
        "measurements": [
            {
                "time": (start + timedelta(seconds=i)).isoformat(),
                "metric": m,
                "value": v,
                "source": "sim:pzem@1",
            }
            for i, (m, v) in enumerate(values)
        ],
    }


def test_tokens_and_roles(env: dict) -> None:
    c, t = env["client"], env["tokens"]
    assert c.get("/api/clients").status_code == 401
    assert c.get("/api/clients", headers=auth("nope")).status_code == 401
    assert c.post("/api/clients", json={"name": "x"}, headers=auth(t[Role.VIEWER])).status_code == 403
    assert (
        c.post(
            "/api/ingest", json=batch("x", "d", [("power_w", 1.0)]), headers=auth(t[Role.TRAINER])
        ).status_code
        == 403
    )


def test_crud_ingest_rules_events_and_scoping(env: dict) -> None:
    c, t, store = env["client"], env["tokens"], env["store"]
    op = auth(t[Role.OPERATOR])
    acme = c.post("/api/clients", json={"name": "acme"}, headers=op).json()
    other = c.post("/api/clients", json={"name": "outro"}, headers=op).json()
    dev = c.post(
        "/api/devices",
        json={
            "client_id": acme["id"],
            "name": "pzem1",
            "device_type": "modbus_rtu",
            "config": {"address": 1},
        },
        headers=op,
    ).json()
    secret = c.post(
        "/api/devices",
        json={"client_id": other["id"], "name": "tcp1", "device_type": "modbus_tcp"},
        headers=op,
    ).json()
    assert c.patch(f"/api/devices/{dev['id']}", json={"active": False}, headers=op).json()["active"] is False
    data_user = auth(
        store.create_token(
            username="cliente_acme", role=Role.DATA_USER, client_id=acme["id"], actor="operator1"
        )
    )
    rule = c.post(
        "/api/meter-alarms/rules",
        json={
            "client_id": acme["id"],
            "device_id": dev["id"],
            "name": "sobrecarga",
            "metric": "power_w",
            "operator": ">",
            "threshold": 2000,
        },
        headers=data_user,
    )
    assert rule.status_code == 201
    assert (
        c.post(
            "/api/meter-alarms/rules",
            json={
                "client_id": other["id"],
                "name": "x",
                "metric": "power_w",
                "operator": ">",
                "threshold": 1,
            },
            headers=data_user,
        ).status_code
        == 404
    )
    body = batch("acme", "pzem1", [("power_w", 1500.0), ("power_w", 2500.0), ("power_w", 2000.0)])
    first = c.post("/api/ingest", json=body, headers=data_user).json()
    assert first == {"device_id": dev["id"], "accepted": 3, "duplicates": 0, "alarms": 1}
    again = c.post("/api/ingest", json=body, headers=data_user).json()
    assert again["accepted"] == 0 and again["duplicates"] == 3 and again["alarms"] == 0
    assert (
        c.post("/api/ingest", json=batch("outro", "tcp1", [("power_w", 1.0)]), headers=data_user).status_code
        == 403
    )
    events = c.get("/api/meter-alarms/events", params={"device_id": dev["id"]}, headers=data_user).json()
    assert [e["value"] for e in events] == [2500.0]
    acked = c.post(f"/api/meter-alarms/events/{events[0]['id']}/ack", headers=data_user).json()
    assert acked["acknowledged"] and acked["acknowledged_by"] == "cliente_acme"
    assert [d["id"] for d in c.get("/api/devices", headers=data_user).json()] == [dev["id"]]
    assert [x["id"] for x in c.get("/api/clients", headers=data_user).json()] == [acme["id"]]
    assert c.get(f"/api/devices/{secret['id']}", headers=data_user).status_code == 404
    assert c.get("/api/metrics", params={"device_id": secret["id"]}, headers=data_user).status_code == 404
    assert c.get("/api/devices", params={"client_id": other["id"]}, headers=data_user).status_code == 404
    assert len(c.get("/api/devices", headers=op).json()) == 2
    assert (
        c.patch(
            f"/api/meter-alarms/rules/{rule.json()['id']}", json={"enabled": False}, headers=data_user
        ).json()["enabled"]
        is False
    )
    assert c.delete(f"/api/meter-alarms/rules/{rule.json()['id']}", headers=data_user).status_code == 204
    assert c.delete(f"/api/devices/{secret['id']}", headers=data_user).status_code == 403
    assert c.delete(f"/api/devices/{secret['id']}", headers=op).status_code == 204
    assert c.delete(f"/api/clients/{other['id']}", headers=op).status_code == 204


def test_ingest_validation(env: dict) -> None:
    c, op = env["client"], auth(env["tokens"][Role.OPERATOR])
    bad = batch("acme", "pzem1", [("power_w", 1.0)])
    bad["measurements"][0]["value"] = "NaN"
    assert c.post("/api/ingest", json=bad, headers=op).status_code == 422
    assert c.post("/api/ingest", json={**bad, "measurements": []}, headers=op).status_code == 422
    assert c.post("/api/ingest", json={**bad, "device_type": "zigbee"}, headers=op).status_code == 422


def test_metrics_summary_and_linreg(env: dict) -> None:
    c, op = env["client"], auth(env["tokens"][Role.OPERATOR])
    start = T0 + timedelta(days=1)
    values = []
    for i in range(20):
        values += [("current_a", 1.0 + i), ("power_w", 220.0 * (1.0 + i) + 5.0)]
    rows = [
        {"time": (start + timedelta(seconds=i // 2)).isoformat(), "metric": m, "value": v}
        for i, (m, v) in enumerate(values)
    ]
    dev_id = c.post(
        "/api/ingest",
        json={"client": "lab", "device": "m1", "device_type": "modbus_tcp", "measurements": rows},
        headers=op,
    ).json()["device_id"]
    got = c.get(
        "/api/metrics", params={"device_id": dev_id, "metric": "current_a", "limit": 5}, headers=op
    ).json()
    assert [m["value"] for m in got] == [20.0, 19.0, 18.0, 17.0, 16.0]
    window = c.get(
        "/api/metrics",
        params={
            "device_id": dev_id,
            "metric": "current_a",
            "start": (start + timedelta(seconds=5)).isoformat(),
            "end": (start + timedelta(seconds=8)).isoformat(),
        },
        headers=op,
    ).json()
    assert sorted(m["value"] for m in window) == [6.0, 7.0, 8.0]
    s = c.get("/api/metrics/summary", params={"device_id": dev_id, "metric": "current_a"}, headers=op).json()
    assert s["count"] == 20 and s["mean"] == pytest.approx(10.5) and s["min"] == 1 and s["max"] == 20
    assert s["cpk"] == pytest.approx(1.0)  # limits default to mean ± 3σ
    s2 = c.get(
        "/api/metrics/summary",
        params={"device_id": dev_id, "metric": "current_a", "lsl": 0, "usl": 30},
        headers=op,
    ).json()
    assert s2["cpk"] == pytest.approx((10.5 - 0) / (3 * s["std"]))
    fit = c.get(
        "/api/metrics/linreg", params={"device_id": dev_id, "x": "current_a", "y": "power_w"}, headers=op
    ).json()
    assert fit["slope"] == pytest.approx(220.0) and fit["intercept"] == pytest.approx(5.0)
    assert fit["r2"] == pytest.approx(1.0) and fit["count"] == 20
    by_time = c.get("/api/metrics/linreg", params={"device_id": dev_id, "y": "current_a"}, headers=op).json()
    assert by_time["slope"] == pytest.approx(1.0)


def test_audit_chain_records_and_detects_a_modified_line(env: dict, tmp_path: Path) -> None:
    import typer

    from app.cli.meters import register

    path: Path = env["audit"]
    lines = path.read_text(encoding="utf-8").splitlines()
    kinds = {json.loads(line)["kind"] for line in lines}
    assert {"reading", "config"} <= kinds
    reading = next(json.loads(line) for line in lines if json.loads(line)["kind"] == "reading")
    assert {"time", "device", "driver", "metric", "value", "source"} <= set(reading["data"])
    assert verify(path).ok
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    copy = tmp_path / "audit.log"
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    ok = runner.invoke(app, ["audit", "verify", "--path", str(copy)])
    assert ok.exit_code == 0, ok.output
    tampered = lines[:]
    entry = json.loads(tampered[4])
    entry["data"]["value"] = 12345.0 if "value" in entry["data"] else "x"
    tampered[4] = json.dumps(entry)
    copy.write_text("\n".join(tampered) + "\n", encoding="utf-8")
    bad = runner.invoke(app, ["audit", "verify", "--path", str(copy), "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.output)["bad_line"] == 5
    copy.write_text("\n".join(lines[:3] + lines[4:]) + "\n", encoding="utf-8")  # a removed line
    assert verify(copy).bad_line == 4
