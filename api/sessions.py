"""Chat and dashboard sessions: a signed token that names the user and the epoch it was opened in.

Every request checks the token against the user directory now: the user must still exist and be enabled,
the session must be younger than the configured length (default 12 h, a shift) and opened in the user's
current epoch (a role, password or status change moves it on and ends the sessions opened before).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import jwt

from api.users import UiUser, UserDirectory

SECRET_ENV = "CHAINLIT_AUTH_SECRET"
CACHE_S = 1.0  # read-only requests (assets, polling) within a second ask the directory once


def _secret() -> str | None:
    return os.environ.get(SECRET_ENV)


class SessionGuard:
    """Decides whether a session token still stands, asking the directory (read-only requests: at most
    once a second)."""

    def __init__(
        self,
        users: UserDirectory,
        *,
        max_age_s: float,
        secret: Callable[[], str | None] = _secret,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users, self.max_age_s = users, max_age_s
        self._secret, self._wall, self._monotonic = secret, wall, monotonic
        self._cache: dict[str, tuple[float, UiUser | None]] = {}
        self._lock = threading.Lock()

    def claims(self, token: str) -> dict[str, Any] | None:
        """The token's claims when its signature, expiry and age hold, else None."""
        secret = self._secret()
        if not secret or not token:
            return None
        try:
            claims: dict[str, Any] = jwt.decode(
                token, secret, algorithms=["HS256"], options={"require": ["exp", "iat"]}
            )
        except jwt.PyJWTError:
            return None
        if self._wall() - float(claims["iat"]) > self.max_age_s:
            return None
        return claims

    def user(self, token: str, *, cached: bool = False) -> UiUser | None:
        """The directory's user behind a standing session, or None (forged, expired, stale, disabled).

        `cached`: a read-only request (asset, polling) may reuse an answer of the last second; a request
        that changes anything (an approval, a login) always asks the directory.
        """
        now = self._monotonic()
        if cached:
            with self._lock:
                hit = self._cache.get(token)
            if hit is not None and now - hit[0] < CACHE_S:
                return hit[1]
        found = self._check(token)
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[token] = (now, found)
        return found

    def _check(self, token: str) -> UiUser | None:
        claims = self.claims(token)
        if claims is None:
            return None
        found = self.users.get(str(claims.get("identifier", "")))
        epoch = (claims.get("metadata") or {}).get("epoch")
        if found is None or epoch != found.session_epoch:
            return None
        return found
