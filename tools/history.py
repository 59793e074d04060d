"""History tool: raw or aggregated values over a window, statistics, and a Plotly chart specification."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from lockpilot.formatting import zone
from lockpilot.language import Language
from lockpilot.plant import DataType
from tools.context import ToolContext
from tools.live import active_alarms, limits_of
from tools.models import Citation, CitationKind, TagLimit, ToolResult

NICE_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
TARGET_POINTS = 120
MAX_RAW_POINTS = 2000


class HistoryMode(StrEnum):
    RAW = "raw"
    AGGREGATED = "aggregated"


class HistoryStats(BaseModel):
    count: int
    n_values: int
    min: float | None
    max: float | None
    mean: float | None
    last: float | None
    last_time: datetime | None
    good_share: float | None


class HistoryPointOut(BaseModel):
    time: datetime
    value: float | None
    min: float | None = None
    max: float | None = None


class HistoryResult(ToolResult):
    tag: str = ""
    description: str = ""  # the tag's description in Portuguese (the planner's sentences name it)
    description_en: str = ""
    unit: str = ""
    boolean: bool = False  # a bit: its history is when it changed, not a range
    start: datetime | None = None
    end: datetime | None = None
    window_s: float | None = None  # end - start: the window the answer names ("nos últimos 60 min")
    mode: HistoryMode = HistoryMode.AGGREGATED
    every_s: float | None = None
    stats: HistoryStats | None = None
    points: list[HistoryPointOut] = Field(default_factory=list)
    chart: dict[str, Any] = Field(default_factory=dict)
    limits: list[TagLimit] = Field(default_factory=list)  # the fault rules' limits, crossed by the last value


def bucket_for(window_s: float) -> float:
    """A round bucket giving about TARGET_POINTS points over the window."""
    wanted = window_s / TARGET_POINTS
    return float(next((s for s in NICE_STEPS_S if s >= wanted), NICE_STEPS_S[-1]))


def chart_spec(ctx: ToolContext, tag: str, points: list[HistoryPointOut]) -> dict[str, Any]:
    """A Plotly figure (data + layout) of the series, with the min/max band when aggregated."""
    meta = ctx.plant.tag(tag)
    zone_of = zone(ctx.timezone)
    times = [p.time.astimezone(zone_of).replace(tzinfo=None).isoformat() for p in points]
    aggregated = any(p.min is not None for p in points)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "média" if aggregated else meta.description.pt,
            "x": times,
            "y": [p.value for p in points],
            "line": {"shape": "linear" if meta.type is DataType.REAL else "hv"},  # a state holds: steps
        }
    ]
    if aggregated:
        data.insert(
            0,
            {
                "type": "scatter",
                "mode": "lines",
                "name": "máx",
                "x": times,
                "y": [p.max for p in points],
                "line": {"width": 0},
                "legendgroup": "faixa",
                "showlegend": False,
                "hoverinfo": "skip",
            },
        )
        data.insert(
            1,
            {
                "type": "scatter",
                "mode": "lines",
                "name": "faixa mín–máx",
                "x": times,
                "y": [p.min for p in points],
                "fill": "tonexty",
                "line": {"width": 0},
                "legendgroup": "faixa",
                "showlegend": True,  # the band is one legend entry (its upper edge is drawn with it)
            },
        )
    unit = f" ({meta.unit})" if meta.unit else ""
    layout: dict[str, Any] = {
        "title": {"text": meta.description.pt},
        "xaxis": {"title": {"text": f"hora local ({ctx.timezone})"}},
        "showlegend": True,
        "separators": ",.",
        "yaxis": {"title": {"text": f"{tag}{unit}"}},
    }
    if meta.range is not None:
        layout["yaxis"]["range"] = list(meta.range)
    return {"data": data, "layout": layout}


def query_history(
    ctx: ToolContext,
    tag: str,
    *,
    window_s: float = 3600.0,
    end: datetime | None = None,
    mode: HistoryMode = HistoryMode.AGGREGATED,
    every_s: float | None = None,
    language: Language = Language.PT,
) -> HistoryResult:
    """Values of one tag over the last `window_s` (raw or in buckets), statistics, and a chart spec."""
    if ctx.history is None:
        return HistoryResult(tag=tag, error="the history store is not available")
    if tag not in ctx.plant.tags:
        return HistoryResult(tag=tag, error=f"unknown tag '{tag}'")
    end = end or ctx.clock.now()
    start = end - timedelta(seconds=window_s)
    stats = ctx.history.stats(tag, start=start, end=end)
    if mode is HistoryMode.RAW:
        rows = ctx.history.raw(tag, start=start, end=end, limit=MAX_RAW_POINTS)
        points = [HistoryPointOut(time=r.time, value=r.value) for r in rows]
        every = None
    else:
        every = every_s or bucket_for(window_s)
        buckets = ctx.history.aggregate(tag, start=start, end=end, every_s=every)
        points = [HistoryPointOut(time=b.start, value=b.mean, min=b.min, max=b.max) for b in buckets]
    out_stats = HistoryStats(
        count=stats.count,
        n_values=stats.n_values,
        min=stats.min,
        max=stats.max,
        mean=stats.mean,
        last=stats.last,
        last_time=stats.last_time,
        good_share=stats.good_share,
    )
    return HistoryResult(
        tag=tag,
        description=ctx.plant.tag(tag).description.pt,
        description_en=ctx.plant.tag(tag).description.en,
        unit=ctx.plant.tag(tag).unit,
        boolean=ctx.plant.tag(tag).type is DataType.BOOL,
        start=start,
        end=end,
        window_s=(end - start).total_seconds(),
        mode=mode,
        every_s=every,
        stats=out_stats,
        points=points,
        chart=chart_spec(ctx, tag, points),
        limits=limits_of(
            ctx, tag, stats.last, active_rules={a.rule_id for a in active_alarms(ctx)}, language=language
        ),
        citations=[Citation(kind=CitationKind.TAG, id=tag)],
    )
