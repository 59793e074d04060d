"""History charts: steps for booleans and integers (a value holds until the next), lines for analogs."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from rules.bundle import load_bundle
from tools.history import HistoryPointOut, chart_spec

PLANT = load_bundle("lock").plant
POINTS = [HistoryPointOut(time=datetime(2026, 3, 1, 12, m, tzinfo=UTC), value=float(m % 2)) for m in range(4)]


@pytest.mark.parametrize(
    ("tag", "shape"),
    [("bomba_principal_status", "hv"), ("sequencia_ativa", "hv"), ("nivel_camara", "linear")],
)
def test_line_shape_follows_the_tag_type(tag: str, shape: str) -> None:
    ctx: Any = SimpleNamespace(plant=PLANT, timezone="America/Sao_Paulo")
    series = chart_spec(ctx, tag, POINTS)["data"][-1]
    assert series["line"]["shape"] == shape
