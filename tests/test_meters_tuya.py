"""Tuya: local exchange with the emulator (tinytuya's encoding) and the cloud API against a signing server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
import tinytuya

from collectors.tuya_cloud import TuyaCloudClient, TuyaCloudCollector, TuyaCloudError, string_to_sign
from collectors.tuya_local import TuyaLocalCollector
from lockpilot.plant.meter_points import TuyaPoint
from lockpilot.samples import Quality
from twin.meters.tuya_emulator import TuyaDeviceEmulator

KEY = "0123456789abcdef"
POINTS = [
    TuyaPoint(key="1", tag="tomada_ligada", boolean=True),
    TuyaPoint(key="19", tag="tomada_potencia", scale=0.1, unit="W"),
    TuyaPoint(key="20", tag="tomada_tensao", scale=0.1, unit="V"),
    TuyaPoint(key="99", tag="tomada_ausente"),
]


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list] = []

    def publish(self, batch) -> None:  # type: ignore[no-untyped-def]
        self.batches.append(list(batch))


def test_local_exchange_over_one_persistent_socket() -> None:
    dps = {"1": True, "19": 1234, "20": 2203}
    emulator = TuyaDeviceEmulator("eb0c1e5d0a1b2c3d4e5f6a", KEY, lambda: dps)
    emulator.start()
    collector = TuyaLocalCollector(
        "tomada",
        "127.0.0.1",
        KEY,
        POINTS,
        ListSink(),
        tuya_id="eb0c1e5d0a1b2c3d4e5f6a",
        port=emulator.port,
        source=emulator.source,
    )
    try:
        first = {s.tag: s for s in collector.poll_once()}
        dps["19"] = 0
        second = {s.tag: s for s in collector.poll_once()}
    finally:
        collector.stop()
        emulator.stop()
    assert first["tomada_ligada"].value is True
    assert first["tomada_potencia"].value == pytest.approx(123.4)
    assert first["tomada_tensao"].value == pytest.approx(220.3)
    assert first["tomada_ausente"].quality is Quality.BAD
    assert first["tomada_potencia"].source == "sim:tuya@eb0c1e5d0a1b2c3d4e5f6a"
    assert second["tomada_potencia"].value == 0.0
    assert emulator.connections == 1 and emulator.queries == 2


@pytest.mark.parametrize("version", [3.3, 3.4, 3.5])
def test_tinytuya_reads_and_sets_each_protocol_version(version: float) -> None:
    dps = {"1": True, "19": 1234}
    emulator = TuyaDeviceEmulator("dev34", KEY, lambda: dps, version=version)
    emulator.start()
    collector = TuyaLocalCollector(
        "tomada",
        "127.0.0.1",
        KEY,
        POINTS[:2],
        ListSink(),
        tuya_id="dev34",
        version=version,
        port=emulator.port,
    )
    device = tinytuya.Device("dev34", "127.0.0.1", KEY, version=version, port=emulator.port, persist=True)
    device.set_socketTimeout(2.0)
    try:
        first = {s.tag: s.value for s in collector.poll_once()}
        pushed = device.set_value(1, False)  # the empty ack, then the STATUS push with what changed
        second = {s.tag: s.value for s in collector.poll_once()}
    finally:
        device.close()
        collector.stop()
        emulator.stop()
    assert first == {"tomada_ligada": True, "tomada_potencia": pytest.approx(123.4)}
    assert pushed["dps"] == {"1": False}
    assert second["tomada_ligada"] is False
    assert emulator.controls == 1 and emulator.connections == 2


@pytest.mark.parametrize("version", [3.4, 3.5])
def test_a_client_with_the_wrong_key_is_refused(version: float) -> None:
    emulator = TuyaDeviceEmulator("dev35", KEY, lambda: {"19": 10}, version=version)
    emulator.start()
    device = tinytuya.Device("dev35", "127.0.0.1", "fedcba9876543210", version=version, port=emulator.port)
    device.set_socketTimeout(0.5)
    try:
        answer = device.status()
    finally:
        device.close()
        emulator.stop()
    assert "dps" not in answer and emulator.queries == 0


def test_local_device_gone_marks_the_gap() -> None:
    emulator = TuyaDeviceEmulator("dev1", KEY, lambda: {"19": 10})
    emulator.start()
    sink = ListSink()
    collector = TuyaLocalCollector(
        "tomada", "127.0.0.1", KEY, POINTS[1:2], sink, tuya_id="dev1", port=emulator.port, timeout_s=0.5
    )
    try:
        collector.poll_once()
        emulator.stop()
        with pytest.raises(ConnectionError):
            collector.poll_once()
    finally:
        collector.stop()
    assert sink.batches[-1][0].quality is Quality.COMM_ERROR


# --- Tuya cloud OpenAPI against a loopback server that checks every signature --------------------------
CLIENT_ID, SECRET, TOKEN = "cid123", "s3cr3t", "tok-abc"


class CloudHandler(BaseHTTPRequestHandler):
    """Checks Tuya's HMAC-SHA256 signature the way the cloud documents it, then answers."""

    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        token = self.headers.get("access_token", "")
        to_sign = string_to_sign("GET", url.path, query)
        message = CLIENT_ID + token + self.headers["t"] + self.headers.get("nonce", "") + to_sign
        expected = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest().upper()
        if self.headers.get("sign") != expected or self.headers.get("client_id") != CLIENT_ID:
            return self._send({"success": False, "code": 1004, "msg": "sign invalid"})
        self.requests.append(url.path)
        if url.path == "/v1.0/token" and query == {"grant_type": "1"}:
            return self._send({"success": True, "result": {"access_token": TOKEN, "expire_time": 7200}})
        if token != TOKEN:
            return self._send({"success": False, "code": 1010, "msg": "token invalid"})
        if url.path == "/v1.0/devices/vdevo1/status":
            return self._send(
                {
                    "success": True,
                    "result": [{"code": "switch_1", "value": True}, {"code": "cur_power", "value": 456}],
                }
            )
        return self._send({"success": False, "code": 2001, "msg": "device not found"})

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def cloud_url():  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), CloudHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_cloud_signs_token_and_status_requests(cloud_url: str) -> None:
    CloudHandler.requests = []
    client = TuyaCloudClient(client_id=CLIENT_ID, secret=SECRET, base_url=cloud_url)
    points = [
        TuyaPoint(key="switch_1", tag="plug_on", boolean=True),
        TuyaPoint(key="cur_power", tag="plug_power", scale=0.1, unit="W"),
    ]
    collector = TuyaCloudCollector(client, "vdevo1", points, ListSink(), device_id="plug")
    try:
        first = {s.tag: s.value for s in collector.poll_once()}
        collector.poll_once()
        with pytest.raises(TuyaCloudError, match="2001"):
            client.device_status("unknown")
    finally:
        client.close()
    assert first == {"plug_on": True, "plug_power": pytest.approx(45.6)}
    assert CloudHandler.requests.count("/v1.0/token") == 1  # the token is cached


def test_cloud_rejects_a_wrong_secret(cloud_url: str) -> None:
    client = TuyaCloudClient(client_id=CLIENT_ID, secret="wrong", base_url=cloud_url)
    try:
        with pytest.raises(TuyaCloudError, match="sign invalid"):
            client.token()
    finally:
        client.close()
