"""Redis current store: latest values, the deadband change stream, reads with age, key names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis

from lockpilot.clock import ManualClock
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from storage.current import read_current
from storage.current_store import CurrentStore, moved
from storage.keys import RedisKeys

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def sample(tag: str, seconds: float, value: float | bool | None, quality: Quality = Quality.GOOD) -> Sample:
    return Sample(tag, T0 + timedelta(seconds=seconds), value, quality, "test")


def test_keys_are_namespaced_by_plant() -> None:
    keys = RedisKeys("lock")
    assert (keys.current, keys.changes, keys.alarms) == (
        "lockpilot:lock:current",
        "lockpilot:lock:changes",
        "lockpilot:lock:alarms",
    )
    assert keys.chat_session("abc") == "lockpilot:lock:chat:abc"


def test_moved_respects_deadband_and_quality() -> None:
    base = sample("x", 0, 1.0)
    assert not moved(base, sample("x", 1, 1.009), 0.01)
    assert moved(base, sample("x", 1, 1.02), 0.01)
    assert moved(base, sample("x", 1, 1.0, Quality.STALE), 0.01)
    assert moved(sample("b", 0, False), sample("b", 1, True), 0.0)
    assert moved(None, base, 0.01)


def test_store_keeps_latest_and_streams_changes(redis_url: str, plant: Plant) -> None:
    store = CurrentStore(redis_url, plant)
    store.start()
    batch = [
        sample("nivel_camara", 0, 5.0),
        sample("nivel_camara", 1, 5.005),  # within 0.01 deadband
        sample("nivel_camara", 2, 5.5),
        sample("bomba_principal_status", 0, True),
        sample("nivel_camara", -5, 1.0),
    ]  # older than what is stored: ignored
    store.publish(batch)
    assert store.wait_idle(timeout_s=10)
    store.stop()
    client = redis.Redis.from_url(redis_url)
    clock = ManualClock(T0 + timedelta(seconds=12))
    values = read_current(
        client, plant.name, ["nivel_camara", "bomba_principal_status", "pressao_succao"], clock=clock
    )
    level = values["nivel_camara"]
    assert level is not None and (level.value, level.unit, level.quality, level.age_s) == (
        5.5,
        "m",
        Quality.GOOD,
        10.0,
    )
    assert values["bomba_principal_status"] is not None and values["bomba_principal_status"].value is True
    assert values["pressao_succao"] is None
    stream = client.xrange(RedisKeys(plant.name).changes)
    assert [(f[b"tag"], f[b"v"]) for _, f in stream] == [
        (b"nivel_camara", b"5.0"),
        (b"nivel_camara", b"5.5"),
        (b"bomba_principal_status", b"True"),
    ]
    assert set(read_current(client, plant.name, clock=clock)) == {"nivel_camara", "bomba_principal_status"}
