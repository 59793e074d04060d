"""Persistence against real PostgreSQL and Redis: live runner writes, replay gives the same events,
operator actions from another process, KPIs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import redis

from lockpilot.clock import ManualClock
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.kpi import Activation, kpi_report
from rules.lifecycle import AlarmState
from rules.runner import RulesRunner
from rules.store import PgAlarmWriter, RedisAlarmWriter, alarm_rows, operator_action, replay, sync_definitions
from storage.history_writer import to_rows
from storage.ingest import copy_rows
from storage.keys import RedisKeys
from storage.migrate import migrate
from storage.partitions import day_of, ensure_partitions
from tests.conftest import wait_for
from twin import Fault, LockTwin

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _series(plant: Plant) -> list[list[Sample]]:
    twin = LockTwin(plant, seed=9)
    batches = []
    for i in range(160):
        if i == 20:
            twin.inject(Fault.MOTOR_OVERCURRENT)
        twin.step(0.5)
        when = T0 + timedelta(seconds=twin.sim_time_s)
        batches.append([Sample(k, when, v, Quality.GOOD, "twin") for k, v in twin.values().items()])
    return batches


def test_live_writes_replay_matches_and_operator_actions(
    bundle: PlantBundle, plant: Plant, pg_url: str, redis_url: str
) -> None:
    migrate(pg_url)
    engine = RulesEngine.for_bundle(bundle)
    with psycopg.connect(pg_url) as conn:
        sync_definitions(conn, engine.rules, load_seqs(plant))
        assert conn.execute("SELECT count(*) FROM fault_rules").fetchone()[0] == len(engine.rules.rules)
    batches = _series(plant)
    clock = ManualClock(T0)
    runner = RulesRunner(
        engine, clock=clock, writers=[PgAlarmWriter(pg_url), RedisAlarmWriter(redis_url, "lock")]
    )
    live = []
    runner.listeners.append(live.extend)
    runner.start()
    for batch in batches:
        clock.set(batch[0].time)
        runner.publish(batch)
        assert wait_for(lambda: runner._inbox.empty(), timeout_s=10.0)
    runner.stop()
    assert any(e.alarm_id == "sobrecorrente_motor_bomba" for e in live)
    with psycopg.connect(pg_url) as conn:
        ensure_partitions(conn, {day_of(T0)})
        with conn.cursor() as cur:
            copy_rows(cur, to_rows([s for b in batches for s in b]))
        conn.commit()
        stored = conn.execute("SELECT count(*) FROM events_log WHERE event_type = 'alarm'").fetchone()[0]
        assert stored == len(live)
    replayed = replay(pg_url, RulesEngine.for_bundle(bundle), start=T0, end=T0 + timedelta(hours=1))
    assert [(e.alarm_id, e.kind, e.time, e.first_out) for e in replayed] == [
        (e.alarm_id, e.kind, e.time, e.first_out) for e in live
    ]
    states = redis.Redis.from_url(redis_url).hgetall(RedisKeys("lock").alarms)
    last = [e for e in live if e.alarm_id == "sobrecorrente_motor_bomba"][-1]
    assert json.loads(states[b"sobrecorrente_motor_bomba"])["state"] == last.to_state.value
    event = operator_action(
        pg_url,
        engine.catalog,
        "sobrecorrente_motor_bomba",
        "ack",
        now=T0 + timedelta(hours=1),
        user="ana",
        comment="bomba verificada",
    )
    assert event.user == "ana" and event.to_state in (AlarmState.ACKNOWLEDGED, AlarmState.NORMAL)
    event = operator_action(
        pg_url,
        engine.catalog,
        "sobrecorrente_motor_bomba",
        "shelve",
        now=T0 + timedelta(hours=1),
        for_s=1800,
        user="ana",
        comment="manutenção",
    )
    assert event.to_state is AlarmState.SHELVED
    with psycopg.connect(pg_url) as conn:
        rows = {r["alarm_id"]: r for r in alarm_rows(conn, active_only=True)}
        assert rows["sobrecorrente_motor_bomba"]["state"] == "shelved"
        users = conn.execute(
            "SELECT context->>'user' FROM events_log WHERE context->>'alarm_id' = "
            "'sobrecorrente_motor_bomba' ORDER BY id"
        ).fetchall()
        assert [u for (u,) in users][-2:] == ["ana", "ana"]


def load_seqs(plant: Plant):  # type: ignore[no-untyped-def]
    from rules.loader import load_sequences

    return load_sequences(plant)


def test_kpi_report_figures() -> None:
    start = T0
    acts = [Activation(T0 + timedelta(seconds=5 * i), "emergencia_acionada", "critical") for i in range(12)]
    acts += [Activation(T0 + timedelta(minutes=30), "vento", "low")]
    report = kpi_report(
        acts, {"vento": T0 - timedelta(hours=30)}, start=start, end=start + timedelta(hours=1)
    )
    doc = report.as_dict()
    assert doc["activations"] == 13 and doc["peak_per_10min"] == 12
    assert doc["flood_periods_pct"] == round(100 / 6, 2)
    assert doc["top10_bad_actors"][0] == {"alarm_id": "emergencia_acionada", "count": 12}
    assert doc["chattering"] == ["emergencia_acionada"] and doc["stale_over_24h"] == ["vento"]
    assert doc["priority_mix_pct"]["critical"] == round(1200 / 13, 1)


def test_runner_restores_and_mirrors_cli_actions(
    bundle: PlantBundle, plant: Plant, pg_url: str, redis_url: str
) -> None:
    from rules.store import RedisActionSource, restore_engine

    migrate(pg_url)
    engine = RulesEngine.for_bundle(bundle, anomalies=False)
    engine.book.lifecycle.activate(engine.alarm("emergencia_acionada"), T0, {})
    with psycopg.connect(pg_url) as conn, conn.transaction():
        from rules.store import write_to_pg

        write_to_pg(conn, engine.book.take_events(), [engine.alarm("emergencia_acionada")])
    live = RulesEngine.for_bundle(bundle, anomalies=False)
    assert restore_engine(live, pg_url) >= 1
    assert live.alarm("emergencia_acionada").state is AlarmState.UNACKNOWLEDGED
    operator_action(
        pg_url,
        live.catalog,
        "emergencia_acionada",
        "ack",
        now=T0 + timedelta(seconds=5),
        redis_url=redis_url,
        plant="lock",
        user="rui",
        comment="ok",
    )
    runner = RulesRunner(
        live, clock=ManualClock(T0), actions=RedisActionSource(redis_url, "lock"), tick_s=0.05
    )
    runner.start()
    assert wait_for(
        lambda: live.alarm("emergencia_acionada").state is AlarmState.ACKNOWLEDGED, timeout_s=10.0
    )
    runner.stop()
    assert live.alarm("emergencia_acionada").acked_by == "rui"
