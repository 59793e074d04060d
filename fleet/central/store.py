"""What the central keeps in Redis for each site: current values (a CurrentStore per site, keyed by site),
alarm documents (the rules part's format), the site's status, and the history marks that make replays
idempotent; plus the readers other processes (tools, dashboard) use."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis

from lockpilot.clock import Clock, SystemClock
from lockpilot.plant import Plant
from storage.current import CurrentValue, read_current
from storage.current_store import CurrentStore
from storage.keys import FleetKeys


@dataclass
class SiteStatus:
    """One site as the central sees it (the JSON of the sites hash)."""

    site: str
    online: bool = False
    since: float | None = None  # epoch s of the last online/offline change
    last_seen: float | None = None  # epoch s of the last message
    bd_seq: int | None = None
    births: int = 0
    seq_gaps: int = 0
    rebirths_requested: int = 0
    first_out: str = ""
    devices: dict[str, bool] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "devices": dict(self.devices)}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> SiteStatus:
        known = {k: v for k, v in doc.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def site_plant(plant: Plant, keys: FleetKeys, site: str) -> Plant:
    """The central's plant model under the site's namespace (what CurrentStore and readers key on)."""
    return dataclasses.replace(plant, name=keys.namespace(site))


class FleetStore:
    """Writes of the central (called from its MQTT thread; the current values go through CurrentStores)."""

    def __init__(self, redis_url: str, plant: Plant, *, group: str) -> None:
        self.redis_url, self.plant = redis_url, plant
        self.keys = FleetKeys(group)
        self._client = redis.Redis.from_url(redis_url, socket_timeout=2.0)
        self._current: dict[str, CurrentStore] = {}

    def current(self, site: str) -> CurrentStore:
        """The site's current store (started on first use)."""
        store = self._current.get(site)
        if store is None:
            store = CurrentStore(self.redis_url, site_plant(self.plant, self.keys, site))
            store.start()
            self._current[site] = store
        return store

    def write_alarms(self, site: str, docs: Iterable[Mapping[str, Any]]) -> None:
        mapping = {d["alarm_id"]: json.dumps(d, separators=(",", ":")) for d in docs}
        if mapping:
            self._client.hset(self.keys.site(site).alarms, mapping=mapping)

    def write_status(self, statuses: Iterable[SiteStatus]) -> None:
        mapping = {s.site: json.dumps(s.as_dict(), separators=(",", ":")) for s in statuses}
        if mapping:
            self._client.hset(self.keys.sites, mapping=mapping)  # type: ignore[arg-type]

    def write_marks(self, site: str, marks: Mapping[str, int]) -> None:
        if marks:
            self._client.hset(self.keys.history_marks(site), mapping=dict(marks))  # type: ignore[arg-type]

    def read_marks(self, site: str) -> dict[str, int]:
        raw = self._client.hgetall(self.keys.history_marks(site))
        return {_text(k): int(v) for k, v in raw.items()}

    def wait_idle(self, *, timeout_s: float) -> bool:
        return all(store.wait_idle(timeout_s=timeout_s) for store in list(self._current.values()))

    def close(self) -> None:
        for store in self._current.values():
            store.stop()
        self._current.clear()
        self._client.close()


class FleetReader:
    """Read side for other processes: site statuses, a site's current values and alarm documents."""

    def __init__(self, redis_url: str, *, group: str, clock: Clock | None = None) -> None:
        self.keys = FleetKeys(group)
        self.clock = clock or SystemClock()
        self._client = redis.Redis.from_url(redis_url, socket_timeout=2.0)

    def sites(self) -> list[SiteStatus]:
        raw = self._client.hgetall(self.keys.sites)
        return sorted((SiteStatus.from_doc(json.loads(v)) for v in raw.values()), key=lambda s: s.site)

    def current(self, site: str, tags: Iterable[str] | None = None) -> dict[str, CurrentValue | None]:
        return read_current(self._client, self.keys.namespace(site), tags, clock=self.clock)

    def alarms(self, site: str) -> list[dict[str, Any]]:
        raw = self._client.hgetall(self.keys.site(site).alarms)
        return [json.loads(v) for v in raw.values()]

    def close(self) -> None:
        self._client.close()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
