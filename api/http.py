"""One ASGI app for the web side: REST API, plant dashboard, bots and the Chainlit chat; served by uvicorn."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from api.app import create_app
from api.bots.routes import bot_router
from api.dashboard.fleet import router as fleet_router
from api.dashboard.router import router as dashboard_router
from api.routers import copilot, lock_alarms, ops, plant, sequences
from api.services import Services

PLANT_ROUTERS = (plant, lock_alarms, sequences, copilot)


def build_http_app(services: Services, *, chat: bool = True) -> FastAPI:
    """Build the app: /api (metering, plant), /health, /metrics, /dashboard, /bots and the chat at /chat."""
    assert services.metering is not None, "the REST API's token auth needs the metering store"
    app = create_app(services.metering, title="Lockpilot", health=services.health)
    app.state.services = services
    for module in PLANT_ROUTERS:
        app.include_router(module.router, prefix="/api")
    app.include_router(ops.router)
    app.include_router(dashboard_router)
    app.include_router(fleet_router)
    app.include_router(bot_router(services))
    chat_path = services.web.chat_path.rstrip("/")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """Send the browser to the chat."""
        return RedirectResponse(chat_path if chat else "/docs")

    if chat:
        from chat_ui.setup import mount_chat

        mount_chat(app, services, path=chat_path, root=services.data_dir / "chainlit")
    return app


def serve(app: FastAPI, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve the app with uvicorn until interrupted (one process, one port)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level=log_level.lower(), proxy_headers=False)
