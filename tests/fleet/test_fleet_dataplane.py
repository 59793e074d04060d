"""The composition root publishes the lock when LOCKPILOT_MQTT_URL is set: `lockpilot up`'s DataPlane (twin,
collector, rules) shows up at a central through the machine's Mosquitto, and its clean stop is its NDEATH."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.loopback import loopback_plane
from fleet.central.store import FleetReader
from lockpilot.settings import Settings
from rules.bundle import PlantBundle
from storage.migrate import migrate
from tests.fleet.sites import Central, mqtt_settings, wait_for


def test_the_dataplane_publishes_the_lock_to_the_central(
    bundle: PlantBundle, pg_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(pg_url)
    group = f"plane-{uuid.uuid4().hex[:6]}"
    settings = mqtt_settings(1883, group=group, host_id=f"central-{group}")
    for name, value in {
        "LOCKPILOT_MQTT_URL": "mqtt://127.0.0.1:1883",
        "LOCKPILOT_SPARKPLUG_GROUP": group,
        "LOCKPILOT_SPARKPLUG_NODE": "eclusa-5",
        "LOCKPILOT_SPARKPLUG_HOST_ID": settings.sparkplug_host_id,
    }.items():
        monkeypatch.setenv(name, value)
    central = Central(
        settings, bundle.plant, pg_url=pg_url, redis_url=redis_url, data_dir=tmp_path / "central"
    )
    reader = FleetReader(redis_url, group=group)
    plane = loopback_plane(
        Settings(data_dir=tmp_path / "site", database_url=pg_url, redis_url=redis_url),
        bundle=bundle,
        http=False,
        copilot=None,
        meters=False,
        metering=False,
    )
    try:
        plane.start()
        site = lambda: next((s for s in reader.sites() if s.site == "eclusa-5"), None)  # noqa: E731
        assert wait_for(lambda: (s := site()) is not None and s.online and s.devices.get("clp"), timeout_s=30)
        assert wait_for(
            lambda: reader.current("eclusa-5", ["nivel_camara"])["nivel_camara"] is not None, timeout_s=10
        )
        plane.stop()
        assert wait_for(lambda: (s := site()) is not None and not s.online, timeout_s=10)
    finally:
        plane.stop()
        central.stop()
        reader.close()
