"""`TwinServer`: serve a `LockTwin` over S7 (python-snap7) on a real-time loop at a chosen speed."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import structlog
from snap7.type import SrvArea

from lockpilot.plant import Plant, Protocol
from lockpilot.plant.model import S7Identity
from lockpilot.samples import Value
from twin import control_db
from twin.autocycle import AutoCycle
from twin.faults import Fault
from twin.model import LockTwin
from twin.plc_server import PlcServer
from twin.s7layout import COMMAND_DB, DbLayout

log = structlog.get_logger(__name__)
LOOP_PERIOD_S = 0.05  # wall time between updates of the data blocks


class SilenceableServer(PlcServer):
    """A PLC server that can stop answering (the PLC link is lost) without closing its port."""

    def __init__(self, *, identity: S7Identity | None = None) -> None:
        super().__init__(log=False, identity=identity)
        self.silent = threading.Event()

    def _process_request(self, request_data: bytes, client_address: Any) -> bytes | None:
        if self.silent.is_set():
            return None
        return super()._process_request(request_data, client_address)


class TwinServer:
    """Steps the twin in real time (x `speed`) and mirrors every tag into the PLC's data blocks."""

    def __init__(
        self,
        twin: LockTwin,
        *,
        host: str = "127.0.0.1",
        port: int,
        speed: float = 1.0,
        auto_cycle: bool = False,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive (simulated seconds per wall second)")
        self.twin, self.host, self.port, self.speed = twin, host, port, speed
        self.layout = DbLayout(twin.plant)
        self.auto = AutoCycle() if auto_cycle else None
        self.lock = threading.Lock()  # guards the twin against callers on other threads
        self._server = SilenceableServer(identity=_cpu_identity(twin.plant))
        self._memory = {db: bytearray(size) for db, size in self.layout.sizes.items()}
        self._memory[control_db.CONTROL_DB] = bytearray(control_db.CONTROL_DB_SIZE)
        self._last_commands: dict[str, Value] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._silent_until = 0.0

    def start(self) -> None:
        """Register the data blocks, listen, and start the real-time loop in a background thread."""
        for db, buf in self._memory.items():
            self._server.register_area(SrvArea.DB, db, buf)
        self._publish()
        self._server.start_to(self.host, tcp_port=self.port)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="twin-s7", daemon=True)
        self._thread.start()
        log.info(
            "twin_serving", host=self.host, port=self.port, speed=self.speed, auto_cycle=self.auto is not None
        )

    def stop(self) -> None:
        """Stop the loop and the S7 server."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._server.stop()
        log.info("twin_stopped", port=self.port)

    def __enter__(self) -> TwinServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(LOOP_PERIOD_S):
            now = time.monotonic()
            try:
                self.tick(sim_s=(now - last) * self.speed, wall_now=now)
            except Exception:
                log.exception("twin_loop_failed")
            last = now

    def tick(self, *, sim_s: float, wall_now: float | None = None) -> None:
        """One loop turn: take commands and fault requests, step the twin, publish the data blocks."""
        wall_now = time.monotonic() if wall_now is None else wall_now
        with self.lock:
            self._take_control_request()
            self._take_commands()
            if self.auto is not None:
                self.auto.drive(self.twin)
            self.twin.step(sim_s)
            self._link(wall_now)
            self._publish()

    def _link(self, wall_now: float) -> None:
        """Go silent for `duration_s` wall seconds when plc_link_loss is injected, then clear it."""
        fault = self.twin.faults.get(Fault.PLC_LINK_LOSS)
        if fault is not None and not self._server.silent.is_set():
            self._silent_until = wall_now + fault.num("duration_s")
            self._server.silent.set()
            log.warning("plc_link_lost", duration_s=fault.num("duration_s"))
        elif self._server.silent.is_set() and (fault is None or wall_now >= self._silent_until):
            self._server.silent.clear()
            self.twin.clear(Fault.PLC_LINK_LOSS)
            log.info("plc_link_restored")

    def _take_commands(self) -> None:
        """Hand DB50 writes made by clients to the PLC, then write back its command image (one lock hold)."""
        buf = self._memory[COMMAND_DB]
        self._server.lock_area(SrvArea.DB, COMMAND_DB)
        try:
            current = self.layout.decode_db(COMMAND_DB, buf)
            for tag, value in current.items():
                if tag in self._last_commands and value != self._last_commands[tag]:
                    self.twin.command(tag, value)
            image = self.layout.encode_db(COMMAND_DB, self.twin.plc.commands)
            buf[:] = image
            self._last_commands = self.layout.decode_db(COMMAND_DB, image)
        finally:
            self._server.unlock_area(SrvArea.DB, COMMAND_DB)

    def _take_control_request(self) -> None:
        """Act on a DB99 inject/clear request and report the result there."""
        buf = self._memory[control_db.CONTROL_DB]
        self._server.lock_area(SrvArea.DB, control_db.CONTROL_DB)
        try:
            result = self._apply_request(buf)
            if result is not None:
                buf[0:2] = b"\x00\x00"
                buf[4:8] = control_db.status_words(result, set(self.twin.faults.active))
            else:
                buf[6:8] = control_db.status_words(control_db.Result.OK, set(self.twin.faults.active))[2:]
        finally:
            self._server.unlock_area(SrvArea.DB, control_db.CONTROL_DB)

    def _apply_request(self, buf: bytearray) -> control_db.Result | None:
        try:
            req = control_db.decode_request(buf)
        except ValueError:
            return control_db.Result.BAD_PARAMETERS
        if req is None:
            return None
        try:
            fault = Fault.from_code(req.code)
        except ValueError:
            return control_db.Result.UNKNOWN_FAULT
        try:
            if req.request is control_db.Request.INJECT:
                self.twin.inject(fault, **req.params)
            elif req.request is control_db.Request.CLEAR:
                self.twin.clear(fault)
        except (ValueError, TypeError):
            return control_db.Result.BAD_PARAMETERS
        return control_db.Result.OK

    def _publish(self) -> None:
        """Write every read-only block under its area lock (clients never see half a scan)."""
        values = self.twin.values()
        for db, buf in self._memory.items():
            if db in (COMMAND_DB, control_db.CONTROL_DB):
                continue
            image = self.layout.encode_db(db, values)
            self._server.lock_area(SrvArea.DB, db)
            try:
                buf[:] = image
            finally:
                self._server.unlock_area(SrvArea.DB, db)
        if not self._last_commands:
            self._memory[COMMAND_DB][:] = self.layout.encode_db(COMMAND_DB, values)
            self._last_commands = self.layout.decode_db(COMMAND_DB, self._memory[COMMAND_DB])


def _cpu_identity(plant: Plant) -> S7Identity | None:
    """The identity of the plant's S7 CPU (the first S7 device that has one)."""
    for device in plant.devices.values():
        if device.protocol is Protocol.S7 and device.identity is not None:
            return device.identity
    return None
