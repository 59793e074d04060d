"""A site's alarm metrics as the rules part's alarm documents (what tools.alarm_store reads), newest wins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fleet.central.tracking import DeviceBirth, SiteTrack
from fleet.sparkplug.codec import Received
from fleet.sparkplug.topics import FIRST_OUT, alarm_of_metric


def _iso_ms(t_ms: Any) -> str | None:
    return None if t_ms is None else datetime.fromtimestamp(int(t_ms) / 1000, UTC).isoformat()


def alarm_docs(track: SiteTrack, birth: DeviceBirth, metrics: list[Received]) -> list[dict[str, Any]]:
    """Documents of the alarms whose state metric is newer than the one kept (replays never go back)."""
    docs: dict[str, dict[str, Any]] = {}
    for m in metrics:
        name = track.name_of(birth, m)
        alarm_id = alarm_of_metric(name) if name else None
        if alarm_id is None or name is None or m.value is None:
            continue
        t_ms = m.timestamp_ms or 0
        if t_ms < track.alarm_marks.get(alarm_id, -1):
            continue
        track.alarm_marks[alarm_id] = t_ms
        static = birth.properties.get(name, {})
        props = m.properties
        docs[alarm_id] = {
            "alarm_id": alarm_id,
            "kind": "rule",
            "state": str(m.value),
            "active": bool(props.get("active")),
            "first_out": bool(props.get("firstOut")),
            "activated_at": _iso_ms(props.get("since")),
            "priority": static.get("priority", ""),
            "severity": static.get("severity", ""),
            "name_pt": static.get("name_pt", alarm_id),
            "name_en": static.get("name_en", alarm_id),
            "equipment": static.get("equipment", ""),
            "updated_ms": t_ms,
        }
    return list(docs.values())


def first_out_of(track: SiteTrack, birth: DeviceBirth, metrics: list[Received]) -> str | None:
    """The newest first-out among the metrics (None when none carries it, or only older ones)."""
    found: str | None = None
    for m in metrics:
        if track.name_of(birth, m) != FIRST_OUT:
            continue
        t_ms = m.timestamp_ms or 0
        if t_ms < track.alarm_marks.get(FIRST_OUT, -1):
            continue
        track.alarm_marks[FIRST_OUT] = t_ms
        found = str(m.value or "")
    return found
