"""Conversation history survives a restart: a thread written before it is listed and opened after it.

A first server process writes a conversation through Chainlit's data layer (what the chat does on each
message) and exits; a second one starts on the same database, and the sidebar's endpoints (login,
POST /project/threads, GET /project/thread/{id}) list the thread and return its messages, which is what
resuming it loads. Each server is its own process, as a real restart is (Chainlit's app is per process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from lockpilot.roles import Role
from tests.web_server_proc import ANSWER, QUESTION
from tests.web_stack import PASSWORDS, USERS, redis_db

REPO = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "tests.web_server_proc"]
pytestmark = pytest.mark.timeout(150)


def _sidebar(base_url: str, thread_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Log in as the operator; the sidebar's thread list and the thread as resuming loads it."""
    with httpx.Client(base_url=f"{base_url}/chat", timeout=10.0) as http:
        login = http.post(
            "/login",
            data={"username": USERS[Role.OPERATOR], "password": PASSWORDS[Role.OPERATOR]},
        )
        assert login.status_code == 200, login.text
        listed = http.post("/project/threads", json={"pagination": {"first": 20}, "filter": {}})
        assert listed.status_code == 200, listed.text
        opened = http.get(f"/project/thread/{thread_id}")
        assert opened.status_code == 200, opened.text
        return listed.json()["data"], opened.json()


def _last_json(stdout: str) -> dict[str, Any]:
    return dict(json.loads(next(line for line in reversed(stdout.splitlines()) if line.startswith("{"))))


def test_thread_is_listed_and_resumable_after_restart(
    pg_url: str, redis_base_url: str, tmp_path: Path
) -> None:
    args = [pg_url, redis_db(redis_base_url, 8), str(tmp_path)]
    first = subprocess.run(
        [*SERVER, *args, "--seed", USERS[Role.OPERATOR]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert first.returncode == 0, first.stderr[-3000:]
    thread_id = _last_json(first.stdout)["thread_id"]
    with subprocess.Popen(
        [*SERVER, *args], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as second:
        assert second.stdin is not None and second.stdout is not None
        try:
            line = next(ln for ln in second.stdout if ln.startswith("{"))
            threads, thread = _sidebar(json.loads(line)["url"], thread_id)
        finally:
            second.stdin.close()
            second.wait(timeout=30)
    assert [t["id"] for t in threads] == [thread_id]
    assert threads[0]["name"] == QUESTION
    outputs = [(s["type"], s["output"]) for s in thread["steps"]]
    assert outputs == [("user_message", QUESTION), ("assistant_message", ANSWER)]
