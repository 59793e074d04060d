"""Group alarms into incidents by declared causal links and time windows; name the first-out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Incident:
    """Alarms that belong together: the first-out (root), the probable cause by causal links, members."""

    id: str
    root: str
    started_at: datetime
    members: list[tuple[str, datetime]] = field(default_factory=list)
    last_activation: datetime | None = None
    closed_at: datetime | None = None
    probable_cause: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "root": self.root,
            "probable_cause": self.probable_cause,
            "started_at": self.started_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "members": [{"alarm_id": a, "time": t.isoformat()} for a, t in self.members],
        }


def causal_depth(causes: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """How many declared causes stand above each alarm (0 for alarms nothing causes); cycles are cut."""
    parents: dict[str, list[str]] = {}
    for cause, effects in causes.items():
        for effect in effects:
            parents.setdefault(effect, []).append(cause)
    depth: dict[str, int] = {}

    def visit(node: str, path: frozenset[str]) -> int:
        if node in depth:
            return depth[node]
        ups = [p for p in parents.get(node, ()) if p not in path]
        depth[node] = 0 if not ups else 1 + max(visit(p, path | {node}) for p in ups)
        return depth[node]

    for node in causes:
        visit(node, frozenset())
    return depth


class Correlator:
    """Incidents open while members are active or recent; a new alarm joins by link or by time window."""

    def __init__(self, causes: Mapping[str, tuple[str, ...]], *, window_s: float) -> None:
        self.causes = causes
        self.window_s = window_s
        self.open: list[Incident] = []
        self.closed: list[Incident] = []
        self._active: dict[str, Incident] = {}

    def linked(self, a: str, b: str) -> bool:
        """True when the rules declare a causing b or b causing a."""
        return b in self.causes.get(a, ()) or a in self.causes.get(b, ())

    def activate(self, alarm_id: str, when: datetime, *, lead: bool = True) -> tuple[Incident, bool] | None:
        """File an activation and return (incident, first-out); with `lead` false only join one, else None."""
        incident = self._find(alarm_id, when)
        first = incident is None
        if incident is None and not lead:
            return None
        if incident is None:
            incident = Incident(
                id=f"{when.strftime('%Y%m%dT%H%M%S.%f')}-{alarm_id}",
                root=alarm_id,
                started_at=when,
                probable_cause=alarm_id,
            )
            self.open.append(incident)
        incident.members.append((alarm_id, when))
        incident.last_activation = when
        self._active[alarm_id] = incident
        incident.probable_cause = self._probable_cause(incident)
        return incident, first

    def _find(self, alarm_id: str, when: datetime) -> Incident | None:
        for incident in reversed(self.open):
            members = {a for a, _ in incident.members}
            if any(self.linked(alarm_id, m) for m in members) and any(
                self._active.get(m) is incident for m in members
            ):
                return incident
        for incident in reversed(self.open):
            last = incident.last_activation or incident.started_at
            if (when - last).total_seconds() <= self.window_s:
                return incident
        return None

    def _probable_cause(self, incident: Incident) -> str:
        members = [a for a, _ in incident.members]
        for candidate in members:
            others = [m for m in members if m != candidate]
            caused = any(candidate in self.causes.get(m, ()) for m in others)
            if not caused and any(self.linked(candidate, m) for m in others):
                return candidate
        return incident.root

    def clear(self, alarm_id: str) -> None:
        self._active.pop(alarm_id, None)

    def tick(self, now: datetime) -> list[Incident]:
        """Close incidents with no active member and no activation within the window; return them."""
        done = [
            i
            for i in self.open
            if not any(inc is i for inc in self._active.values())
            and (now - (i.last_activation or i.started_at)).total_seconds() > self.window_s
        ]
        for incident in done:
            incident.closed_at = now
            self.open.remove(incident)
            self.closed.append(incident)
        del self.closed[:-200]
        return done

    def incident(self, incident_id: str) -> Incident | None:
        for incident in (*self.open, *self.closed):
            if incident.id == incident_id:
                return incident
        return None
