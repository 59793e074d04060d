"""The REST API app factory; other parts mount their routers on the app it returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.docs import AUTH_HINT, mount_docs
from api.routers import clients, meter_alarms, metering
from metering.ingest import IngestRefused
from metering.store import MeteringStore


def create_app(
    store: MeteringStore,
    *,
    forward: bool = False,
    title: str = "Lockpilot",
    health: Callable[[], dict[str, Any]] | None = None,
) -> FastAPI:
    """Build the app over `store`; with `forward`, accepted measurements go to the outbox for the slave.

    `health`, when given, reports each part's status on /health (the web side passes Services.health).
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

    @app.get("/health", tags=["health"])
    def health_route() -> dict[str, Any]:
        """Say the API is up, with each part's status when the parts are known."""
        return health() if health is not None else {"status": "ok"}

    return app
