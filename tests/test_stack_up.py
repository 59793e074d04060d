"""`lockpilot up` on embedded defaults, driven as a user would: the CLI in subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from lockpilot.net import free_port

LOCKPILOT = [sys.executable, "-m", "app"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        LOCKPILOT_DATA_DIR=str(data_dir),
        LOCKPILOT_TWIN_PORT=str(free_port()),
        LOCKPILOT_HTTP_PORT=str(free_port()),
    )
    return env


def _check_http(env: dict[str, str], data_dir: Path) -> None:
    """Health reports each part; the first operator printed at start-up can log in to the chat."""
    base = f"http://127.0.0.1:{env['LOCKPILOT_HTTP_PORT']}"
    health = httpx.get(f"{base}/health", timeout=10).json()
    assert "collectors" in json.dumps(health) and "postgresql" in json.dumps(health)
    login = dict(line.split(": ", 1) for line in (data_dir / "first-login.txt").read_text().splitlines())
    response = httpx.post(
        f"{base}/chat/login", data={"username": login["user"], "password": login["password"]}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert httpx.get(f"{base}/chat", timeout=10, follow_redirects=True).status_code == 200


def _cli(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([*LOCKPILOT, *args], env=env, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


@pytest.mark.slow
def test_up_fills_history_and_current_values(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")
    up = subprocess.Popen(
        [*LOCKPILOT, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        time.sleep(20)
        assert up.poll() is None, up.stdout.read() if up.stdout else ""
        history = _cli(env, "history", "nivel_camara", "--last", "15s", "--json")
        good = [r for r in history["rows"] if r["quality"] == "good"]
        assert len(good) >= 1  # stored by exception: a level at rest is one row a minute, not 2 a second
        current = _cli(env, "read", "nivel_camara", "--json")["nivel_camara"]
        assert current["quality"] == "good" and current["unit"] == "m"
        assert current["age_s"] < 2.0
        assert 0.0 < current["value"] < 16.0
        assert datetime.fromisoformat(current["time"]).tzinfo is not None
        _check_http(env, tmp_path / "data")
    finally:
        up.send_signal(signal.SIGINT)
        output = up.communicate(timeout=60)[0]
    assert up.returncode == 0, output
    assert "Lockpilot is running" in output
    assert not (tmp_path / "data" / "endpoints.json").exists()  # stores stopped cleanly
