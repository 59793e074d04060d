"""The central's view of each site as the tools' ports: a ToolContext per site over what the fleet host
stored (current values and alarms in Redis, history in fleet_history), so the site tools run unchanged."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg

from fleet.central.history import FleetHistory
from fleet.central.store import FleetReader, SiteStatus
from lockpilot.clock import Clock
from lockpilot.samples import Quality
from rules.bundle import PlantBundle
from storage.current import CurrentValue
from tools.alarm_store import doc_view, is_standing
from tools.context import ToolContext
from tools.ports import AlarmView, Bilingual, RuleView, SequenceCheckView, SequenceInfo
from tools.rule_views import rule_view

ONLINE_STALE_AFTER_S = 10 * 365 * 86400.0  # report by exception: a value is current while its site is online


class SiteCurrent:
    """A site's current values; all of them lose their quality while the site is offline."""

    def __init__(self, reader: FleetReader, site: str, online: bool) -> None:
        self._reader, self._site, self._online = reader, site, online

    def __call__(self, tags: Sequence[str]) -> Mapping[str, CurrentValue | None]:
        values = self._reader.current(self._site, tags)
        if self._online:
            return values
        return {
            t: None
            if v is None
            else CurrentValue(v.tag, v.value, v.time, Quality.COMM_ERROR, v.unit, v.age_s, v.source)
            for t, v in values.items()
        }


class SiteAlarms:
    """A site's standing alarms from the documents the host keeps; rule views from the central's plant."""

    def __init__(self, reader: FleetReader, site: str, views: list[RuleView]) -> None:
        self._reader, self._site, self._views = reader, site, views

    def rules(self) -> list[RuleView]:
        return list(self._views)

    def rule(self, rule_id: str) -> RuleView | None:
        return next((r for r in self._views if r.id == rule_id), None)

    def active(self) -> list[AlarmView]:
        return [doc_view(d) for d in self._reader.alarms(self._site) if is_standing(d)]

    def kpis(self, *, start: datetime, end: datetime) -> dict[str, Any]:
        return {}

    def activations(self, alarm_id: str, *, start: datetime, end: datetime) -> list[datetime]:
        return []  # the site keeps its alarm history; the central keeps states


class SiteSequences:
    """The sequences' codes (to read the running one); prechecks stay at the site."""

    def __init__(self, infos: list[SequenceInfo]) -> None:
        self._infos = infos

    def sequences(self) -> list[SequenceInfo]:
        return list(self._infos)

    def check(self, sequence_id: str) -> SequenceCheckView:
        raise LookupError("sequence checks run at the site, not at the central")


class FleetDesk:
    """Sites by id and a ToolContext for each; the locks share the central's plant design (tags, rules)."""

    def __init__(self, reader: FleetReader, bundle: PlantBundle, *, database_url: str, clock: Clock) -> None:
        self.reader, self.bundle, self.clock = reader, bundle, clock
        self._conn = psycopg.connect(database_url, autocommit=True)
        self._lock = threading.Lock()
        self._views = [rule_view(r, bundle.plant) for r in bundle.rules.rules]
        self._sequences = [
            SequenceInfo(id=s.id, code=s.code, name=Bilingual(pt=s.name.pt, en=s.name.en))
            for s in bundle.sequences.values()
        ]

    def statuses(self) -> list[SiteStatus]:
        return self.reader.sites()

    def site_ids(self) -> list[str]:
        return [s.site for s in self.statuses()]

    def sequences(self) -> list[SequenceInfo]:
        return list(self._sequences)

    def context(self, status: SiteStatus) -> ToolContext:
        """The tools' context of one site (values marked bad while it is offline)."""
        return ToolContext(
            bundle=self.bundle,
            clock=self.clock,
            current=SiteCurrent(self.reader, status.site, status.online),
            history=FleetHistory(self._conn, self._lock, status.site),
            alarms=SiteAlarms(self.reader, status.site, self._views),
            sequences=SiteSequences(self._sequences),
            stale_after_s=ONLINE_STALE_AFTER_S,
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        self.reader.close()
