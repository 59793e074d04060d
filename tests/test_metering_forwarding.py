"""Master -> slave forwarding between two real instances on loopback: a 30 s slave outage loses nothing."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn

from api.app import create_app
from lockpilot.roles import Role
from metering.outbox import Forwarder, outbox_stats
from metering.store import MeteringStore
from storage.audit_chain import AuditChain
from storage.migrate import migrate
from tests.conftest import _with_db, free_port

OUTAGE_S = 30.0


class Instance:
    """One Lockpilot API served by uvicorn in a thread; can be stopped and started again on its port."""

    def __init__(self, store: MeteringStore, *, port: int, forward: bool) -> None:
        self.app = create_app(store, forward=forward)
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self._server.started

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(10)


@pytest.fixture(scope="module")
def slave_url(pg_admin_url: str) -> Iterator[str]:
    name = f"lockpilot_slave_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _with_db(pg_admin_url, name)
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def keys(store: MeteringStore) -> list[str]:
    return [str(r["idempotency_key"]) for r in store.fetch_all("SELECT idempotency_key FROM measurements")]


def test_slave_outage_loses_nothing_and_duplicates_nothing(
    pg_url: str, slave_url: str, tmp_path: Path
) -> None:
    migrate(pg_url)
    migrate(slave_url)
    master = MeteringStore(pg_url, audit=AuditChain(tmp_path / "master.log"))
    slave = MeteringStore(slave_url, audit=AuditChain(tmp_path / "slave.log"))
    slave_token = slave.create_token(username="master-forwarder", role=Role.OPERATOR, actor="setup")
    master_token = master.create_token(username="collector", role=Role.OPERATOR, actor="setup")
    master_api = Instance(master, port=free_port(), forward=True)
    slave_api = Instance(slave, port=free_port(), forward=False)
    master_api.start()
    slave_api.start()
    forwarder = Forwarder(
        master,
        target_url=f"http://127.0.0.1:{slave_api.port}",
        token=slave_token,
        period_s=0.2,
        first_retry_s=0.5,
        max_retry_s=4.0,
    )
    forwarder.start()
    stop = threading.Event()
    sent = {"batches": 0}

    def produce() -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{master_api.port}",
            headers={"Authorization": f"Bearer {master_token}"},
        ) as http:
            while not stop.is_set():
                now = datetime.now(UTC).isoformat()
                body = {
                    "client": "eclusa",
                    "device": "medidor_bomba",
                    "device_type": "modbus_rtu",
                    "measurements": [
                        {"time": now, "metric": m, "value": v, "source": "sim:pzem@1"}
                        for m, v in (("power_w", 1200.0), ("current_a", 5.5), ("voltage_v", 220.0))
                    ],
                }
                assert http.post("/api/ingest", json=body).status_code == 200
                sent["batches"] += 1
                stop.wait(0.25)

    producer = threading.Thread(target=produce, daemon=True)
    try:
        producer.start()
        time.sleep(2.0)
        slave_api.stop()
        time.sleep(OUTAGE_S)
        assert outbox_stats(master).pending > 0  # the outage was real: rows are waiting
        slave_api.start()
        time.sleep(1.0)
        stop.set()
        producer.join(5)
        deadline = time.monotonic() + 30
        while outbox_stats(master).pending and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        forwarder.stop()
        master_api.stop()
        slave_api.stop()
    master_keys, slave_keys = keys(master), keys(slave)
    master.close()
    slave.close()
    assert len(master_keys) == 3 * sent["batches"] > 3 * 100
    assert sorted(slave_keys) == sorted(master_keys)  # every measurement, exactly once
    assert len(set(slave_keys)) == len(slave_keys)
