"""Secrets refused when weak: empty, a known placeholder, or shorter than 32 bytes stop start-up.

Only an explicit development mode (`LOCKPILOT_DEV_MODE=1`, off by default) lets a weak secret through,
with a warning naming it.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog

log = structlog.get_logger(__name__)

MIN_BYTES = 32
PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "senha",
        "xoxb-changeme",
        "xoxb-change-me",
        "test",
        "token",
        "default",
        "example",
        "your-secret",
        "your-token",
        "replace-me",
        "admin",
    }
)


class WeakSecret(ValueError):
    """A configured secret is empty, a placeholder or too short; the message names the variable."""


def weakness(value: str | None) -> tuple[str, str] | None:
    """Why a secret is weak (pt, en), or None when it is strong enough."""
    if value is None or not value.strip():
        return "vazio", "empty"
    text = value.strip()
    if text.lower() in PLACEHOLDERS or any(text.lower().endswith(f"-{p}") for p in PLACEHOLDERS):
        return "um valor de exemplo conhecido", "a known placeholder"
    if len(text.encode()) < MIN_BYTES:
        return f"menor que {MIN_BYTES} bytes", f"shorter than {MIN_BYTES} bytes"
    return None


def check_secrets(secrets: Iterable[tuple[str, str | None]], *, dev_mode: bool) -> None:
    """Refuse (WeakSecret) the first weak secret of (variable, value) pairs; dev mode only warns."""
    for name, value in secrets:
        why = weakness(value)
        if why is None:
            continue
        message = (
            f"{name} é fraco ({why[0]}): use um segredo aleatório de {MIN_BYTES} bytes ou mais / "
            f"{name} is weak ({why[1]}): set a random secret of at least {MIN_BYTES} bytes"
        )
        if not dev_mode:
            raise WeakSecret(message)
        log.warning("weak_secret_allowed_in_dev_mode", variable=name, reason=why[1])
