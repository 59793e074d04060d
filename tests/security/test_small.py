"""The small ones: not found = not yours (13), /metrics and /health (16), embedded servers stop (18)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from app.dataplane import DataPlane
from lockpilot.roles import Role
from tests.conftest import wait_for
from tests.security.helpers import REPO, bearer, web_stack
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def plane(pg_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPlane]:
    stack = web_stack(pg_url, redis_db(redis_base_url, 15), tmp_path_factory.mktemp("small"))
    yield stack
    stack.stop()


def test_not_found_and_not_yours_look_the_same(plane: DataPlane) -> None:
    svc = plane.services
    assert svc is not None and svc.metering is not None
    operator = svc.metering.create_token(username="op", role=Role.OPERATOR, actor="test")
    with httpx.Client(base_url=plane.url, headers=bearer(operator), timeout=30) as op:
        mine = op.post("/api/clients", json={"name": "meu"}).json()
        other = op.post("/api/clients", json={"name": "outro"}).json()
        device = op.post(
            "/api/devices", json={"client_id": other["id"], "name": "m-outro", "device_type": "tuya"}
        ).json()
    data_user = svc.metering.create_token(
        username="dados", role=Role.DATA_USER, client_id=mine["id"], actor="test"
    )
    with httpx.Client(base_url=plane.url, headers=bearer(data_user), timeout=30) as du:
        theirs, missing = du.get(f"/api/devices/{device['id']}"), du.get("/api/devices/999999")
        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
        rule = {
            "client_id": mine["id"],
            "device_id": device["id"],
            "name": "r",
            "metric": "kwh",
            "operator": ">",
            "threshold": 1,
        }
        for body in ({"client": "outro"}, {"client": "nao-existe"}):
            batch = {
                **body,
                "device": "m1",
                "device_type": "tuya",
                "measurements": [{"time": "2026-03-01T00:00:00Z", "metric": "kwh", "value": 1}],
            }
            answer = du.post("/api/ingest", json=batch)
            assert answer.status_code == 403
            assert "not found or not yours" in answer.json()["detail"]
        del rule


def test_metrics_and_health_are_not_public(plane: DataPlane) -> None:
    from app.http import build_http_app

    svc = plane.services
    assert svc is not None and svc.metering is not None
    assert httpx.get(f"{plane.url}/metrics", timeout=10).status_code == 200  # loopback
    from fastapi.testclient import TestClient

    app = build_http_app(svc, chat=False)
    with TestClient(app, client=("203.0.113.7", 4000)) as remote:
        assert remote.get("/metrics").status_code == 403
        public = remote.get("/health").json()
        assert all(set(part) == {"status"} for part in public["parts"].values())
        token = svc.metering.create_token(username="vera", role=Role.VIEWER, actor="test")
        detailed = remote.get("/health", headers=bearer(token)).json()
        assert any(len(part) > 1 for part in detailed["parts"].values())
    svc.web = svc.web.model_copy(update={"metrics_token": "m" * 40})
    try:
        with TestClient(app, client=("203.0.113.7", 4000)) as scraper:
            assert scraper.get("/metrics", headers=bearer("m" * 40)).status_code == 200
            assert scraper.get("/metrics", headers=bearer("wrong")).status_code == 403
    finally:
        svc.web = svc.web.model_copy(update={"metrics_token": None})


def _embedded_pids(data_dir: Path) -> list[int]:
    """The embedded PostgreSQL postmaster and redis-server of a running stack in `data_dir`."""
    pids = []
    pid_file = data_dir / "pg" / "postmaster.pid"
    if pid_file.exists():
        pids.append(int(pid_file.read_text().split()[0]))
    endpoints = data_dir / "endpoints.json"
    if endpoints.exists():
        socket_dir = str(Path(json.loads(endpoints.read_text())["redis_url"].removeprefix("unix://")).parent)
        for proc in psutil.process_iter(["cmdline"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if "redis-server" in cmd and socket_dir in cmd:
                pids.append(proc.pid)
    return pids


def _alive(pids: list[int]) -> list[int]:
    return [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_embedded_servers_stop_with_the_stack(tmp_path: Path) -> None:
    """Point 18: after `lockpilot up` gets SIGTERM, no embedded PostgreSQL or Redis is left running."""
    from lockpilot.net import free_port

    data_dir = (tmp_path / "data").resolve()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LOCKPILOT_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        LOCKPILOT_DATA_DIR=str(data_dir),
        LOCKPILOT_HTTP_PORT=str(free_port()),
        LOCKPILOT_TWIN_PORT=str(free_port()),
        LOCKPILOT_LOG_LEVEL="WARNING",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "up"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: len(_embedded_pids(data_dir)) == 2, timeout_s=90, poll_s=0.5)
        pids = _embedded_pids(data_dir)
        time.sleep(2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) is not None
        assert wait_for(lambda: not _alive(pids), timeout_s=20), _alive(pids)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
