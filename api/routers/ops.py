"""Operations endpoint /metrics for Prometheus (/health is the app factory's, fed by Services.health)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST

from api.web_auth import from_loopback
from api.web_deps import Svc

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(svc: Svc, request: Request) -> Response:
    """Expose samples/s, poll cycle time, write lag, spool depth, active alarms, agent latency.

    With LOCKPILOT_METRICS_TOKEN set, a scraper sends it as a bearer token; without, only loopback."""
    token = svc.web.metrics_token
    auth = request.headers.get("authorization", "")
    given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    allowed = hmac.compare_digest(given, token) if token else from_loopback(request)
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "metrics: bearer token or loopback only")
    return Response(svc.telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)
