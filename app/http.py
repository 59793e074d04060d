"""One ASGI app for the web side (REST API, dashboard, bots, Chainlit chat) and its uvicorn server."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from api.app import create_app
from api.bots.routes import bot_router
from api.dashboard.fleet import router as fleet_router
from api.dashboard.router import router as dashboard_router
from api.routers import copilot, ops, plant, plant_alarms, sequences
from api.services import Services
from api.web_auth import web_user
from api.web_guard import WebGuard
from app.options import HttpOptions

PLANT_ROUTERS = (plant, plant_alarms, sequences, copilot)


def build_http_app(services: Services, *, chat: bool = True) -> FastAPI:
    """Build the app: /api (metering, plant), /health, /metrics, /dashboard, /bots and the chat at /chat."""
    assert services.metering is not None, "the REST API's token auth needs the metering store"
    app = create_app(
        services.metering,
        title="Lockpilot",
        health=services.health,
        health_details=lambda request: web_user(request) is not None,
    )
    app.state.services = services
    for module in PLANT_ROUTERS:
        app.include_router(module.router, prefix="/api")
    app.include_router(ops.router)
    app.include_router(dashboard_router)
    app.include_router(fleet_router)
    app.include_router(bot_router(services))
    chat_path = services.web.chat_path.rstrip("/")
    app.add_middleware(
        WebGuard,
        sessions=services.sessions,
        chat_path=chat_path,
        audit=services.security_event,
        trust_forwarded_proto=services.web.trust_forwarded_proto,
    )

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """Send the browser to the chat."""
        return RedirectResponse(chat_path if chat else "/docs")

    if chat:
        from chat_ui.setup import mount_chat

        mount_chat(app, services, path=chat_path, root=services.data_dir / "chainlit")
    return app


def _server(services: Services, http: HttpOptions) -> uvicorn.Server:
    app = build_http_app(services)
    return uvicorn.Server(
        uvicorn.Config(app, host=http.host, port=http.port, log_level="warning", proxy_headers=False)
    )


def serve_forever(services: Services, http: HttpOptions) -> None:
    """Serve the app in this thread until interrupted (`lockpilot up`, `lockpilot serve`)."""
    _server(services, http).run()


class HttpServer:
    """The app served by uvicorn on its own thread (test stacks, benches); ready once it answers /health."""

    def __init__(self, services: Services, http: HttpOptions, *, ready_timeout_s: float = 30.0) -> None:
        self._services, self._http, self._ready_timeout_s = services, http, ready_timeout_s
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start serving and wait until /health answers."""
        if self._thread is not None:
            return
        self._server = _server(self._services, self._http)
        self._thread = threading.Thread(target=self._server.run, name="uvicorn", daemon=True)
        self._thread.start()
        url = f"http://{self._http.host}:{self._http.port}/health"
        deadline = time.monotonic() + self._ready_timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the web app did not answer {url} in {self._ready_timeout_s:g} s")

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread (idempotent)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10.0)
        self._server, self._thread = None, None
