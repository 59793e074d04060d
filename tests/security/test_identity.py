"""Identity from one place: every approval asks the user directory at that moment (points 1, 2, 14, 17, 19).

Real stack (twin over S7, PostgreSQL, Redis, the HTTP app with Chainlit), real cookies and tokens, the CLI
in subprocesses.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.dataplane import DataPlane
from lockpilot.roles import Role
from tests.security.helpers import (
    bearer,
    cli_env,
    forged_token,
    lockpilot,
    login,
    next_setpoint,
    request_setpoint,
    session_cookie,
    setpoint_value,
    web_stack,
)
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(240)
PASSWORD = "senha-da-carol-123"


@pytest.fixture(scope="module")
def plane(pg_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPlane]:
    stack = web_stack(
        pg_url, redis_db(redis_base_url, 9), tmp_path_factory.mktemp("identity"), trust_forwarded_proto=True
    )
    yield stack
    stack.stop()


def _operator(plane: DataPlane, name: str) -> str:
    """A directory operator with a password and an API token; the token."""
    svc = plane.services
    assert svc is not None and svc.metering is not None
    svc.users.add(name, role=Role.OPERATOR, password=PASSWORD)
    return svc.metering.create_token(username=name, role=Role.OPERATOR, actor="test")


def test_demoted_operator_approves_nothing(plane: DataPlane) -> None:
    """Point 1: carol logs in as operator, is demoted to viewer; her old cookie and token approve nothing."""
    assert plane.services is not None
    ana = _operator(plane, "ana")
    carol = _operator(plane, "carol")
    cookie = session_cookie(plane, "carol", PASSWORD)
    assert httpx.get(f"{plane.url}/chat/user", cookies=cookie, timeout=10).status_code == 200
    plane.services.users.add("carol", role=Role.VIEWER)  # demoted: ui_users says viewer
    before = setpoint_value(plane)
    command_id = request_setpoint(plane, ana, next_setpoint(plane))
    action = {"sessionId": "x", "action": {"name": "approve_command", "payload": {"command_id": command_id}}}
    posted = httpx.post(f"{plane.url}/chat/project/action", json=action, cookies=cookie, timeout=10)
    assert posted.status_code == 401
    assert httpx.get(f"{plane.url}/chat/user", cookies=cookie, timeout=10).status_code == 401
    assert httpx.get(f"{plane.url}/dashboard/data", cookies=cookie, timeout=10).status_code == 401
    by_token = httpx.post(f"{plane.url}/api/commands/{command_id}/approve", headers=bearer(carol), timeout=30)
    assert by_token.status_code == 403
    assert plane.copilot is not None
    outcome, text = plane.copilot.copilot.approve(command_id, user="carol")  # what the chat button calls
    assert outcome.outcome.value == "not_allowed" and "operador" in text
    assert setpoint_value(plane) == before
    # a fresh login reflects the current role
    fresh = session_cookie(plane, "carol", PASSWORD)
    me = httpx.get(f"{plane.url}/chat/user", cookies=fresh, timeout=10).json()
    assert me["metadata"]["role"] == "viewer"


def test_disabled_user_loses_every_session(plane: DataPlane) -> None:
    assert plane.services is not None
    _operator(plane, "dora")
    cookie = session_cookie(plane, "dora", PASSWORD)
    assert httpx.get(f"{plane.url}/dashboard/data", cookies=cookie, timeout=10).status_code == 200
    assert plane.services.users.disable("dora")
    assert httpx.get(f"{plane.url}/chat/user", cookies=cookie, timeout=10).status_code == 401
    assert httpx.get(f"{plane.url}/dashboard/data", cookies=cookie, timeout=10).status_code == 401
    assert login(plane, "dora", PASSWORD).status_code == 401


def test_sessions_last_a_shift_and_cookies_are_secure_behind_https(plane: DataPlane) -> None:
    """Point 17: 12 h sessions (not 15 days), Secure behind HTTPS, an older token refused."""
    _operator(plane, "edu")
    answer = login(plane, "edu", PASSWORD, **{"X-Forwarded-Proto": "https"})
    assert answer.status_code == 200
    cookie_header = answer.headers["set-cookie"]
    assert "Secure" in cookie_header
    max_age = int(cookie_header.split("Max-Age=")[1].split(";")[0])
    assert max_age == 12 * 3600
    plain = login(plane, "edu", PASSWORD)
    assert "Secure" not in plain.headers["set-cookie"]
    secret = os.environ["CHAINLIT_AUTH_SECRET"]
    old = forged_token(secret, "edu", iat=time.time() - 13 * 3600, exp=time.time() + 3600)
    assert httpx.get(f"{plane.url}/chat/user", cookies={"access_token": old}, timeout=10).status_code == 401
    assert plane.services is not None
    epoch = plane.services.users.get("edu").session_epoch  # type: ignore[union-attr]
    young = forged_token(secret, "edu", metadata={"provider": "password", "epoch": epoch})
    assert httpx.get(f"{plane.url}/chat/user", cookies={"access_token": young}, timeout=10).status_code == 200


def test_losing_concurrent_approver_is_told_who_won(plane: DataPlane) -> None:
    """Point 14: two operators approve at once; one write, the other hears 'já aprovado por X'."""
    tokens = {"fabio": _operator(plane, "fabio"), "gil": _operator(plane, "gil")}
    requester = _operator(plane, "hugo")
    command_id = request_setpoint(plane, requester, next_setpoint(plane))
    answers: dict[str, httpx.Response] = {}

    def approve(name: str) -> None:
        answers[name] = httpx.post(
            f"{plane.url}/api/commands/{command_id}/approve", headers=bearer(tokens[name]), timeout=60
        )

    threads = [threading.Thread(target=approve, args=(name,)) for name in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = {name: a.json()["outcome"]["outcome"] for name, a in answers.items()}
    assert sorted(outcomes.values()) == ["already_done", "verified"], outcomes
    winner = next(n for n, o in outcomes.items() if o == "verified")
    loser = next(n for n, o in outcomes.items() if o == "already_done")
    assert f"já aprovado por {winner}" in answers[loser].json()["text"]


def test_cli_role_is_not_declared_and_approval_is_proven(plane: DataPlane, tmp_path: Path) -> None:
    """Point 2: no --role to claim; approve needs an operator's token or password; four-eyes (point 19)."""
    assert plane.services is not None and plane.services.metering is not None
    ivo = _operator(plane, "ivo")
    env = cli_env(plane)
    claimed = lockpilot(
        "ask", "--role", "operator", "--user", "visitante", "qual o nível da câmara?", env=env
    )
    assert claimed.returncode == 2 and "--role" in claimed.stderr
    command_id = request_setpoint(plane, ivo, next_setpoint(plane))
    unproven = lockpilot(
        "approve", command_id, "--user", "visitante", "--password-stdin", env=env, stdin="x\n"
    )
    assert unproven.returncode == 2 and "senha" in unproven.stderr
    viewer = plane.services.metering.create_token(username="visitante", role=Role.VIEWER, actor="test")
    as_viewer = lockpilot("approve", command_id, env={**env, "LOCKPILOT_TOKEN": viewer})
    assert as_viewer.returncode == 2  # visitante is not in the directory
    four_eyes = lockpilot(
        "approve", command_id, env={**env, "LOCKPILOT_TOKEN": ivo, "LOCKPILOT_FOUR_EYES": "1"}
    )
    assert four_eyes.returncode == 1 and "quatro olhos" in four_eyes.stdout
    assert plane.copilot is not None
    assert plane.copilot.desk.store.get(command_id).status.value == "pending"  # type: ignore[union-attr]
    _operator(plane, "joao")
    by_password = lockpilot(
        "approve", command_id, "--user", "joao", "--password-stdin", env=env, stdin=PASSWORD + "\n"
    )
    assert by_password.returncode == 0, by_password.stdout + by_password.stderr
    assert "executado e verificado" in by_password.stdout
    record = plane.copilot.desk.store.get(command_id)
    assert record is not None and record.decided_by == "joao"
