"""Weak secrets stop start-up (point 4); a token signed with a placeholder is worthless."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import psycopg
import pytest

from api.web_settings import WebSettings
from app.loopback import loopback_plane
from lockpilot.secrets import WeakSecret
from lockpilot.settings import Settings
from tests.security.helpers import forged_token, web_stack
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(120)


def _plane(pg_url: str, redis_url: str, data_dir: Path, *, dev_mode: bool = False, **web: str):  # type: ignore[no-untyped-def]
    return loopback_plane(
        Settings(data_dir=data_dir, dev_mode=dev_mode),
        database_url=pg_url,
        redis_url=redis_url,
        meters=False,
        metering=False,
        web=WebSettings(**web),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("value", ["changeme", "secret", "", "curto-demais"])
def test_weak_chat_secret_stops_start_up(
    pg_url: str, redis_base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", value)
    plane = _plane(pg_url, redis_db(redis_base_url, 12), tmp_path)
    with pytest.raises(WeakSecret, match="CHAINLIT_AUTH_SECRET"):
        plane.start()
    assert plane.services is None


def test_placeholder_bot_token_stops_start_up_unless_dev_mode(
    pg_url: str, redis_base_url: str, tmp_path: Path
) -> None:
    plane = _plane(pg_url, redis_db(redis_base_url, 12), tmp_path, slack_bot_token="xoxb-changeme")
    with pytest.raises(WeakSecret, match="LOCKPILOT_SLACK_BOT_TOKEN"):
        plane.start()
    from lockpilot.secrets import check_secrets

    check_secrets([("LOCKPILOT_SLACK_BOT_TOKEN", "xoxb-changeme")], dev_mode=True)  # only a warning


def test_generated_secret_and_forged_tokens(pg_url: str, redis_base_url: str, tmp_path: Path) -> None:
    """No CHAINLIT_AUTH_SECRET: one is generated into the data dir; a token signed with 'changeme' for a
    never-registered mallory (role operator in its metadata) opens nothing and creates no row."""
    saved = os.environ.pop("CHAINLIT_AUTH_SECRET", None)
    try:
        plane = web_stack(pg_url, redis_db(redis_base_url, 12), tmp_path)
    finally:
        if saved is not None:
            os.environ["CHAINLIT_AUTH_SECRET"] = saved
    try:
        kept = tmp_path / "chainlit" / ".auth_secret"
        if saved is None:
            assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and len(kept.read_text()) >= 32
        for secret in ("changeme", os.environ["CHAINLIT_AUTH_SECRET"]):
            token = forged_token(secret, "mallory")
            cookie = {"access_token": token}
            assert httpx.get(f"{plane.url}/chat/user", cookies=cookie, timeout=10).status_code == 401
            assert httpx.get(f"{plane.url}/dashboard/data", cookies=cookie, timeout=10).status_code == 401
        with psycopg.connect(pg_url) as conn:
            rows = conn.execute("SELECT count(*) FROM chat_users WHERE identifier = 'mallory'").fetchone()
        assert rows == (0,)
    finally:
        plane.stop()
