"""The web side's Services container over a DataPlane's parts: health probes, telemetry, users, copilot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg
import redis

from api.services import PartStatus, Services, StoredAlarmActions
from api.telemetry import Sources, Telemetry
from api.users import UserDirectory
from metering.store import MeteringStore

if TYPE_CHECKING:
    from app.dataplane import DataPlane


def _redis_probe(redis_url: str) -> Any:
    client = redis.Redis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)

    def probe() -> tuple[PartStatus, dict[str, Any]]:
        client.ping()
        return PartStatus.UP, {}

    return probe


def _pg_probe(database_url: str) -> Any:
    def probe() -> tuple[PartStatus, dict[str, Any]]:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return PartStatus.UP, {}

    return probe


def _collector_probe(collectors: Sequence[Any]) -> Any:
    def probe() -> tuple[PartStatus, dict[str, Any]]:
        devices = {
            c.device_id: {
                "connected": c.stats.connected,
                "cycles": c.stats.cycles,
                "cycle_time_s": round(c.stats.cycle_time_s, 4),
            }
            for c in collectors
        }
        ok = all(d["connected"] for d in devices.values())
        return (PartStatus.UP if ok else PartStatus.DEGRADED), {"devices": devices}

    return probe


def _writer_probe(writer: Any) -> Any:
    def probe() -> tuple[PartStatus, dict[str, Any]]:
        details = {"connected": writer.connected, "spool_depth": writer.spool_depth, "lag_s": writer.lag_s}
        return (PartStatus.UP if writer.connected else PartStatus.DEGRADED), details

    return probe


def _probes(plane: DataPlane, collectors: Sequence[Any]) -> dict[str, Any]:
    probes = {"redis": _redis_probe(plane.redis_url), "postgresql": _pg_probe(plane.database_url)}
    if collectors:
        probes["collectors"] = _collector_probe(collectors)
    if plane.writer is not None:
        probes["history_writer"] = _writer_probe(plane.writer)
    return probes


def build_services(plane: DataPlane, *, metering: MeteringStore) -> Services:
    """What the API, chat, dashboard and bots use, over the plane's running parts and its one copilot."""
    assert plane.bundle is not None and plane.copilot is not None
    web, handle = plane.options.web, plane.copilot
    collectors = [plane.collector] if plane.collector is not None else []
    if plane.meters is not None:
        collectors += plane.meters.collectors
    alarms = handle.alarms
    telemetry = Telemetry(
        Sources(
            collectors=collectors,
            writer=plane.writer,
            active_alarms=lambda: len(alarms.active()),
            grounding=handle.copilot.grounding,
        )
    )
    users = UserDirectory(
        database_url=plane.database_url, users_file=web.users_file, default_bot_role=web.bot_default_role
    )
    return Services(
        bundle=plane.bundle,
        clock=plane.clock,
        tools=handle.copilot.tools,
        web=web,
        metering=metering,
        copilot=handle.copilot,
        alarm_actions=StoredAlarmActions(alarms),
        users=users,
        telemetry=telemetry,
        database_url=plane.database_url,
        data_dir=plane.settings.data_dir,
        audit=plane.audit,
        started_at=datetime.now(UTC),
        probes=_probes(plane, collectors),
    )
