"""Ingest and metrics: POST /ingest, GET /metrics, /metrics/summary (Cpk), /metrics/linreg."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from pydantic import BaseModel

from api.deps import CurrentUser, Store, visible_device
from metering.ingest import ingest, measurements, series
from metering.models import IngestBatch, IngestResult, Measurement
from tools.meter_stats import linreg, summarize

router = APIRouter(tags=["metering"])
log = structlog.get_logger(__name__)
TIME = "time"  # linreg's x may be a metric name or time (seconds since the first point)


class SummaryOut(BaseModel):
    device_id: int
    metric: str
    count: int
    mean: float | None
    std: float | None
    min: float | None
    max: float | None
    lsl: float | None
    usl: float | None
    cpk: float | None


class LinregOut(BaseModel):
    device_id: int
    x: str
    y: str
    count: int
    slope: float | None
    intercept: float | None
    r2: float | None


@router.post("/ingest", response_model=IngestResult)
def post_ingest(
    batch: IngestBatch,
    request: Request,
    store: Store,
    user: CurrentUser,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> IngestResult:
    """Store a device's measurements once each, evaluate its alarm rules, queue them for forwarding."""
    result = ingest(store, batch, user=user, forward=bool(request.app.state.forward))
    log.debug("ingested", batch=idempotency_key, accepted=result.accepted, duplicates=result.duplicates)
    return result


@router.get("/metrics", response_model=list[Measurement])
def get_metrics(
    store: Store,
    user: CurrentUser,
    device_id: int,
    metric: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[Measurement]:
    """A device's measurements, newest first, by metric and time range."""
    visible_device(store, user, device_id)
    return measurements(store, device_id=device_id, metric=metric, start=start, end=end, limit=limit)


@router.get("/metrics/summary", response_model=SummaryOut)
def get_summary(
    store: Store,
    user: CurrentUser,
    device_id: int,
    metric: str,
    start: datetime | None = None,
    end: datetime | None = None,
    lsl: float | None = None,
    usl: float | None = None,
) -> SummaryOut:
    """count, mean, std, min, max and Cpk (LSL/USL given, or mean ± 3σ)."""
    visible_device(store, user, device_id)
    if lsl is not None and usl is not None and lsl >= usl:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "lsl must be below usl")
    values = [v for _, v in series(store, device_id=device_id, metric=metric, start=start, end=end)]
    s = summarize(values, lsl=lsl, usl=usl)
    return SummaryOut(
        device_id=device_id,
        metric=metric,
        count=s.count,
        mean=s.mean,
        std=s.std,
        min=s.min,
        max=s.max,
        lsl=s.lsl,
        usl=s.usl,
        cpk=s.cpk,
    )


@router.get("/metrics/linreg", response_model=LinregOut)
def get_linreg(
    store: Store,
    user: CurrentUser,
    device_id: int,
    y: str,
    x: str = TIME,
    start: datetime | None = None,
    end: datetime | None = None,
) -> LinregOut:
    """Slope, intercept and r² of metric y against metric x (paired by time) or against time."""
    visible_device(store, user, device_id)
    ys = series(store, device_id=device_id, metric=y, start=start, end=end)
    if x == TIME:
        t0 = ys[0][0] if ys else None
        xv = [(t - t0).total_seconds() for t, _ in ys] if t0 else []
        yv = [v for _, v in ys]
    else:
        xs = dict(series(store, device_id=device_id, metric=x, start=start, end=end))
        pairs = [(xs[t], v) for t, v in ys if t in xs]
        xv, yv = [p[0] for p in pairs], [p[1] for p in pairs]
    fit = linreg(xv, yv)
    return LinregOut(
        device_id=device_id, x=x, y=y, count=fit.count, slope=fit.slope, intercept=fit.intercept, r2=fit.r2
    )
