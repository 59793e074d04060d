"""The PLC parameter block (`plants/<plant>/parameters.yaml`) as a read-only mapping of floats."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import yaml

from lockpilot.errors import PlantDataError
from lockpilot.plant import Plant

Params = Mapping[str, float]


def load_parameters(plant: Plant, *, overrides: Mapping[str, float] | None = None) -> Params:
    """Read the plant's parameter block and apply `overrides` (unknown override keys are refused)."""
    path = plant.root / "parameters.yaml"
    tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raw = tree.get("parameters")
    if not isinstance(raw, dict):
        raise PlantDataError("expected a top-level mapping 'parameters:'", file=path)
    values = {str(k): float(v) for k, v in raw.items()}
    for key, value in (overrides or {}).items():
        if key not in values:
            raise PlantDataError(f"unknown parameter '{key}'", file=path)
        values[key] = float(value)
    return MappingProxyType(values)


def chamber_area_m2(params: Params) -> float:
    """Plan area of the chamber."""
    return params["camara_comprimento_m"] * params["camara_largura_m"]


def upstream_low_level_m(params: Params, *, range_m: tuple[float, float] = (10.0, 15.0)) -> float:
    """Upstream level below which the plant team's cavitation logic arms (% of the transmitter range)."""
    lo, hi = range_m
    return lo + (hi - lo) * params["cavitacao_nivel_montante_pct"] / 100.0
