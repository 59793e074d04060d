"""Through a private Mosquitto: a 30 s broker outage loses and duplicates nothing (the journal is replayed
as historical metrics in order), and a site killed hard is marked offline by its will (NDEATH)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from fleet.central.store import FleetReader
from fleet.site.publisher import SitePublisher
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from storage.migrate import migrate
from tests.conftest import REPO_ROOT
from tests.fleet.broker import PrivateBroker
from tests.fleet.sites import Central, mqtt_settings, wait_for

OUTAGE_S = 30.0
pytestmark = pytest.mark.skipif(
    not PrivateBroker.available(), reason="needs Debian's mosquitto (make fleet-deps)"
)


class CounterSource:
    """Two tags whose every sample is a change (beyond the deadband), every 0.1 s; keeps what it produced."""

    def __init__(self, publisher: SitePublisher) -> None:
        self.publisher = publisher
        self.produced: list[tuple[str, datetime, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        i = 0
        while not self._stop.wait(0.1):
            i += 1
            now = datetime.now(UTC).replace(microsecond=datetime.now(UTC).microsecond // 1000 * 1000)
            batch = [("nivel_camara", now, round(i * 0.05, 3)), ("pressao_sistema", now, round(i * 0.5, 3))]
            self.produced += batch
            self.publisher.publish([Sample(t, at, v, Quality.GOOD, "clp_eclusa") for t, at, v in batch])


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    broker = PrivateBroker(Path(tmp_path_factory.mktemp("broker"))).start()
    try:
        yield broker
    finally:
        broker.stop()


def test_a_30_s_broker_outage_loses_and_duplicates_nothing(
    broker: PrivateBroker, plant: Plant, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    migrate(pg_url)
    group = f"outage-{uuid.uuid4().hex[:6]}"
    settings = mqtt_settings(broker.port, group=group, host_id=f"central-{group}", keepalive_s=2)
    central = Central(settings, plant, pg_url=pg_url, redis_url=redis_url, data_dir=tmp_path / "central")
    publisher = SitePublisher(settings, plant, data_dir=tmp_path / "site", node_id="eclusa-7")
    publisher.start()
    source = CounterSource(publisher)
    source.start()
    try:
        assert wait_for(lambda: publisher.live, timeout_s=10)
        time.sleep(2)
        broker.stop()
        assert wait_for(lambda: not publisher.live, timeout_s=5)
        time.sleep(OUTAGE_S)
        during = len(source.produced)
        broker.start()
        assert wait_for(lambda: publisher.live, timeout_s=20)
        time.sleep(1)
        source.stop()
        assert publisher.wait_idle(timeout_s=10)
        assert wait_for(lambda: central.host.metrics_in >= len(source.produced), timeout_s=10)
        assert central.host.wait_idle(timeout_s=20)
    finally:
        source.stop()
        publisher.stop()
        central.stop()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT tag, time, value FROM fleet_history WHERE site = 'eclusa-7' ORDER BY time, tag"
        ).fetchall()
    stored = [(t, at, v) for t, at, v in rows]
    assert len(stored) == len(set(stored)), "a sample was stored twice"
    assert sorted(stored) == sorted(source.produced), "a sample was lost or changed"
    assert during > OUTAGE_S * 10 * 2 * 0.9  # the outage really lasted: ~600 samples produced meanwhile
    assert publisher.records_replayed > 0
    assert central.host.duplicates > 0  # what went out just before the outage came again, and was dropped


def _stored(pg_url: str, site: str) -> list[tuple[str, datetime, float]]:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT tag, time, value FROM fleet_history WHERE site = %s", (site,)).fetchall()
    return [(t, at, v) for t, at, v in rows]


def test_while_the_central_is_away_the_site_stores_and_forwards_to_the_next_one(
    broker: PrivateBroker, plant: Plant, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    migrate(pg_url)
    group = f"host-{uuid.uuid4().hex[:6]}"
    settings = mqtt_settings(broker.port, group=group, host_id=f"central-{group}", keepalive_s=2)
    central = Central(settings, plant, pg_url=pg_url, redis_url=redis_url, data_dir=tmp_path / "central")
    publisher = SitePublisher(settings, plant, data_dir=tmp_path / "site", node_id="eclusa-8")
    publisher.start()
    source = CounterSource(publisher)
    source.start()
    try:
        assert wait_for(lambda: publisher.live, timeout_s=10)
        time.sleep(1)
        central.stop()  # STATE offline: the site keeps its changes on disk
        assert wait_for(lambda: not publisher.live, timeout_s=5)
        time.sleep(5)
        central = Central(settings, plant, pg_url=pg_url, redis_url=redis_url, data_dir=tmp_path / "central")
        assert wait_for(lambda: publisher.live, timeout_s=10)
        time.sleep(1)
        source.stop()
        assert publisher.wait_idle(timeout_s=10)
        assert wait_for(lambda: len(_stored(pg_url, "eclusa-8")) >= len(source.produced), timeout_s=15)
        assert central.host.wait_idle(timeout_s=10)
    finally:
        source.stop()
        publisher.stop()
        central.stop()
    stored = _stored(pg_url, "eclusa-8")
    assert len(stored) == len(set(stored)) and sorted(stored) == sorted(source.produced)
    assert publisher.births_sent >= 2  # born again for the new primary host


def test_a_site_killed_hard_is_marked_offline_by_its_will(
    broker: PrivateBroker, plant: Plant, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    migrate(pg_url)
    group = f"kill-{uuid.uuid4().hex[:6]}"
    host_id = f"central-{group}"
    settings = mqtt_settings(broker.port, group=group, host_id=host_id, keepalive_s=2)
    central = Central(settings, plant, pg_url=pg_url, redis_url=redis_url, data_dir=tmp_path / "central")
    reader = FleetReader(redis_url, group=group)
    args = [str(broker.port), group, host_id, "eclusa-9", str(tmp_path / "site")]
    proc = subprocess.Popen([sys.executable, "-m", "tests.fleet.site_proc", *args], cwd=REPO_ROOT)
    try:
        status = lambda: next((s for s in reader.sites() if s.site == "eclusa-9"), None)  # noqa: E731
        assert wait_for(lambda: (s := status()) is not None and s.online, timeout_s=30)
        os.kill(proc.pid, signal.SIGKILL)
        killed = time.monotonic()
        assert wait_for(lambda: (s := status()) is not None and not s.online, timeout_s=10)
        assert time.monotonic() - killed < 1.5 * 2 + 3  # the broker's keepalive timeout, then the will
    finally:
        proc.kill()
        proc.wait(5)
        central.stop()
        reader.close()
