"""Nothing lost when PostgreSQL hangs or the process dies (point 5); the copilot degrades (point 6).

A private PostgreSQL (pgserver) is frozen with SIGSTOP: never the machine's shared server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from lockpilot.roles import Role
from lockpilot.samples import Quality, Sample
from storage.migrate import migrate
from tests.conftest import free_port, wait_for
from tests.security.helpers import REPO, bearer, cli_env, lockpilot, web_stack
from tests.storage_proxy import TcpProxy
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(300)


class PrivatePostgres:
    """A pgserver of this test alone; freeze() SIGSTOPs the postmaster and every backend."""

    def __init__(self, directory: Path) -> None:
        import pgserver

        self.directory = directory
        self.server = pgserver.get_server(directory, cleanup_mode="stop")
        self.url = self.server.get_uri()
        self._frozen: list[psutil.Process] = []

    def processes(self) -> list[psutil.Process]:
        postmaster = psutil.Process(int((self.directory / "postmaster.pid").read_text().split()[0]))
        return [postmaster, *postmaster.children(recursive=True)]

    def freeze(self) -> None:
        self._frozen = self.processes()
        for proc in self._frozen:
            proc.suspend()

    def thaw(self) -> None:
        for proc in self._frozen:
            if proc.is_running():
                proc.resume()
        self._frozen = []

    def close(self) -> None:
        self.thaw()
        self.server.cleanup()


@pytest.fixture(scope="module")
def private_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres(tmp_path_factory.mktemp("private-pg"))
    migrate(pg.url)
    yield pg
    pg.close()


def _start(url: str, data_dir: Path, first: int, seconds: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("outage_proc.py")),
            url,
            str(data_dir),
            str(first),
            str(seconds),
        ],
        cwd=REPO,
        env=env,
    )


def _published(data_dir: Path) -> int:
    path = data_dir / "progress"
    text = path.read_text().strip() if path.exists() else ""
    return int(text) if text else 0


def _plc_rows(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT value, source FROM tag_history WHERE tag LIKE 'outage_%' ORDER BY time"
        ).fetchall()
    return [(int(v) if v is not None else -1, s) for v, s in rows]


@pytest.mark.slow
def test_frozen_postgres_then_kill_9_loses_no_sample(private_pg: PrivatePostgres, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    first = _start(private_pg.url, data_dir, 0, 0)
    try:
        assert wait_for(lambda: len(_plc_rows(private_pg.url)) > 200, timeout_s=30)
        private_pg.freeze()
        spool = data_dir / "spool"
        assert wait_for(lambda: any(spool.glob("seg-*.spool")), timeout_s=10, poll_s=0.2), "nothing spooled"
        time.sleep(2)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        published = _published(data_dir)
    finally:
        if first.poll() is None:
            first.kill()
        private_pg.thaw()
    second = _start(private_pg.url, data_dir, 1_000_000, 3)
    assert second.wait(90) == 0
    rows = _plc_rows(private_pg.url)
    values = [v for v, s in rows if s == "plc"]
    assert len(values) == len(set(values)), "duplicates"
    assert set(range(published)) <= set(values), f"lost {len(set(range(published)) - set(values))} samples"
    assert sum(1 for _, s in rows if s.startswith("gap:")) >= 1  # where the dead process stopped
    assert set(range(1_000_000, _published(data_dir))) <= set(values)


@pytest.mark.slow
def test_metering_spools_while_postgres_hangs(private_pg: PrivatePostgres, tmp_path: Path) -> None:
    from metering.models import DeviceType, User
    from metering.sink import MeteringSink, MeterTag
    from metering.store import MeteringStore
    from storage.audit_chain import AuditChain

    store = MeteringStore(private_pg.url, audit=AuditChain(tmp_path / "audit.log"), timeout_s=2.0)
    sink = MeteringSink(
        store,
        {"kwh_a": MeterTag("cliente-x", "medidor-x", DeviceType.MODBUS_TCP, "kwh")},
        user=User(username="coletor", role=Role.OPERATOR),
        forward=False,
        spool_dir=tmp_path / "metering-spool",
    )
    sink.start()
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    sent = 0

    def feed(count: int) -> None:
        nonlocal sent
        for _ in range(count):
            sink.publish([Sample("kwh_a", t0 + timedelta(seconds=sent), float(sent), Quality.GOOD, "m")])
            sent += 1
            time.sleep(0.05)

    try:
        feed(20)
        assert wait_for(lambda: sink.ingested == 20, timeout_s=20)
        private_pg.freeze()
        feed(40)
        assert wait_for(lambda: sink.spool_depth > 0, timeout_s=10), "metering did not spool"
        private_pg.thaw()
        feed(20)
        assert wait_for(lambda: sink.ingested == sent and sink.spool_depth == 0, timeout_s=60)
    finally:
        private_pg.thaw()
        sink.stop()
        store.close()
    with psycopg.connect(private_pg.url) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT time) FROM measurements").fetchone()
    assert row == (sent, sent)


def _ask(url: str, token: str, question: str) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    answer = httpx.post(f"{url}/api/ask", json={"question": question}, headers=bearer(token), timeout=30)
    return time.monotonic() - started, answer


@pytest.mark.slow
def test_copilot_answers_within_5_s_with_a_store_down(
    private_pg: PrivatePostgres, redis_base_url: str, tmp_path: Path
) -> None:
    if not redis_base_url.startswith("redis://"):
        pytest.skip("needs a TCP Redis to put a proxy in front of")
    port = free_port()
    upstream = httpx.URL(redis_base_url)
    proxy = TcpProxy(port, (upstream.host, upstream.port or 6379))
    proxy.start()
    redis_up = True
    plane = web_stack(private_pg.url, redis_db(f"redis://127.0.0.1:{port}", 8), tmp_path)
    try:
        svc = plane.services
        assert svc is not None and svc.metering is not None
        token = svc.metering.create_token(username="sara", role=Role.VIEWER, actor="test")
        took, answer = _ask(plane.url, token, "qual o nível da câmara?")
        assert answer.status_code == 200 and " m" in answer.json()["answer"]
        private_pg.freeze()  # PostgreSQL hung
        try:
            took, answer = _ask(plane.url, token, "qual o nível da câmara?")
            assert answer.status_code == 200 and took < 5.0, (took, answer.text)
            text = answer.json()["answer"]
            assert " m" in text and "PostgreSQL" in text  # the current value, and what is down
            took, answer = _ask(plane.url, token, "mostre o histórico do nível da câmara na última hora")
            assert answer.status_code == 200 and took < 5.0 and "PostgreSQL" in answer.json()["answer"]
        finally:
            private_pg.thaw()
        assert wait_for(
            lambda: _ask(plane.url, token, "qual o nível da câmara?")[1].status_code == 200, timeout_s=20
        )
        proxy.cut()  # Redis down
        redis_up = False
        took, answer = _ask(plane.url, token, "qual o nível da câmara?")
        assert answer.status_code == 200 and took < 5.0, (took, answer.text)
        assert "Redis" in answer.json()["answer"]
        took, answer = _ask(plane.url, token, "mostre o histórico do nível da câmara na última hora")
        assert answer.status_code == 200 and took < 5.0
    finally:
        if not redis_up:
            proxy.start()
        plane.stop()
        proxy.cut()


def test_cli_ask_with_postgres_stopped_answers(pg_url: str, redis_base_url: str, tmp_path: Path) -> None:
    """`lockpilot ask` with PostgreSQL stopped: an answer naming it, never a traceback."""
    plane = web_stack(pg_url, redis_db(redis_base_url, 7), tmp_path)
    try:
        env = cli_env(plane)
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
        started = time.monotonic()
        done = lockpilot("ask", "qual o nível da câmara?", env=env)
        took = time.monotonic() - started
    finally:
        plane.stop()
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "OperationalError" not in done.stdout + done.stderr
    assert "PostgreSQL" in done.stdout and " m" in done.stdout
    assert took < 60
