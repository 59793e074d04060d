"""The CLI as a new user meets it: each case failed before issue 17's fixes.

`twin inject` finds the running stack's twin, `read` of an unknown tag says so without a traceback,
`alarms --active` fits 80 columns, `users add` works without a terminal, `tokens` issues, lists and revokes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from app.cli.rules import print_alarm_rows
from lockpilot.net import free_port
from lockpilot.output import console
from lockpilot.plant import Plant
from storage.migrate import migrate
from tests.conftest import REPO_ROOT
from twin import Fault, LockTwin, TwinServer


def _cli(*args: str, data_dir: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOCKPILOT_")}
    clean.update({"LOCKPILOT_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "80", **env})
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
        env=clean,
        cwd=data_dir,
    )


def _endpoints(data_dir: Path, *, database_url: str, plc_port: int | None = None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    doc = {"database_url": database_url, "redis_url": None, "pid": os.getpid(), "plc_port": plc_port}
    (data_dir / "endpoints.json").write_text(json.dumps(doc), encoding="utf-8")


def test_twin_inject_finds_the_running_stacks_twin(plant: Plant, pg_url: str, tmp_path: Path) -> None:
    twin, port = LockTwin(plant, seed=1), free_port()
    _endpoints(tmp_path, database_url=pg_url, plc_port=port)
    with TwinServer(twin, port=port):
        done = _cli("twin", "inject", "overpressure", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "injected overpressure: ok" in done.stdout
    assert Fault.OVERPRESSURE in twin.faults


def test_reading_an_unknown_tag_says_so_in_one_line(tmp_path: Path) -> None:
    done = _cli("read", "nivel_camera", data_dir=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "unknown tag 'nivel_camera' (did you mean 'nivel_camara'?)" in done.stderr


def test_active_alarms_fit_80_columns() -> None:
    rows = [
        {
            "alarm_id": "qualidade_dados.pressao_diferencial_filtro",
            "state": "returned_unacknowledged",
            "priority": "high",
            "activated_at": "2026-11-24T06:12:05+00:00",
            "incident_id": "inc-20261124-061205-sobrepressao_sistema",
            "first_out": True,
            "name_pt": "Dado não confiável: Pressão diferencial do filtro de sucção da bomba principal",
        }
    ]
    with console.capture() as captured:
        width = console.width
        console.width = 80
        try:
            print_alarm_rows(rows, width=80)
        finally:
            console.width = width
    lines = captured.get().splitlines()
    assert all(len(line) <= 80 for line in lines)
    body = "\n".join(lines)
    assert "qualidade_dados.pressao_diferencial_filtro" in body  # the id is never cut
    assert "normalizado" in body and "03:12:05" in body  # Portuguese state, local time


def test_users_add_without_a_terminal(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    env = {"LOCKPILOT_DATABASE_URL": pg_url, "LOCKPILOT_REDIS_URL": redis_url}
    refused = _cli("users", "add", "maria", "--role", "operator", data_dir=tmp_path, **env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "LOCKPILOT_NEW_PASSWORD" in refused.stderr and "stdin" in refused.stderr
    piped = _cli(
        "users", "add", "maria", "--role", "operator", data_dir=tmp_path, stdin="s3nha-forte\n", **env
    )
    assert piped.returncode == 0, piped.stderr
    from api.users import UserDirectory

    found = UserDirectory(database_url=pg_url).verify("maria", "s3nha-forte")
    assert found is not None and found.role.value == "operator"


def test_tokens_create_list_revoke(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    env = {"LOCKPILOT_DATABASE_URL": pg_url, "LOCKPILOT_REDIS_URL": redis_url}
    created = _cli("tokens", "create", "painel", "--role", "viewer", data_dir=tmp_path, **env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    listed = _cli("tokens", "list", data_dir=tmp_path, **env)
    assert "painel" in listed.stdout and "viewer" in listed.stdout
    migrate(pg_url)
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "SELECT left(token_sha256, 12) FROM api_tokens WHERE username = 'painel' AND revoked_at IS NULL"
        ).fetchone()
    assert row is not None
    revoked = _cli("tokens", "revoke", row[0], data_dir=tmp_path, **env)
    assert revoked.returncode == 0, revoked.stderr
    with psycopg.connect(pg_url) as conn:
        left = conn.execute(
            "SELECT revoked_at FROM api_tokens WHERE left(token_sha256, 12) = %s", (row[0],)
        ).fetchone()
    assert left is not None and isinstance(left[0], datetime) and left[0] <= datetime.now(UTC)
    bad = _cli("tokens", "create", "x", "--role", "data_user", data_dir=tmp_path, **env)
    assert bad.returncode == 2 and "--client" in bad.stderr
