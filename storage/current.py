"""Current values in Redis: the compact JSON codec and typed reads with the value's age."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from lockpilot.clock import Clock, SystemClock
from lockpilot.samples import Quality, Sample, Value
from storage.keys import RedisKeys


@dataclass(frozen=True, slots=True)
class CurrentValue:
    """The latest value of a tag as stored in Redis, with its age when read."""

    tag: str
    value: Value | None
    time: datetime
    quality: Quality
    unit: str
    age_s: float
    source: str = ""  # who produced it: a device id, or "sim:..." for a simulated peer


def encode(sample: Sample, unit: str) -> str:
    """Compact JSON {v, t, q, u?, s?} of a sample (t in epoch seconds, ms precision; s its source)."""
    doc: dict[str, object] = {
        "v": sample.value,
        "t": round(sample.time.timestamp(), 3),
        "q": sample.quality.value,
    }
    if unit:
        doc["u"] = unit
    if sample.source:
        doc["s"] = sample.source
    return json.dumps(doc, separators=(",", ":"))


def decode(tag: str, raw: str | bytes, *, now: datetime) -> CurrentValue:
    """Parse one hash field into a CurrentValue aged against `now`."""
    doc = json.loads(raw)
    when = datetime.fromtimestamp(doc["t"], UTC)
    return CurrentValue(
        tag=tag,
        value=doc["v"],
        time=when,
        quality=Quality(doc["q"]),
        unit=doc.get("u", ""),
        age_s=(now - when).total_seconds(),
        source=doc.get("s", ""),
    )


def read_current(
    client: redis.Redis, plant: str, tags: Iterable[str] | None = None, *, clock: Clock | None = None
) -> dict[str, CurrentValue | None]:
    """Current values of `tags` (all stored tags when None); None for a tag with no value yet."""
    key = RedisKeys(plant).current
    now = (clock or SystemClock()).now()
    if tags is None:
        stored = client.hgetall(key)
        return {_text(k): decode(_text(k), v, now=now) for k, v in sorted(stored.items())}
    names = list(tags)
    raws = client.hmget(key, names) if names else []
    return {
        name: None if raw is None else decode(name, raw, now=now)
        for name, raw in zip(names, raws, strict=True)
    }


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
