"""Upstream pool, chamber and downstream pool: volumes integrated from orifice and river flows.

The chamber keeps its water volume as state and integrates the culvert flows with the same step used
to report them, so the chamber's volume change equals the integral of net culvert flow exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.params import Params, chamber_area_m2

G_M_S2 = 9.81
RIVER_FLOW_M3_S = 40.0  # steady river flow through the reach
WEIR_COEFF = 1.8 * 20.0  # spillway C * crest length (m^0.5/s * m)
REFILL_RATE_M_MIN = 0.2  # how fast the upstream operator restores the pool after a drawdown


def orifice_flow_m3_s(*, cd: float, area_m2: float, opening: float, head_m: float) -> float:
    """Q = Cd * A * opening * sqrt(2 g |dh|), signed by the head."""
    return math.copysign(cd * area_m2 * opening * math.sqrt(2.0 * G_M_S2 * abs(head_m)), head_m)


def weir_flow_m3_s(level_m: float, crest_m: float) -> float:
    """Free overflow above a crest (zero below it)."""
    depth = level_m - crest_m
    return WEIR_COEFF * depth**1.5 if depth > 0 else 0.0


def crest_for(level_m: float) -> float:
    """Crest height that passes the river flow at `level_m`."""
    return level_m - (RIVER_FLOW_M3_S / WEIR_COEFF) ** (2.0 / 3.0)


@dataclass(slots=True)
class Water:
    """Water state of the reach and the flows of the last step."""

    upstream_m: float
    chamber_m3: float
    downstream_m: float
    chamber_area_m2: float
    upstream_area_m2: float
    downstream_area_m2: float
    upstream_crest_m: float
    downstream_crest_m: float
    upstream_normal_m: float
    fill_m3_s: float = 0.0
    empty_m3_s: float = 0.0
    drawdown_m3_s: float = 0.0
    filled_m3: float = 0.0  # cumulative culvert volumes, for the mass balance
    emptied_m3: float = 0.0

    @classmethod
    def initial(cls, params: Params, *, chamber_m: float) -> Water:
        """Pools at their normal levels and the chamber at `chamber_m`."""
        area = chamber_area_m2(params)
        up, down = params["nivel_montante_normal_m"], params["nivel_jusante_normal_m"]
        return cls(
            upstream_m=up,
            chamber_m3=chamber_m * area,
            downstream_m=down,
            chamber_area_m2=area,
            upstream_area_m2=params["reservatorio_montante_area_m2"],
            downstream_area_m2=params["reservatorio_jusante_area_m2"],
            upstream_crest_m=crest_for(up),
            downstream_crest_m=crest_for(down),
            upstream_normal_m=up,
        )

    @property
    def chamber_m(self) -> float:
        """Chamber level above its floor."""
        return self.chamber_m3 / self.chamber_area_m2

    def step(
        self,
        dt_s: float,
        *,
        fill_opening: float,
        empty_opening: float,
        cd: float,
        area_m2: float,
        drawdown_to_m: float | None = None,
        drawdown_rate_m_min: float = 0.0,
    ) -> None:
        """Advance by `dt_s`; openings are the sums of the two valves' fractions (0..2)."""
        chamber = self.chamber_m
        self.fill_m3_s = orifice_flow_m3_s(
            cd=cd, area_m2=area_m2, opening=fill_opening, head_m=self.upstream_m - chamber
        )
        self.empty_m3_s = orifice_flow_m3_s(
            cd=cd, area_m2=area_m2, opening=empty_opening, head_m=chamber - self.downstream_m
        )
        self.drawdown_m3_s = self._drawdown(drawdown_to_m, drawdown_rate_m_min)
        self.chamber_m3 += (self.fill_m3_s - self.empty_m3_s) * dt_s
        self.filled_m3 += self.fill_m3_s * dt_s
        self.emptied_m3 += self.empty_m3_s * dt_s
        up_in = RIVER_FLOW_M3_S + self._refill()
        up_out = weir_flow_m3_s(self.upstream_m, self.upstream_crest_m) + self.drawdown_m3_s + self.fill_m3_s
        self.upstream_m += (up_in - up_out) * dt_s / self.upstream_area_m2
        down_in = weir_flow_m3_s(self.upstream_m, self.upstream_crest_m) + self.empty_m3_s
        down_out = weir_flow_m3_s(self.downstream_m, self.downstream_crest_m)
        self.downstream_m += (down_in - down_out) * dt_s / self.downstream_area_m2

    def _drawdown(self, target_m: float | None, rate_m_min: float) -> float:
        """Outflow of an abnormal withdrawal that draws the upstream pool down to `target_m`."""
        if target_m is None:
            return 0.0
        excess = min(1.0, max(0.0, (self.upstream_m - target_m) / 0.05))
        hold = RIVER_FLOW_M3_S - weir_flow_m3_s(self.upstream_m, self.upstream_crest_m)
        return max(0.0, hold) + excess * self.upstream_area_m2 * rate_m_min / 60.0

    def _refill(self) -> float:
        """Extra release from upstream that restores a drawn-down pool (none during a drawdown)."""
        if self.drawdown_m3_s > 0:
            return 0.0
        deficit = min(1.0, max(0.0, (self.upstream_normal_m - 0.02 - self.upstream_m) / 0.05))
        return deficit * self.upstream_area_m2 * REFILL_RATE_M_MIN / 60.0
