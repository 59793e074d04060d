"""A live lock on loopback for the browser test and `lockpilot bench ui`: twin, collector, stores, web.

`lockpilot up` wires the same parts for production; this one also serves the app on a uvicorn thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from agent.commands.plantio import S7PlantIO
from api.http import build_http_app
from api.services import Services
from api.web_settings import WebSettings
from api.wiring import connect_services
from collectors.s7 import S7Collector
from lockpilot.bus import SampleBus
from lockpilot.clock import SystemClock
from lockpilot.plant import Plant, load_plant
from lockpilot.settings import Settings
from rules.engine import RulesEngine
from storage.current_store import CurrentStore
from storage.history_writer import HistoryWriter
from tools.adapters import LiveRules
from twin.model import LockTwin
from twin.s7server import TwinServer

READY_TIMEOUT_S = 30.0


@dataclass
class LocalStack:
    """Start with `start()`, stop with `stop()`; `url` is the web app's base URL."""

    settings: Settings
    database_url: str
    redis_url: str
    http_port: int
    twin_port: int
    twin_speed: float = 1.0
    web: WebSettings = field(default_factory=WebSettings)
    plant: Plant | None = None
    services: Services | None = None
    _stoppers: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def _start_plant(self, plant: Plant) -> tuple[LiveRules, S7Collector, HistoryWriter]:
        clock = SystemClock()
        twin = TwinServer(
            LockTwin(plant, seed=0),
            host="127.0.0.1",
            port=self.twin_port,
            speed=self.twin_speed,
            auto_cycle=False,
        ).start()
        self._stoppers.append(twin.stop)
        bus = SampleBus()
        current = CurrentStore(self.redis_url, plant).start()
        writer = HistoryWriter(
            self.database_url, spool_dir=self.settings.data_dir / "spool", clock=clock
        ).start()
        live = LiveRules(plant, RulesEngine.for_plant(plant), clock)
        for sink in (current, writer, live):
            bus.subscribe(sink)
        self._stoppers += [current.close, writer.close]
        device = plant.devices["clp_eclusa"]
        collector = S7Collector(
            "127.0.0.1",
            plant.tags_of("clp_eclusa"),
            bus,
            port=self.twin_port,
            rack=device.rack,
            slot=device.slot,
            period_s=0.5,
        )
        collector.start()
        self._stoppers.append(collector.stop)
        return live, collector, writer

    def start(self) -> LocalStack:
        """Start every part and wait until the app answers and live values are in Redis."""
        plant = self.plant or load_plant(self.settings.plant, root=self.settings.plants_dir)
        self.plant = plant
        from storage.migrate import migrate

        migrate(self.database_url)
        live, collector, writer = self._start_plant(plant)
        io = S7PlantIO(plant, host="127.0.0.1", port=self.twin_port)
        self.services = connect_services(
            self.settings,
            database_url=self.database_url,
            redis_url=self.redis_url,
            plant=plant,
            live_rules=live,
            collectors=[collector],
            writer=writer,
            plant_io=io,
            web=self.web,
            run_migrations=False,
        )
        self._stoppers.append(self.services.close)
        self._serve(build_http_app(self.services))
        self._wait_ready()
        return self

    def _serve(self, app: Any) -> None:
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.http_port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        thread.start()

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=10.0)

        self._stoppers.append(stop)

    def _wait_ready(self) -> None:
        assert self.services is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                ok = httpx.get(f"{self.url}/health", timeout=2.0).status_code == 200
            except httpx.HTTPError:
                ok = False
            current = self.services.tools.current(["nivel_camara"]).get("nivel_camara")
            if ok and current is not None:
                return
            time.sleep(0.2)
        raise TimeoutError(f"the local stack did not get ready in {READY_TIMEOUT_S:g} s")

    def stop(self) -> None:
        """Stop everything, newest first."""
        for stop in reversed(self._stoppers):
            try:
                stop()
            except Exception:  # keep stopping the rest
                continue
        self._stoppers.clear()
