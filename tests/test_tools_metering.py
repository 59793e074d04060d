"""The metering tools over history stored in real PostgreSQL: energy per lock cycle, power per equipment, and
the offline planner's answer to "quanto de energia gastou o último ciclo?"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from agent.planner.answer import write_answer
from agent.planner.steps import next_calls
from agent.planner.understand import understand
from lockpilot.clock import ManualClock
from lockpilot.language import Language
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.bundle import PlantBundle
from storage.history_writer import to_rows
from storage.ingest import copy_rows
from storage.migrate import migrate
from storage.partitions import day_of, ensure_partitions
from tools.adapters import CurrentSequences, PgHistory
from tools.context import ToolContext
from tools.metering import energy_per_lock_cycle, power_by_equipment
from tools.registry import ToolName

T0 = datetime(2025, 3, 1, 8, tzinfo=UTC)


def _samples() -> list[Sample]:
    """A filling (10 min) then an emptying (5 min): sequence code, energy counter (kWh) and power (kW)."""
    out = []
    for s in range(0, 1201, 10):
        code = 1 if s < 600 else 0 if s < 700 else 2 if s < 1000 else 0
        out += [
            Sample("sequencia_ativa", T0 + timedelta(seconds=s), code, Quality.GOOD, "test"),
            Sample("energia_ativa_total", T0 + timedelta(seconds=s), 100.0 + s / 60, Quality.GOOD, "test"),
            Sample("potencia_ativa_total", T0 + timedelta(seconds=s), 60.0, Quality.GOOD, "test"),
            Sample("potencia_bomba", T0 + timedelta(seconds=s), 40.0 + (s >= 1200), Quality.GOOD, "test"),
        ]
    return out


@pytest.fixture(scope="module")
def ctx(bundle: PlantBundle, pg_url: str) -> Iterator[ToolContext]:
    migrate(pg_url)
    with psycopg.connect(pg_url) as conn:
        ensure_partitions(conn, {day_of(T0)})
        with conn.cursor() as cur:
            copy_rows(cur, to_rows(_samples()))
        conn.commit()
    clock = ManualClock(T0 + timedelta(minutes=30))
    history = PgHistory(pg_url)
    try:
        yield ToolContext(
            bundle=bundle,
            clock=clock,
            current=dict.fromkeys,
            history=history,
            sequences=CurrentSequences(bundle, dict.fromkeys, clock),
        )
    finally:
        history.close()


def test_energy_per_lock_cycle_from_the_counter(ctx: ToolContext) -> None:
    result = energy_per_lock_cycle(ctx, window_s=3600)
    assert [(c.kind.value, c.duration_s, c.energy_kwh, c.method) for c in result.cycles] == [
        ("enchimento", 600.0, 10.0, "counter"),
        ("esvaziamento", 300.0, 5.0, "counter"),
    ]
    assert {"kind": "sequence", "id": "esvaziamento"} in result.model_dump(mode="json")["citations"]


def test_power_by_equipment(ctx: ToolContext) -> None:
    result = power_by_equipment(ctx, window_s=3600)
    by_id = {p.equipment: p for p in result.equipment}
    assert by_id["eclusa"].mean_kw == 60.0 and by_id["bomba_principal"].last_kw == 41.0
    assert by_id["bomba_principal"].samples == 121


def test_planner_answers_the_last_cycles_energy(bundle: PlantBundle, ctx: ToolContext, plant: Plant) -> None:
    question = understand("quanto de energia gastou o último ciclo?", ctx)
    calls = next_calls(question, [])
    assert calls == [(ToolName.ENERGY_PER_CYCLE, {"window_s": 7200.0})]
    result = energy_per_lock_cycle(ctx, **calls[0][1]).model_dump(mode="json")
    answer = write_answer([(ToolName.ENERGY_PER_CYCLE.value, result)], Language.PT)
    assert answer.startswith("Último ciclo: esvaziamento") and "5 kWh (medidor de energia)" in answer
