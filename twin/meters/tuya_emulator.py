"""A Tuya local device (protocol 3.3) on loopback, built on tinytuya's own message encoding.

Answers DP_QUERY with its data points (encrypted with the local key), heartbeats with an empty frame,
and CONTROL by updating the data points; it keeps each client socket open like a real plug does.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Mapping

from tinytuya.core import command_types as CT
from tinytuya.core import header as H
from tinytuya.core.crypto_helper import AESCipher
from tinytuya.core.message_helper import TuyaMessage, pack_message, parse_header, unpack_message

HEADER_BYTES = 16
DpsFn = Callable[[], Mapping[str, object]]


class TuyaDeviceEmulator:
    """One plug or sensor: device id, local key, data points from `dps` (refreshed on every query)."""

    def __init__(self, device_id: str, local_key: str, dps: DpsFn, *, host: str = "127.0.0.1", port: int = 0):
        self.device_id = device_id
        self.key = local_key.encode("latin1")
        self.dps = dps
        self.overrides: dict[str, object] = {}
        self.queries = 0
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
        with conn:
            while not self._stop.is_set():
                frame = _read_frame(conn)
                if frame is None:
                    return
                reply = self._answer(unpack_message(frame, no_retcode=True))
                if reply is not None:
                    conn.sendall(reply)

    def _answer(self, msg: TuyaMessage) -> bytes | None:
        cipher = AESCipher(self.key)
        if msg.cmd == CT.HEART_BEAT:
            return self._frame(msg.seqno, CT.HEART_BEAT, b"")
        if msg.cmd == CT.CONTROL:
            body = msg.payload[len(H.PROTOCOL_33_HEADER) :]
            request = json.loads(cipher.decrypt(body, use_base64=False, decode_text=False))
            self.overrides.update(request.get("dps", {}))
        elif msg.cmd != CT.DP_QUERY:
            return self._frame(msg.seqno, msg.cmd, b"")
        self.queries += 1
        dps = {**{str(k): v for k, v in self.dps().items()}, **self.overrides}
        body = json.dumps({"devId": self.device_id, "gwId": self.device_id, "dps": dps}).encode()
        return self._frame(msg.seqno, msg.cmd, cipher.encrypt(body, use_base64=False))

    def _frame(self, seqno: int, cmd: int, payload: bytes) -> bytes:
        retcode = struct.pack(H.MESSAGE_RETCODE_FMT, 0)
        return pack_message(TuyaMessage(seqno, cmd, 0, retcode + payload, 0, True, H.PREFIX_55AA_VALUE, None))


def _read_frame(conn: socket.socket) -> bytes | None:
    """Read one 55AA frame; None when the client closed the socket."""
    head = _read_exact(conn, HEADER_BYTES)
    if head is None:
        return None
    rest = _read_exact(conn, parse_header(head).total_length - HEADER_BYTES)
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
