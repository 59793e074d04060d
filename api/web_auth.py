"""Who is behind a web request: an API bearer token, or a chat session that still stands (api.sessions)."""

from __future__ import annotations

import ipaddress

from fastapi import Request

from api.services import Services


def web_user(request: Request) -> str | None:
    """The user of a request: a valid API token's, or a standing chat session's (the directory, now)."""
    svc: Services = request.app.state.services
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and svc.metering is not None:
        user = svc.metering.user_of(auth[7:].strip())
        return user.username if user else None
    if not getattr(request.app.state, "chat_mounted", False):
        return None  # no chat in this app, so no chat session; importing chainlit here would load its config
    from chainlit.auth.cookie import get_token_from_cookies

    token = get_token_from_cookies(dict(request.cookies))
    if not token:
        return None
    found = svc.sessions.user(token)
    return found.username if found else None


def from_loopback(request: Request) -> bool:
    """True when the request comes from this machine (127.0.0.0/8, ::1)."""
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
