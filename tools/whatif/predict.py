"""What-if: copy the plant's state into a sandbox twin, apply a hypothetical action, report the course.

The sandbox is a separate LockTwin: `twin.copy()` when the twin runs in this process, else rebuilt from the
current store's values. Nothing here writes to the real plant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample, Value
from rules.alarms import AlarmKind
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.lifecycle import EventKind
from tools.whatif.action import Action
from twin import LockTwin
from twin.equipment import Motion, Side, ValveId
from twin.scenario import apply_step

COURSE_TAGS = (
    "nivel_camara_2",
    "nivel_reservatorio_montante",
    "nivel_jusante",
    "vazao_enchimento",
    "vazao_esvaziamento",
    "taxa_variacao_nivel_camara",
    "pressao_sistema",
    "pressao_succao",
)
SAMPLE_S = 1.0
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def sandbox_from_values(plant: Plant, values: Mapping[str, Value], *, seed: int = 0) -> LockTwin:
    """A twin in the state the values describe: pools, chamber, valves, gates, pump, pressure, oil."""
    level = (float(values["nivel_camara"]) + float(values.get("nivel_camara_2", values["nivel_camara"]))) / 2
    twin = LockTwin(plant, seed=seed, chamber_m=level)
    phys, mem = twin.physics, twin.plc.mem
    phys.water.upstream_m = float(values["nivel_reservatorio_montante"])
    phys.water.downstream_m = float(values["nivel_jusante"])
    for vid, valve in phys.valves.items():
        pos = float(values[f"posicao_valvula_{vid.value}"])
        valve.ramp.position_pct = valve.ramp.target_pct = mem.drives.valve_target_pct[vid] = pos
    for side, gate in phys.gates.items():
        gate.left.position_pct = float(values[f"posicao_folha_{side.value}_esquerda"])
        gate.right.position_pct = float(values[f"posicao_folha_{side.value}_direita"])
        mem.drives.gate_motion[side] = Motion.STOP
    running = bool(values["bomba_principal_status"])
    phys.pump.running = mem.drives.pump_run = running
    phys.pump.speed_pct = float(values["velocidade_bomba"]) if running else 0.0
    phys.header.system_bar = phys.header.accumulator_bar = float(values["pressao_sistema"])
    phys.oil.temp_c = float(values["temperatura_oleo_hpu"])
    return twin


@dataclass
class Course:
    """A run of the sandbox: sampled values and the rule alarms raised (id -> first activation, s)."""

    times_s: list[float] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=lambda: {t: [] for t in COURSE_TAGS})
    alarms: dict[str, float] = field(default_factory=dict)


def run_course(
    twin: LockTwin, bundle: PlantBundle, *, seconds: float, action: Action | None = None
) -> Course:
    """Apply `action` (if any) now, run `seconds`, sample the course and evaluate the rules on it."""
    engine, course, start = RulesEngine.for_bundle(bundle, anomalies=False), Course(), twin.sim_time_s
    for step in action.steps if action else ():
        apply_step(twin, step)
    t = 0.0
    while t <= seconds + 1e-9:
        values = twin.values()
        when = T0 + timedelta(seconds=t)
        for event in engine.evaluate(
            [Sample(k, when, v, Quality.GOOD, "sandbox") for k, v in values.items()], when
        ):
            rule_alarm = engine.catalog.get(event.alarm_id).kind is AlarmKind.RULE
            if event.kind is EventKind.ACTIVATED and rule_alarm:
                course.alarms.setdefault(event.alarm_id, round(t, 3))
        course.times_s.append(round(t, 3))
        for tag in COURSE_TAGS:
            course.series[tag].append(float(values[tag]))
        twin.step(SAMPLE_S)
        t = twin.sim_time_s - start
    return course


def figures(course: Course, params: Mapping[str, float], *, valve: ValveId | None = None) -> dict[str, Any]:
    """Key numbers of a course: rates, flows, pressures and the time the levels equalise."""
    s, tol = course.series, params["tolerancia_equalizacao_m"]
    side = valve.side if valve is not None else None
    pool = s["nivel_jusante"] if side is Side.DOWNSTREAM else s["nivel_reservatorio_montante"]
    head = [abs(p - c) for p, c in zip(pool, s["nivel_camara_2"], strict=True)]
    level_t = next((t for t, h in zip(course.times_s, head, strict=True) if h <= tol), None)
    rates: list[float] = [float(r) for r in s["taxa_variacao_nivel_camara"]]
    peak_rate = max(rates, key=abs)
    return {
        "peak_rate_m_min": round(peak_rate, 3),
        "peak_fill_m3_s": round(max(s["vazao_enchimento"]), 2),
        "peak_empty_m3_s": round(max(s["vazao_esvaziamento"]), 2),
        "min_system_bar": round(min(s["pressao_sistema"]), 2),
        "max_system_bar": round(max(s["pressao_sistema"]), 2),
        "time_to_level_s": level_t,
        "final_chamber_m": round(s["nivel_camara_2"][-1], 3),
        "initial_head_m": round(head[0], 3),
    }


def chart(course: Course, title: str) -> dict[str, Any]:
    """A Plotly figure spec: levels on the left axis, flows on the right."""
    minutes = [round(t / 60.0, 3) for t in course.times_s]
    every = max(1, len(minutes) // 300)
    lines = [
        ("nivel_camara_2", "y"),
        ("nivel_reservatorio_montante", "y"),
        ("nivel_jusante", "y"),
        ("vazao_enchimento", "y2"),
        ("vazao_esvaziamento", "y2"),
    ]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": tag,
            "x": minutes[::every],
            "y": [round(v, 3) for v in course.series[tag][::every]],
            "yaxis": axis,
        }
        for tag, axis in lines
    ]
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": "min"}},
        "yaxis": {"title": {"text": "m"}},
        "yaxis2": {"title": {"text": "m³/s"}, "overlaying": "y", "side": "right"},
    }
    return {"data": data, "layout": layout}


def predict(sandbox: LockTwin, bundle: PlantBundle, action: Action, *, minutes: float) -> dict[str, Any]:
    """The predicted course with and without the action; alarms are those the action adds."""
    seconds = minutes * 60.0
    baseline = run_course(sandbox.copy(), bundle, seconds=seconds)
    course = run_course(sandbox, bundle, seconds=seconds, action=action)
    added = {a: t for a, t in course.alarms.items() if a not in baseline.alarms}
    return {
        "action": action.label,
        "minutes": minutes,
        "figures": figures(course, sandbox.params, valve=action.valve),
        "baseline": figures(baseline, sandbox.params, valve=action.valve),
        "alarms": [{"id": a, "after_s": t} for a, t in sorted(added.items(), key=lambda kv: kv[1])],
        "chart": chart(course, action.label),
    }
