"""Login throttling (point 9): after 5 failures per user or per address, 429 with Retry-After, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockpilot.roles import Role
from tests.security.helpers import login, web_stack
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(120)


def test_wrong_passwords_are_throttled(pg_url: str, redis_base_url: str, tmp_path: Path) -> None:
    plane = web_stack(pg_url, redis_db(redis_base_url, 14), tmp_path)
    try:
        assert plane.services is not None
        plane.services.users.add("rita", role=Role.OPERATOR, password="senha-da-rita-123")
        codes = [login(plane, "rita", f"errada-{n}").status_code for n in range(5)]
        assert codes == [401] * 5
        blocked = login(plane, "rita", "senha-da-rita-123")  # even the right password waits
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        assert plane.services.audit is not None
        lines = [json.loads(x) for x in plane.services.audit.path.read_text().splitlines()]
        actions = [x["data"]["action"] for x in lines if x["kind"] == "security"]
        assert actions.count("login_failed") == 5 and "login_throttled" in actions
        # per address: other user names from the same address are throttled too
        assert login(plane, "ninguem", "x").status_code == 429
    finally:
        plane.stop()
