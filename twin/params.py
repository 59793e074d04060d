"""The twin's view of the PLC parameter block: the plant's parameters, with a scenario's overrides."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lockpilot.errors import PlantDataError
from lockpilot.plant import Plant

Params = Mapping[str, float]


def with_overrides(plant: Plant, overrides: Mapping[str, float] | None = None) -> Params:
    """The plant's parameter block with `overrides` applied (unknown override keys are refused)."""
    values = dict(plant.parameters)
    for key, value in (overrides or {}).items():
        if key not in values:
            raise PlantDataError(f"unknown parameter '{key}'", file=plant.root / "parameters.yaml")
        values[key] = float(value)
    return MappingProxyType(values)


def chamber_area_m2(params: Params) -> float:
    """Plan area of the chamber."""
    return params["camara_comprimento_m"] * params["camara_largura_m"]


def upstream_low_level_m(params: Params, *, range_m: tuple[float, float] = (10.0, 15.0)) -> float:
    """Upstream level below which the plant team's cavitation logic arms (% of the transmitter range)."""
    lo, hi = range_m
    return lo + (hi - lo) * params["cavitacao_nivel_montante_pct"] / 100.0
