"""Outages through a loopback TCP proxy: 30 s without PostgreSQL, a Redis outage while history flows."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from lockpilot.bus import SampleBus
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from storage.current import read_current
from storage.current_store import CurrentStore
from storage.history_writer import HistoryWriter
from storage.migrate import migrate
from tests.conftest import TRUNCATE_HISTORY, free_port
from tests.storage_proxy import TcpProxy

T0 = datetime(2026, 4, 2, 8, tzinfo=UTC)
COUNTS = """SELECT count(*), count(DISTINCT (tag, time)),
                   (SELECT COALESCE(sum(n_samples), 0) FROM tag_history_1m) FROM tag_history"""


class Feeder:
    """Publishes `rate_hz` batches of `per_batch` samples with unique times until stopped."""

    def __init__(
        self, bus: SampleBus, tags: list[str], *, per_batch: int = 50, rate_hz: float = 20.0
    ) -> None:
        self.bus, self.tags, self.per_batch, self.period_s = bus, tags, per_batch, 1.0 / rate_hz
        self.published = 0
        self.last: dict[str, Sample] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            batch = []
            for _ in range(self.per_batch):
                tag = self.tags[self.published % len(self.tags)]
                batch.append(
                    Sample(
                        tag,
                        T0 + timedelta(milliseconds=self.published),
                        float(self.published),
                        Quality.GOOD,
                        "feeder",
                    )
                )
                self.published += 1
            self.last.update({s.tag: s for s in batch})
            self.bus.publish(batch)

    def __enter__(self) -> Feeder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def proxied_pg(url: str, port: int) -> tuple[str, tuple[str, int]]:
    params = conninfo_to_dict(url)
    upstream = (params.get("host") or "127.0.0.1", int(params.get("port") or 5432))
    return make_conninfo(**{**params, "host": "127.0.0.1", "port": str(port)}), upstream


def count_rows(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(COUNTS).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


@pytest.mark.slow
def test_postgres_outage_of_30_s_loses_nothing(pg_url: str, tmp_path: Path) -> None:
    migrate(pg_url)
    url, upstream = proxied_pg(pg_url, free_port())
    proxy = TcpProxy(int(conninfo_to_dict(url)["port"]), upstream)
    proxy.start()
    writer = HistoryWriter(
        url,
        spool_dir=tmp_path / "spool",
        batch_rows=2_000,
        batch_age_s=0.2,
        connect_timeout_s=1.0,
        max_backoff_s=2.0,
    )
    writer.start()
    bus = SampleBus()
    bus.subscribe(writer)
    with Feeder(bus, [f"tag_{i}" for i in range(20)]) as feeder:
        time.sleep(2)
        assert writer.samples_written > 0
        proxy.cut()
        time.sleep(30)
        assert writer.spool_depth > 0 and not writer.connected
        during = count_rows(pg_url)[0]
        proxy.start()
        time.sleep(2)
    assert writer.wait_idle(timeout_s=30)
    writer.stop()
    proxy.cut()
    total, distinct, in_rollup = count_rows(pg_url)
    assert during < feeder.published
    assert (total, distinct, in_rollup) == (feeder.published, feeder.published, feeder.published)
    assert writer.spool_depth == 0 and writer.batches_rejected == 0


def proxied_redis(url: str, port: int) -> tuple[str, tuple[str, int]]:
    parts = urlsplit(url)
    upstream = (parts.hostname or "127.0.0.1", parts.port or 6379)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}")), upstream


def test_redis_outage_keeps_history_flowing(
    pg_url: str, redis_url: str, plant: Plant, tmp_path: Path
) -> None:
    if not redis_url.startswith("redis://"):
        pytest.skip("needs a TCP Redis to put a proxy in front of")
    migrate(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:  # the database is shared within this module
        conn.execute(TRUNCATE_HISTORY)
    url, upstream = proxied_redis(redis_url, free_port())
    proxy = TcpProxy(urlsplit(url).port or 0, upstream)
    proxy.start()
    tags = sorted(plant.tags)[:30]
    store = CurrentStore(url, plant, max_backoff_s=0.5, timeout_s=0.5)
    store.start()
    writer = HistoryWriter(pg_url, spool_dir=tmp_path, batch_age_s=0.1)
    writer.start()
    bus = SampleBus()
    bus.subscribe(store)
    bus.subscribe(writer)
    with Feeder(bus, tags) as feeder:
        time.sleep(1)
        proxy.cut()
        written_at_cut = writer.samples_written
        time.sleep(3)
        assert not store.connected
        assert writer.samples_written > written_at_cut + 1_000  # history keeps flowing
        proxy.start()
        time.sleep(1)
    assert store.wait_idle(timeout_s=15) and writer.wait_idle(timeout_s=15)
    store.stop()
    writer.stop()
    proxy.cut()
    current = read_current(redis.Redis.from_url(redis_url), plant.name, tags)
    assert {tag: (v.value, v.time) for tag, v in current.items() if v is not None} == {
        tag: (s.value, s.time) for tag, s in feeder.last.items()
    }
    assert count_rows(pg_url)[:2] == (feeder.published, feeder.published)
