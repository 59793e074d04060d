"""One ASGI middleware in front of the whole web app: sessions, login throttling, body size, Secure cookies.

- Chat requests (HTTP and WebSocket) whose session token no longer stands (forged, expired, older than the
  session length, opened before the user's role or status changed, user disabled) lose the token before
  Chainlit sees them: Chainlit then treats them as logged out.
- POST {chat}/login is throttled per user and per address (429 with Retry-After), each refusal audited.
- Request bodies over `max_body_bytes` get a 413 that does not echo them.
- Behind HTTPS (the scheme, or X-Forwarded-Proto from a trusted proxy) every Set-Cookie gets `Secure`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from functools import partial
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import structlog

from api.login_throttle import LoginThrottle
from api.sessions import SessionGuard

log = structlog.get_logger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

AUTH_COOKIE = "access_token"
MAX_BODY_BYTES = 1_000_000
MAX_LOGIN_BODY_BYTES = 16_384


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


def _cookie_token(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"cookie")
    if not raw:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(raw.decode("latin-1"))
    except Exception:
        return None
    if AUTH_COOKIE in cookies:
        return cookies[AUTH_COOKIE].value
    chunks = [cookies[f"{AUTH_COOKIE}_{i}"].value for i in range(50) if f"{AUTH_COOKIE}_{i}" in cookies]
    return "".join(chunks) or None


def _without_session(scope: Scope) -> Scope:
    """The scope with the session cookie(s) and a bearer header removed."""
    kept = []
    for key, value in scope.get("headers", []):
        low = key.lower()
        if low == b"authorization":
            continue
        if low == b"cookie":
            parts = [
                p
                for p in value.decode("latin-1").split(";")
                if not p.strip().split("=", 1)[0].startswith(AUTH_COOKIE)
            ]
            if not parts:
                continue
            value = ";".join(parts).encode("latin-1")
        kept.append((key, value))
    return {**scope, "headers": kept}


async def _reply(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class WebGuard:
    """The middleware; `audit(action, data)` records security events (the process's audit chain)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: SessionGuard,
        chat_path: str,
        throttle: LoginThrottle | None = None,
        audit: Callable[[str, str, dict[str, Any]], None] | None = None,
        trust_forwarded_proto: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.app, self.sessions, self.chat_path = app, sessions, chat_path.rstrip("/")
        self.throttle = throttle or LoginThrottle()
        self.audit = audit or (lambda actor, action, data: None)
        self.trust_forwarded_proto, self.max_body_bytes = trust_forwarded_proto, max_body_bytes

    def _https(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        if scope.get("scheme") in ("https", "wss"):
            return True
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").lower()
        return self.trust_forwarded_proto and proto in ("https", "wss")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope.get("path", "")
        if path == self.chat_path or path.startswith(self.chat_path + "/"):
            scope = await self._session(scope, headers)
        if scope["type"] == "http":
            length = headers.get(b"content-length", b"0")
            if length.isdigit() and int(length) > self.max_body_bytes:
                await _reply(send, 413, {"detail": "request body too large"}, [])
                return
            if self._https(scope, headers):
                send = _secure_cookies(send)
            if scope.get("method") == "POST" and path == f"{self.chat_path}/login":
                await self._login(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _session(self, scope: Scope, headers: dict[bytes, bytes]) -> Scope:
        token = _cookie_token(headers)
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if token is None and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        if token is None:
            return scope
        import anyio.to_thread

        path = str(scope.get("path", ""))
        plumbing = any(path.startswith(f"{self.chat_path}/{p}/") for p in ("ws", "assets", "public"))
        read_only = plumbing and (scope["type"] == "websocket" or scope.get("method") in ("GET", "HEAD"))
        user = await anyio.to_thread.run_sync(partial(self.sessions.user, token, cached=read_only))
        return scope if user is not None else _without_session(scope)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_LOGIN_BODY_BYTES:
                await _reply(send, 413, {"detail": "request body too large"}, [])
                return
        form = parse_qs(body.decode("utf-8", "replace"))
        username = (form.get("username") or [""])[0][:200]
        address = (scope.get("client") or ("?", 0))[0]
        keys = (f"user:{username}", f"addr:{address}")
        wait = self.throttle.retry_after_s(*keys)
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            self.audit(username, "login_throttled", {"address": address, "retry_after_s": int(retry)})
            await _reply(
                send,
                429,
                {"detail": "muitas tentativas de login; tente de novo mais tarde / too many login attempts"},
                [(b"retry-after", retry.encode())],
            )
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, replay, watch)
        if status and status[0] == 401:
            wait = self.throttle.failed(*keys)
            self.audit(username, "login_failed", {"address": address, "blocked_for_s": round(wait, 1)})
        elif status and status[0] < 400:
            self.throttle.succeeded(keys[0])


def _secure_cookies(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = []
            for key, value in message.get("headers", []):
                if key.lower() == b"set-cookie" and b"secure" not in value.lower():
                    value = value + b"; Secure"
                headers.append((key, value))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
