"""Run a pymodbus server (TCP or RTU) on its own event loop in a background thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from pymodbus.server import ModbusSerialServer, ModbusTcpServer

ServerFactory = Callable[[], ModbusTcpServer | ModbusSerialServer]


class ServerThread:
    """Start a pymodbus server built by `factory` inside a private loop; stop it cleanly."""

    def __init__(self, factory: ServerFactory, *, name: str = "modbus-server") -> None:
        self._factory = factory
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self.server: ModbusTcpServer | ModbusSerialServer | None = None

    def start(self, *, timeout_s: float = 5.0) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout_s)

    async def _start(self) -> None:
        self.server = self._factory()
        await self.server.serve_forever(background=True)

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Shut the server down and end the loop; a second call does nothing."""
        if self._loop.is_closed():
            return
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.shutdown(), self._loop).result(timeout_s)
            self.server = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout_s)
        if not self._loop.is_running():
            self._loop.close()

    def call(self, coro: Any, *, timeout_s: float = 5.0) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)
