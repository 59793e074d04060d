"""How long the lock's slow movements take: equalising the chamber and stroking a gate, from live values.

Filling and emptying run through culvert valves: once the PLC's ramp stops limiting it, the flow is orifice
flow, so the level approaches its target as the square root of the head left (dh/dt = -k sqrt(h)), and the
time left is 2 h / |dh/dt| measured now. While the ramp limits the rate near its maximum, time left is the
head over that rate plus the orifice tail. Estimates say so; nothing here is a promise.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

RAMP_LIMITED = 0.9  # a measured rate within 90 % of the plant's maximum is the PLC ramp, not orifice flow
AVERAGE_OF_MAX = 0.7  # a whole fill or empty averages about 70 % of the maximum rate (twin: 8 m in ~9.5 min)
MIN_RATE_M_MIN = 0.01  # slower than this the level is not moving: no estimate


class Basis(StrEnum):
    """What an estimate rests on."""

    MEASURED_RATE = "measured_rate"
    GATE_STROKE = "gate_stroke"
    PLANT_PARAMETERS = "plant_parameters"


def equalise_s(head_m: float, rate_m_min: float | None, params: Mapping[str, float]) -> tuple[float, Basis]:
    """Seconds until the chamber is within tolerance of its target level, and what the figure rests on."""
    tolerance = params.get("tolerancia_equalizacao_m", 0.10) / 2
    left = max(abs(head_m) - tolerance, 0.0)
    max_rate = params.get("taxa_enchimento_max_m_min", 1.2)
    if rate_m_min is None or abs(rate_m_min) < MIN_RATE_M_MIN:
        return left / (AVERAGE_OF_MAX * max_rate) * 60.0, Basis.PLANT_PARAMETERS
    rate = abs(rate_m_min)
    if rate >= RAMP_LIMITED * max_rate:
        return (left / rate + 0.5) * 60.0, Basis.MEASURED_RATE  # ramp-limited, then a short orifice tail
    return 2.0 * left / rate * 60.0, Basis.MEASURED_RATE


def gate_stroke_s(position_pct: float | None, *, opening: bool, params: Mapping[str, float]) -> float:
    """Seconds a gate needs to finish opening (or closing) from its position, at full stroke speed."""
    stroke_s = params.get("comporta_tempo_curso_s", 90.0)
    if position_pct is None:
        return stroke_s
    left = (100.0 - position_pct) if opening else position_pct
    return max(left, 0.0) / 100.0 * stroke_s


def sequence_estimate_s(
    sequence_id: str, values: Mapping[str, float | None], params: Mapping[str, float]
) -> float | None:
    """Seconds a whole sequence would take from the values now (None when it cannot be said)."""
    settle_s = params.get("estabilizacao_s", 30.0)
    upstream, chamber, downstream = (
        values.get("nivel_reservatorio_montante"),
        values.get("nivel_camara"),
        values.get("nivel_jusante"),
    )
    if sequence_id == "enchimento" and upstream is not None and chamber is not None:
        return equalise_s(upstream - chamber, None, params)[0] + settle_s
    if sequence_id == "esvaziamento" and downstream is not None and chamber is not None:
        return equalise_s(chamber - downstream, None, params)[0] + settle_s
    if sequence_id in ("abertura_comporta_montante", "abertura_comporta_jusante", "fechamento_comportas"):
        return params.get("comporta_tempo_curso_s", 90.0)
    return None
