"""Redis key names, namespaced by plant: the one place every part takes its keys from."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "lockpilot"


@dataclass(frozen=True, slots=True)
class RedisKeys:
    """Key names of one plant; other parts add theirs here (alarms, chat sessions...)."""

    plant: str

    @property
    def base(self) -> str:
        return f"{PREFIX}:{self.plant}"

    @property
    def current(self) -> str:
        """Hash: field = tag, value = compact JSON {v, t, q, u?}."""
        return f"{self.base}:current"

    @property
    def changes(self) -> str:
        """Stream of values that moved beyond their deadband or changed quality."""
        return f"{self.base}:changes"

    @property
    def alarms(self) -> str:
        """Hash of alarm states (owned by rules/)."""
        return f"{self.base}:alarms"

    def chat_session(self, session_id: str) -> str:
        """Key of one chat session (owned by the agent)."""
        return f"{self.base}:chat:{session_id}"


@dataclass(frozen=True, slots=True)
class FleetKeys:
    """Key names of a central watching a Sparkplug group: each site gets a plant-like namespace of its own."""

    group: str

    @property
    def base(self) -> str:
        return f"{PREFIX}:fleet:{self.group}"

    def site(self, site: str) -> RedisKeys:
        """The site's keys as a plant's (current hash, change stream, alarms hash), under the fleet."""
        return RedisKeys(self.namespace(site))

    def namespace(self, site: str) -> str:
        """The plant name the central's stores use for a site."""
        return f"fleet:{self.group}:{site}"

    @property
    def sites(self) -> str:
        """Hash: field = site (edge node id), value = JSON status (online, since, last seen, first-out...)."""
        return f"{self.base}:sites"

    def history_marks(self, site: str) -> str:
        """Hash: field = metric, value = time (ms) of the newest sample committed to the fleet history."""
        return f"{self.base}:{site}:history_marks"
