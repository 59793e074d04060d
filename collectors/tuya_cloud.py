"""Tuya cloud OpenAPI (HMAC-SHA256 signed requests, token, device status) and a collector over it."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from collectors.polling import PollingCollector
from collectors.tuya_local import map_points
from lockpilot.bus import SampleSink
from lockpilot.clock import Clock
from lockpilot.plant.meter_points import TuyaPoint, TuyaRegion
from lockpilot.samples import Sample

TOKEN_MARGIN_S = 60.0  # refresh the token this long before it expires


def string_to_sign(method: str, path: str, query: dict[str, str] | None = None, body: bytes = b"") -> str:
    """Tuya's stringToSign: method, SHA-256 of the body, signed headers (none), URL with sorted query."""
    url = path + (f"?{urlencode(sorted(query.items()))}" if query else "")
    return f"{method.upper()}\n{hashlib.sha256(body).hexdigest()}\n\n{url}"


def sign(secret: str, *, client_id: str, t_ms: str, nonce: str, to_sign: str, access_token: str = "") -> str:
    """HMAC-SHA256 over client_id + [access_token] + t + nonce + stringToSign, upper-case hex."""
    message = client_id + access_token + t_ms + nonce + to_sign
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest().upper()


class TuyaCloudError(ConnectionError):
    """The cloud answered with success=false (bad credentials, unknown device, rate limit)."""


@dataclass
class _Token:
    access_token: str
    expires_at_s: float


class TuyaCloudClient:
    """Signed calls to the Tuya OpenAPI; caches the access token until shortly before it expires."""

    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        region: TuyaRegion = TuyaRegion.WESTERN_AMERICA,
        base_url: str | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self.client_id, self._secret = client_id, secret
        self._http = httpx.Client(base_url=base_url or region.base_url, timeout=timeout_s)
        self._token: _Token | None = None

    def close(self) -> None:
        self._http.close()

    def _headers(self, method: str, path: str, query: dict[str, str] | None, token: str) -> dict[str, str]:
        t_ms, nonce = str(int(time.time() * 1000)), uuid.uuid4().hex
        signature = sign(
            self._secret,
            client_id=self.client_id,
            t_ms=t_ms,
            nonce=nonce,
            to_sign=string_to_sign(method, path, query),
            access_token=token,
        )
        headers = {
            "client_id": self.client_id,
            "t": t_ms,
            "nonce": nonce,
            "sign": signature,
            "sign_method": "HMAC-SHA256",
        }
        if token:
            headers["access_token"] = token
        return headers

    def _get(self, path: str, query: dict[str, str] | None = None, *, token: str = "") -> object:
        answer = self._http.get(path, params=query, headers=self._headers("GET", path, query, token))
        answer.raise_for_status()
        body = answer.json()
        if not body.get("success"):
            raise TuyaCloudError(f"{path}: {body.get('code')} {body.get('msg')}")
        return body.get("result")

    def token(self) -> str:
        """A valid access token (GET /v1.0/token?grant_type=1 when none is cached or it is near expiry)."""
        now = time.monotonic()
        if self._token is None or now >= self._token.expires_at_s:
            result = self._get("/v1.0/token", {"grant_type": "1"})
            assert isinstance(result, dict)
            expires = float(result.get("expire_time", 7200))
            self._token = _Token(str(result["access_token"]), now + max(0.0, expires - TOKEN_MARGIN_S))
        return self._token.access_token

    def device_status(self, device_id: str) -> dict[str, object]:
        """The device's status codes and values (GET /v1.0/devices/{id}/status)."""
        result = self._get(f"/v1.0/devices/{device_id}/status", token=self.token())
        if not isinstance(result, list):
            raise TuyaCloudError(f"device {device_id}: unexpected status {result!r}")
        return {str(item["code"]): item.get("value") for item in result if isinstance(item, dict)}


class TuyaCloudCollector(PollingCollector):
    """Polls devices without local access through the cloud; status codes mapped to tags with scale."""

    def __init__(
        self,
        client: TuyaCloudClient,
        tuya_id: str,
        points: Sequence[TuyaPoint],
        sink: SampleSink,
        *,
        device_id: str,
        period_s: float = 60.0,
        source: str = "",
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            device_id=device_id, tags=[p.tag for p in points], sink=sink, period_s=period_s, clock=clock
        )
        self.client, self.tuya_id, self.points = client, tuya_id, list(points)
        self.source = source or f"tuya-cloud:{tuya_id}"

    def connect(self) -> None:
        self.client.token()

    def disconnect(self) -> None:
        return None

    def read_cycle(self) -> list[Sample]:
        status = self.client.device_status(self.tuya_id)
        self.stats.requests_last_cycle = 1
        return map_points(self.points, status, now=self.clock.now(), source=self.source)
