"""Operations endpoint /metrics for Prometheus (/health is the app factory's, fed by Services.health)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.web_deps import Svc

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(svc: Svc) -> Response:
    """Expose samples/s, poll cycle time, write lag, spool depth, active alarms, agent latency."""
    return Response(svc.telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)
