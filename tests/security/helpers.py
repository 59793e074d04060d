"""Helpers of the security tier: a live web stack on loopback, logins with real cookies, CLI runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from api.web_settings import WebSettings
from app.dataplane import DataPlane
from lockpilot.roles import Role
from tests.web_stack import start_stack

SETPOINT = "ajustar_velocidade_bomba"
REPO = Path(__file__).resolve().parents[2]


def web_stack(pg_url: str, redis_url: str, data_dir: Path, **web: Any) -> DataPlane:
    """The production DataPlane with the web side on free loopback ports."""
    return start_stack(database_url=pg_url, redis_url=redis_url, data_dir=data_dir, web=WebSettings(**web))


def login(plane: DataPlane, username: str, password: str, **headers: str) -> httpx.Response:
    """POST the chat's login form as a browser does."""
    return httpx.post(
        f"{plane.url}/chat/login",
        data={"username": username, "password": password},
        headers=headers,
        timeout=10,
    )


def session_cookie(plane: DataPlane, username: str, password: str) -> dict[str, str]:
    answer = login(plane, username, password)
    assert answer.status_code == 200, answer.text
    return {"access_token": answer.cookies["access_token"]}


def forged_token(secret: str, identifier: str, **claims: Any) -> str:
    """A Chainlit session token signed with `secret`."""
    now = time.time()
    body = {
        "identifier": identifier,
        "display_name": identifier,
        "metadata": {"role": Role.OPERATOR.value, "provider": "password", "epoch": 0},
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(body, secret, algorithm="HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def request_setpoint(plane: DataPlane, token: str, value: float) -> str:
    """A pending pump-speed setpoint requested over REST; its id."""
    answer = httpx.post(
        f"{plane.url}/api/commands",
        json={"command": SETPOINT, "value": value},
        headers=bearer(token),
        timeout=15,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["command_id"])


def setpoint_value(plane: DataPlane) -> float:
    """The pump speed setpoint in the twin's PLC now."""
    assert plane.twin_server is not None
    with plane.twin_server.lock:
        return float(plane.twin_server.twin.values()["setpoint_velocidade_bomba"])


def next_setpoint(plane: DataPlane) -> float:
    """A setpoint within limits and one max step (20 %) from the current one."""
    now = setpoint_value(plane)
    return now - 10.0 if now >= 50.0 else now + 10.0


def cli_env(plane: DataPlane, **extra: str) -> dict[str, str]:
    """The environment of a `lockpilot` process beside the plane (its stores, its PLC, its data dir)."""
    host, port = plane.plc_address
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LOCKPILOT_") and k != "CHAINLIT_AUTH_SECRET"
    }
    env.update(
        DATABASE_URL=plane.database_url,
        REDIS_URL=plane.redis_url,
        LOCKPILOT_DATA_DIR=str(plane.settings.data_dir),
        LOCKPILOT_PLC_HOST=host,
        LOCKPILOT_PLC_PORT=str(port),
        LOCKPILOT_LOG_LEVEL="WARNING",
        COLUMNS="300",
        **extra,
    )
    return env


def lockpilot(
    *args: str, env: dict[str, str], stdin: str = "", timeout_s: float = 90
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in its own session (no terminal: a password is read from stdin)."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout_s,
        start_new_session=True,
    )
