"""A Tuya local device on loopback (protocol 3.3, 3.4 or 3.5), built on tinytuya's own message encoding.

It answers a status query with its data points, a heartbeat with an empty frame, and a CONTROL the way a
real plug does: an empty acknowledgement of the same command, then a STATUS (command 8) push carrying the
data points that changed (tuyapi's `set()` waits for that push; tinytuya reads past the empty ack to it).
3.4 and 3.5 clients negotiate a session key first (see `tuya_session`). It keeps each client socket open.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Mapping

import structlog
from tinytuya.core import command_types as CT
from tinytuya.core.message_helper import parse_header

from twin.meters.tuya_session import FrameError, Request, TuyaSession, TuyaVersion

HEADER_BYTES = 16  # enough of either frame header (55AA: 16, 6699: 18 bytes) to learn the length
DpsFn = Callable[[], Mapping[str, object]]
NEGOTIATION = (CT.SESS_KEY_NEG_START, CT.SESS_KEY_NEG_FINISH)
QUERIES = (CT.DP_QUERY, CT.DP_QUERY_NEW)
CONTROLS = (CT.CONTROL, CT.CONTROL_NEW)
log = structlog.get_logger(__name__)


class TuyaDeviceEmulator:
    """One plug or sensor: device id, local key, data points from `dps` (refreshed on every query)."""

    def __init__(
        self,
        device_id: str,
        local_key: str,
        dps: DpsFn,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        version: float | str = 3.3,
    ):
        self.device_id = device_id
        self.key = local_key.encode("latin1")
        self.version = TuyaVersion.of(version)
        self.dps = dps
        self.overrides: dict[str, object] = {}
        self.queries = 0
        self.controls = 0
        self.connections = 0
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.1)  # so stop() is seen without waiting for a client
        self.host, self.port = self._listener.getsockname()[:2]
        self._stop = threading.Event()
        self._clients: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name=f"tuya-{device_id}", daemon=True)

    @property
    def source(self) -> str:
        return f"sim:tuya@{self.device_id}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        for client in list(self._clients):
            client.close()
        self._thread.join(2)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self.connections += 1
            self._clients.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        session = TuyaSession(self.version, self.key)
        with conn:
            while not self._stop.is_set():
                frame = _read_frame(conn)
                if frame is None:
                    return
                try:
                    request = session.decode(frame)
                    replies = self._answer(session, request)
                except (FrameError, ValueError) as exc:
                    log.warning("tuya_frame_refused", device=self.device_id, error=str(exc))
                    return  # a real device drops a client whose frames it cannot authenticate
                for reply in replies:
                    conn.sendall(reply)

    def _answer(self, session: TuyaSession, request: Request) -> list[bytes]:
        if request.cmd in NEGOTIATION and self.version.negotiates:
            step2 = session.answer_negotiation(request)
            return [] if step2 is None else [step2]
        if request.cmd in QUERIES:
            self.queries += 1
            return [session.encode(request.seqno, request.cmd, self._status(self.current()))]
        if request.cmd in CONTROLS:
            self.controls += 1
            changed = self._apply(request.body)
            push = session.encode(request.seqno, CT.STATUS, self._status(changed), with_header=True)
            return [session.encode(request.seqno, request.cmd), push]
        return [session.encode(request.seqno, request.cmd)]  # heartbeat and the rest: an empty answer

    def current(self) -> dict[str, object]:
        """Every data point now: the live values with what clients set on top."""
        return {**{str(k): v for k, v in self.dps().items()}, **self.overrides}

    def _apply(self, body: bytes) -> dict[str, object]:
        request = json.loads(body) if body else {}
        wanted = request.get("dps") or request.get("data", {}).get("dps", {})
        changed = {str(k): v for k, v in wanted.items() if v is not None}
        self.overrides.update(changed)
        return changed

    def _status(self, dps: Mapping[str, object]) -> bytes:
        """The JSON a device of this version reports data points in."""
        now = int(time.time())
        if self.version.negotiates:
            return json.dumps({"protocol": 4, "t": now, "data": {"dps": dict(dps)}}).encode()
        return json.dumps(
            {"devId": self.device_id, "gwId": self.device_id, "dps": dict(dps), "t": now}
        ).encode()


def _read_frame(conn: socket.socket) -> bytes | None:
    """Read one 55AA or 6699 frame; None when the client closed the socket."""
    head = _read_exact(conn, HEADER_BYTES)
    if head is None:
        return None
    more = 2 if head[:4] == b"\x00\x00\x66\x99" else 0  # a 6699 header is 18 bytes
    head += (_read_exact(conn, more) or b"") if more else b""
    rest = _read_exact(conn, parse_header(head).total_length - len(head))
    return None if rest is None else head + rest


def _read_exact(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = conn.recv(size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data
