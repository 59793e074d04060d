"""The REST API app factory; other parts mount their routers on the app it returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from api.docs import AUTH_HINT, mount_docs
from api.routers import clients, meter_alarms, metering
from metering.ingest import IngestRefused
from metering.store import MeteringStore


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Validation errors naming the field and the rule, never echoing the input (it may be huge)."""
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:200], "type": e.get("type", "")}
        for e in exc.errors()[:20]
    ]


def create_app(
    store: MeteringStore,
    *,
    forward: bool = False,
    title: str = "Lockpilot",
    health: Callable[[], dict[str, Any]] | None = None,
    health_details: Callable[[Request], bool] | None = None,
) -> FastAPI:
    """Build the app over `store`; with `forward`, accepted measurements go to the outbox for the slave.

    `health`, when given, reports each part's status on /health (the web side passes Services.health);
    the parts' details (errors, figures) only to callers `health_details` accepts (logged-in ones).
    """
    app = FastAPI(
        title=title,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        description=AUTH_HINT,
    )
    mount_docs(app)
    app.state.store = store
    app.state.forward = forward
    for module in (clients, meter_alarms, metering):
        app.include_router(module.router, prefix="/api")

    @app.exception_handler(IngestRefused)
    async def _refused(_: Request, exc: IngestRefused) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _store_down(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "PostgreSQL indisponível / PostgreSQL unavailable"}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_errors(exc)}, status_code=422)

    @app.get("/health", tags=["health"])
    def health_route(request: Request) -> dict[str, Any]:
        """Say the API is up, with each part's status; details only for a logged-in caller."""
        if health is None:
            return {"status": "ok"}
        report = health()
        if health_details is not None and health_details(request):
            return report
        parts = {name: {"status": part["status"]} for name, part in report.get("parts", {}).items()}
        return {"status": report["status"], "parts": parts}

    return app
