"""The data plane runs the meters: simulated peers fed by the twin, values in Redis and tag_history."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import psycopg
import pytest
import redis

from app.dataplane import DataPlane
from app.options import PlaneOptions, TwinOptions
from lockpilot.plant.meter_points import RegisterKind
from lockpilot.samples import Quality
from lockpilot.settings import Settings
from storage.current import CurrentValue, read_current
from tests.conftest import free_port, wait_for

PZEM_TAGS = ("medidor_bomba_potencia", "medidor_bomba_corrente")
FEEDER_TAG = "alimentador_potencia"
WATCHED = (*PZEM_TAGS, FEEDER_TAG)


def _ptys() -> set[str]:
    """Pseudo-terminal file descriptors this process holds."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/dev/pts/") or target == "/dev/ptmx":
            found.add(f"{fd}:{target}")
    return found


def _good_simulated(plane: DataPlane) -> dict[str, CurrentValue]:
    with redis.Redis.from_url(plane.redis_url) as client:
        values = read_current(client, plane.plant.name, WATCHED)
    return {
        tag: v
        for tag, v in values.items()
        if v is not None and v.quality is Quality.GOOD and v.source.startswith("sim:")
    }


def _history_sources(plane: DataPlane) -> dict[str, set[str]]:
    with psycopg.connect(plane.database_url) as conn:
        rows = conn.execute(
            "SELECT tag, source FROM tag_history WHERE tag = ANY(%s) AND value IS NOT NULL "
            "GROUP BY tag, source",
            (list(WATCHED),),
        ).fetchall()
    out: dict[str, set[str]] = {}
    for tag, source in rows:
        out.setdefault(tag, set()).add(source)
    return out


@pytest.fixture
def started(pg_url: str, redis_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    threads_before = {t.ident for t in threading.enumerate()}
    ptys_before = _ptys()
    settings = Settings(database_url=pg_url, redis_url=redis_url, data_dir=tmp_path, twin_port=free_port())
    options = PlaneOptions(twin=TwinOptions(speed=1.0, auto_cycle=True), index_knowledge=False)
    plane = DataPlane(settings, options)
    try:
        plane.start()
    except BaseException:
        plane.stop()
        raise
    yield plane, threads_before, ptys_before
    plane.stop()


def test_meters_run_in_the_data_plane_on_simulated_peers(started) -> None:  # type: ignore[no-untyped-def]
    plane, threads_before, ptys_before = started
    assert plane.meters is not None
    assert {c.device_id for c in plane.meters.collectors} == {
        "barramento_medidores",
        "analisador_alimentador",
        "tomada_iluminacao",
    }
    assert _ptys() - ptys_before, "the PZEM line runs over a pty relay"

    assert wait_for(lambda: len(_good_simulated(plane)) == len(WATCHED), timeout_s=15.0), _good_simulated(
        plane
    )
    values = _good_simulated(plane)
    assert values["medidor_bomba_potencia"].source == "sim:pzem@1"
    assert values["medidor_bomba_potencia"].unit == "W"
    assert values[FEEDER_TAG].source == "sim:modbus_tcp@analisador_alimentador"
    assert values[FEEDER_TAG].unit == "kW"
    assert all(float(v.value) >= 0.0 for v in values.values())  # type: ignore[arg-type]

    assert wait_for(lambda: set(_history_sources(plane)) == set(WATCHED), timeout_s=10.0)
    sources = _history_sources(plane)
    assert all(s.startswith("sim:") for tag_sources in sources.values() for s in tag_sources), sources
    assert wait_for(
        lambda: _measured_devices(plane) >= {"medidor_bomba", "analisador_alimentador"}, timeout_s=10
    )
    audit = (plane.settings.data_dir / "audit.log").read_text(encoding="utf-8")
    assert "medidor_bomba" in audit  # every reading is in the hash-chained audit trail

    plane.stop()
    assert plane.meters.collectors == []
    assert wait_for(lambda: _ptys() == ptys_before, timeout_s=5.0), _ptys() - ptys_before
    assert wait_for(
        lambda: not [t for t in threading.enumerate() if t.ident not in threads_before], timeout_s=10.0
    ), [t.name for t in threading.enumerate() if t.ident not in threads_before]


def _measured_devices(plane: DataPlane) -> set[str]:
    """Devices of the metering store that have measurements, labelled simulated."""
    with psycopg.connect(plane.database_url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT d.name FROM measurements m JOIN metering_devices d ON d.id = m.device_id "
            "WHERE m.source LIKE 'sim:%'"
        ).fetchall()
    return {r[0] for r in rows}


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list] = []

    def publish(self, batch) -> None:  # type: ignore[no-untyped-def]
        self.batches.append(list(batch))


def test_site_meters_start_as_configured(tmp_path: Path) -> None:
    """No twin: endpoints from meters.yaml, device ids as sources, inactive and keyless devices skipped."""
    from collectors.meters_runtime import build_meters
    from lockpilot.plant.meters import load_meters
    from twin.meters.tcp_peer import ModbusTcpPeer

    port = free_port()
    (tmp_path / "meters.yaml").write_text(
        f"""client: site
devices:
  - {{id: analisador, protocol: modbus_tcp, host: 127.0.0.1, port: {port}, period_s: 0.2,
     points: [{{tag: potencia, kind: input, address: 0, type: float32, unit: kW}}]}}
  - {{id: fora_de_servico, protocol: modbus_tcp, host: 127.0.0.1, port: {port}, active: false,
     points: [{{tag: outra, kind: input, address: 0}}]}}
  - {{id: linha, protocol: modbus_rtu, port: {tmp_path / "no-such-tty"}, period_s: 0.2,
     meters: [{{id: m1, address: 1, tags: {{power_w: m1_potencia}}}}]}}
  - {{id: tomada, protocol: tuya, tuya_id: abc, host: 127.0.0.1, local_key_env: LP_TOMADA_KEY,
     points: [{{key: "1", tag: tomada_ligada, boolean: true}}]}}
""",
        encoding="utf-8",
    )
    peer = ModbusTcpPeer(port)
    peer.start()
    peer.set_registers(RegisterKind.INPUT, 0, [0x4049, 0x0FDB])
    sink = ListSink()
    meters, _, _ = load_meters(tmp_path / "meters.yaml", set())
    parts = build_meters(meters, sink, env={})
    parts.start()
    try:
        assert sorted(parts.skipped) == ["fora_de_servico", "tomada"]
        assert {c.device_id for c in parts.collectors} == {"analisador", "linha"}

        def seen() -> dict[str, list]:
            out: dict[str, list] = {}
            for s in (s for b in sink.batches for s in b):
                out.setdefault(s.tag, []).append(s)
            return out

        assert wait_for(lambda: {"potencia", "m1_potencia"} <= set(seen()), timeout_s=5.0)
        first = seen()["potencia"][0]
        assert first.source == "analisador" and first.value == pytest.approx(3.14159, rel=1e-5)
        assert wait_for(lambda: len(seen()["potencia"]) >= 3, timeout_s=5.0)
        line = next(c for c in parts.collectors if c.device_id == "linha")
        assert wait_for(lambda: line.stats.failed_cycles >= 2, timeout_s=5.0)  # retried with backoff
        gaps = seen()["m1_potencia"]
        assert len(gaps) == 1 and gaps[0].quality is Quality.COMM_ERROR  # the outage marked once
    finally:
        parts.stop()
        peer.stop()
    assert parts.collectors == []
