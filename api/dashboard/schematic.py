"""The lock as inline SVG: pools, chamber, gates, culvert valves, pump and HPU, each bound to a tag by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from lockpilot.formatting import fixed

TOP_M, FLOOR_Y, TOP_Y = 16.0, 360.0, 60.0  # elevation scale: 0 m at FLOOR_Y, TOP_M at TOP_Y


@dataclass(frozen=True, slots=True)
class Basin:
    tag: str
    label: str
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Valve:
    tag: str
    label: str
    x: float
    y: float


BASINS = (
    Basin("nivel_reservatorio_montante", "Montante", 20, 290),
    Basin("nivel_camara", "Câmara", 340, 320),
    Basin("nivel_jusante", "Jusante", 690, 290),
)
GATES = (
    ("posicao_comporta_montante", "Comporta montante", 316),
    ("posicao_comporta_jusante", "Comporta jusante", 666),
)
VALVE_Y = 420
VALVES = (
    Valve("posicao_valvula_enchimento_1", "Ench. 1", 230, VALVE_Y),
    Valve("posicao_valvula_enchimento_2", "Ench. 2", 280, VALVE_Y),
    Valve("posicao_valvula_esvaziamento_1", "Esv. 1", 720, VALVE_Y),
    Valve("posicao_valvula_esvaziamento_2", "Esv. 2", 770, VALVE_Y),
)
READOUTS = (  # tag, short label; two columns beside the pump, inside the 1000-wide view box
    ("pressao_sistema", "Pressão sistema"),
    ("pressao_succao", "Pressão sucção"),
    ("velocidade_bomba", "Rotação bomba"),
    ("vibracao_bomba", "Vibração bomba"),
    ("temperatura_oleo_hpu", "Temp. óleo HPU"),
    ("posicao_valvula_bypass", "Válvula by-pass"),
    ("posicao_valvula_alivio", "Válvula alívio"),
)
# which drawn element stands for an alarm's equipment (rules.yaml `equipment`), to draw it in alarm colour
EQUIPMENT_ELEMENT = {
    "bomba_principal": "pump",
    "unidade_hidraulica": "pump",
    "valvula_alivio": "pump",
    "valvula_bypass": "pump",
    "ventilador_resfriador_oleo": "pump",
    "comporta_montante": "gate-posicao_comporta_montante",
    "comporta_jusante": "gate-posicao_comporta_jusante",
    "valvula_enchimento_1": "valve-posicao_valvula_enchimento_1",
    "valvula_enchimento_2": "valve-posicao_valvula_enchimento_2",
    "valvula_esvaziamento_1": "valve-posicao_valvula_esvaziamento_1",
    "valvula_esvaziamento_2": "valve-posicao_valvula_esvaziamento_2",
    "camara": "water-nivel_camara",
}
STATUS_TAGS = ("bomba_principal_status", "embarcacao_na_camara", "modo_remoto")
SCHEMATIC_TAGS = (
    *(b.tag for b in BASINS),
    *(g[0] for g in GATES),
    *(v.tag for v in VALVES),
    *(tag for tag, _ in READOUTS),
    *STATUS_TAGS,
)


def level_y(level_m: float | None) -> float:
    """The y of a water surface at `level_m` metres."""
    if level_m is None:
        return FLOOR_Y
    clamped = max(0.0, min(TOP_M, float(level_m)))
    return FLOOR_Y - clamped / TOP_M * (FLOOR_Y - TOP_Y)


def fmt(value: Any, unit: str = "") -> str:
    """A value as the schematic prints it: one decimal with a comma (two for levels), unit, or a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "sim" if value else "não"
    return f"{fixed(float(value), decimals=2 if unit == 'm' else 1)} {unit}".strip()


