"""The Services the chat runs over (set once by chat_ui.setup.mount_chat, read by the Chainlit callbacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.services import Services

_SERVICES: list[Services] = []


def set_services(services: Services) -> None:
    """Make `services` the chat's parts."""
    _SERVICES[:] = [services]


def services() -> Services:
    """The chat's parts; RuntimeError before mount_chat."""
    if not _SERVICES:
        raise RuntimeError("the chat is not mounted (chat_ui.setup.mount_chat)")
    return _SERVICES[0]
