"""`lockpilot bench fleet --sites N`: N simulated locks at 2 Hz through a broker into the central, against
a bare subscriber of the same run: samples/s produced and stored, end-to-end latency, CPU per site."""

from __future__ import annotations

import multiprocessing as mp
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg
import redis
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.fleet_sim import SiteJob, run_bare, run_sites
from fleet.central.host import FleetHost
from fleet.settings import MqttSettings
from lockpilot.net import free_port, wait_for_port
from lockpilot.plant import load_plant
from storage.keys import FleetKeys
from storage.migrate import migrate


@dataclass(frozen=True, slots=True)
class FleetBenchResult:
    sites: int
    seconds: float
    generated: int  # samples the simulated PLCs gave their sites
    produced: int  # changes beyond the deadband the sites published (what the central should store)
    stored: int  # rows in the central's fleet_history
    bare_metrics: int  # DDATA metrics a bare subscriber received in the same run
    latency_p50_s: float
    latency_p95_s: float
    cpu_per_site_pct: float  # of one core
    central_cpu_pct: float

    @property
    def kept_up(self) -> bool:
        return self.stored >= 0.99 * self.produced and self.latency_p95_s <= 1.0


def _private_broker(directory: Path) -> tuple[Any, str]:
    import shutil
    import subprocess

    port = free_port()
    conf = directory / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n"
    )
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port("127.0.0.1", port, timeout_s=10)
    return proc, f"mqtt://127.0.0.1:{port}"


def _start_workers(jobs: list[SiteJob], bare: tuple[str, str, float]) -> list[tuple[Any, Any]]:
    ctx = mp.get_context("spawn")
    workers = []
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=run_bare, args=(*bare, child), daemon=True)
    proc.start()
    workers.append((proc, parent))
    for job in jobs:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=run_sites, args=(job, child), daemon=True)
        proc.start()
        workers.append((proc, parent))
    for _, pipe in workers:
        pipe.recv()  # ready
    return workers


def _measure(
    host: FleetHost, database_url: str, workers: list[tuple[Any, Any]], seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    host.commit_observers.append(lambda rows: latencies.extend(time.time() - r[0].timestamp() for r in rows))
    me = psutil.Process()
    cpu0 = me.cpu_times()
    for _, pipe in workers:
        pipe.send("go")
    reports = [pipe.recv() for _, pipe in workers]
    cpu1 = me.cpu_times()
    produced = sum(r.get("produced", 0) for r in reports)
    with psycopg.connect(database_url) as conn:
        deadline = time.monotonic() + 30
        while True:
            stored = conn.execute("SELECT count(*) FROM fleet_history").fetchone()[0]  # type: ignore[index]
            if stored >= produced or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 20 else [float("nan")] * 19
    return {
        "generated": sum(r.get("samples", 0) for r in reports),
        "produced": produced,
        "stored": int(stored),
        "bare": sum(r.get("metrics", 0) for r in reports),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": q[18],
        "site_cpu_s": sum(r.get("cpu_s", 0.0) for r in reports),
        "central_cpu_s": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
    }


def run_fleet_bench(
    database_url: str, redis_url: str, *, sites: int, seconds: float, site_procs: int, broker_url: str | None
) -> FleetBenchResult:
    """Run the bench in a scratch database and a group of its own; return its figures."""
    scratch = f"lockpilot_fleet_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    url = make_conninfo("", **{**conninfo_to_dict(database_url), "dbname": scratch})
    group = f"bench-{uuid.uuid4().hex[:6]}"
    broker = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            migrate(url)
            if broker_url is None:
                broker, broker_url = _private_broker(Path(tmp))
            settings = MqttSettings(
                mqtt_url=broker_url, sparkplug_group=group, sparkplug_host_id=f"central-{group}"
            )
            plant = load_plant("lock")
            host = FleetHost(
                settings, plant, database_url=url, redis_url=redis_url, data_dir=Path(tmp) / "central"
            )
            host.start()
            nodes = [f"eclusa-{i + 1}" for i in range(sites)]
            procs = max(1, min(site_procs, sites))
            jobs = [
                SiteJob(tuple(nodes[i::procs]), broker_url, group, settings.sparkplug_host_id, tmp, seconds)
                for i in range(procs)
            ]
            workers = _start_workers(jobs, (broker_url, group, seconds))
            try:
                m = _measure(host, url, workers, seconds)
            finally:
                for proc, _ in workers:
                    proc.join(30)
                host.stop()
        finally:
            if broker is not None:
                broker.terminate()
                broker.wait(10)
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"{FleetKeys(group).base}*"):
                client.delete(key)
    return FleetBenchResult(
        sites=sites,
        seconds=seconds,
        generated=m["generated"],
        produced=m["produced"],
        stored=m["stored"],
        bare_metrics=m["bare"],
        latency_p50_s=m["p50"],
        latency_p95_s=m["p95"],
        cpu_per_site_pct=100 * m["site_cpu_s"] / (sites * seconds),
        central_cpu_pct=100 * m["central_cpu_s"] / seconds,
    )