def _basin(b: Basin, values: Mapping[str, Any]) -> str:
    y = level_y(values.get(b.tag))
    return (
        f'<rect class="basin-wall" x="{b.x}" y="{TOP_Y}" width="{b.width}" height="{FLOOR_Y - TOP_Y}"/>'
        f'<rect class="water" id="water-{b.tag}" data-tag="{b.tag}" x="{b.x}" y="{y:.1f}" width="{b.width}" '
        f'height="{FLOOR_Y - y:.1f}"/>'
        f'<text class="label" x="{b.x + b.width / 2}" y="{TOP_Y - 28}">{escape(b.label)}</text>'
        f'<text class="value" id="value-{b.tag}" x="{b.x + b.width / 2}" y="{TOP_Y - 6}">'
        f"{fmt(values.get(b.tag), 'm')}</text>"
    )


def _gate(tag: str, label: str, x: float, values: Mapping[str, Any]) -> str:
    opening = float(values.get(tag) or 0.0)
    height = (FLOOR_Y - TOP_Y) * (1 - max(0.0, min(100.0, opening)) / 100)
    return (
        f'<rect class="gate" id="gate-{tag}" data-tag="{tag}" x="{x}" y="{TOP_Y}" width="20" '
        f'height="{height:.1f}"/>'
        f'<text class="small" x="{x + 10}" y="{FLOOR_Y + 20}">{escape(label)}</text>'
        f'<text class="value small" id="value-{tag}" x="{x + 10}" y="{FLOOR_Y + 38}">'
        f"{fmt(values.get(tag), '%')}</text>"
    )


def _valve(v: Valve, values: Mapping[str, Any], second: bool) -> str:
    """A culvert valve; the second of a pair writes its labels lower so neighbours never overlap."""
    opening = values.get(v.tag)
    state = "open" if (opening or 0) > 5 else "closed"
    dy = 40 if second else 0
    return (
        f'<circle class="valve {state}" id="valve-{v.tag}" data-tag="{v.tag}" cx="{v.x}" cy="{v.y}" r="11"/>'
        f'<text class="small" x="{v.x}" y="{v.y + 30 + dy}">{escape(v.label)}</text>'
        f'<text class="value small" id="value-{v.tag}" x="{v.x}" y="{v.y + 48 + dy}">'
        f"{fmt(opening, '%')}</text>"
    )


def _pump(values: Mapping[str, Any], units: Mapping[str, str]) -> str:
    running = bool(values.get("bomba_principal_status"))
    rows = "".join(  # four columns of readouts under the pump, each 250 wide
        f'<text class="readout" x="{20 + 250 * (i % 4)}" y="{600 + 24 * (i // 4)}">{escape(label)}: '
        f'<tspan id="value-{tag}">{fmt(values.get(tag), units.get(tag, ""))}</tspan></text>'
        for i, (tag, label) in enumerate(READOUTS)
    )
    return (
        f'<rect class="culvert" x="200" y="{VALVE_Y - 12}" width="600" height="24" rx="6"/>'
        f'<g id="pump" data-element="pump"><circle class="pump {"on" if running else "off"}" '
        f'id="status-bomba_principal_status" cx="500" cy="490" r="24"/>'
        f'<text class="label" x="500" y="540">Bomba principal / HPU</text></g>'
        f'<text class="small" x="500" y="560" id="value-bomba_principal_status">'
        f"{'ligada' if running else 'desligada'}</text>{rows}"
    )


def render_schematic(values: Mapping[str, Any], units: Mapping[str, str]) -> str:
    """The whole schematic with the given values (the page's script updates it live)."""
    parts = [_basin(b, values) for b in BASINS]
    parts += [_gate(tag, label, x, values) for tag, label, x in GATES]
    parts += [_valve(v, values, second=i % 2 == 1) for i, v in enumerate(VALVES)]
    parts.append(_pump(values, units))
    return (
        f'<svg id="schematic" viewBox="0 0 1000 640" role="img" aria-label="Esquemático da eclusa" '
        f'data-floor-y="{FLOOR_Y}" data-top-y="{TOP_Y}" data-top-m="{TOP_M}">{"".join(parts)}</svg>'
    )
