"""Build the Services container from URLs: tools over Redis/PostgreSQL, the command desk, the copilot."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import psycopg

from agent.commands.desk import CommandDesk
from agent.commands.plantio import PlantIO, S7PlantIO
from agent.commands.spec import load_commands
from agent.commands.store import CommandStore
from agent.models import load_model
from agent.runtime import checkpointer, tool_context
from agent.service import Copilot
from api.services import EngineAlarmActions, PartStatus, Services, StoredAlarmActions
from api.telemetry import Sources, Telemetry
from api.users import UserDirectory
from api.web_settings import WebSettings
from lockpilot.clock import Clock, SystemClock
from lockpilot.plant import Plant, load_plant
from lockpilot.settings import Settings
from storage.audit_chain import AuditChain
from storage.metering_store import MeteringStore
from storage.migrate import migrate
from tools.adapters import LiveRules
from tools.alarm_store import StoredAlarms
from tools.context import ToolContext


def _redis_probe(current: Any) -> Any:
    def probe() -> tuple[PartStatus, dict[str, Any]]:
        current._client.ping()
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


def _probes(tools: ToolContext, database_url: str, collectors: Sequence[Any], writer: Any) -> dict[str, Any]:
    probes = {"redis": _redis_probe(tools.current), "postgresql": _pg_probe(database_url)}
    if collectors:
        probes["collectors"] = _collector_probe(collectors)
    if writer is not None:
        probes["history_writer"] = _writer_probe(writer)
    return probes


def connect_services(
    settings: Settings,
    *,
    database_url: str,
    redis_url: str,
    plant: Plant | None = None,
    clock: Clock | None = None,
    live_rules: LiveRules | None = None,
    collectors: Sequence[Any] = (),
    writer: Any = None,
    plant_io: PlantIO | None = None,
    web: WebSettings | None = None,
    run_migrations: bool = True,
    rules_runner: Any = None,
) -> Services:
    """Open every part the web side needs; pass the live parts `lockpilot up` runs in the same process."""
    plant = plant or load_plant(settings.plant, root=settings.plants_dir)
    clock, web = clock or SystemClock(), web or WebSettings()
    if run_migrations:
        migrate(database_url)
    io = plant_io or S7PlantIO.from_settings(plant, settings)
    closers = ExitStack()
    store = CommandStore(database_url)
    closers.callback(store.close)
    desk = CommandDesk(plant, load_commands(plant), store, io, clock)
    tools = tool_context(
        plant,
        database_url=database_url,
        redis_url=redis_url,
        clock=clock,
        desk=desk,
        knowledge=True,
        closers=closers,
        live_rules=live_rules,
    )
    copilot = Copilot(
        tools=tools,
        book=desk.book,
        checkpointer=checkpointer(database_url, closers),
        model=load_model(settings.model),
    )
    alarm_store = tools.alarms
    active = (lambda: len(alarm_store.active())) if alarm_store is not None else None
    telemetry = Telemetry(Sources(collectors=list(collectors), writer=writer, active_alarms=active))
    metering = MeteringStore(database_url, audit=AuditChain(settings.data_dir / "audit.log"), clock=clock)
    closers.callback(metering.close)
    if isinstance(io, S7PlantIO):
        closers.callback(io.close)
    users = UserDirectory(
        database_url=database_url, users_file=web.users_file, default_bot_role=web.bot_default_role
    )
    services = Services(
        plant=plant,
        clock=clock,
        tools=tools,
        web=web,
        metering=metering,
        copilot=copilot,
        users=users,
        telemetry=telemetry,
        database_url=database_url,
        data_dir=settings.data_dir,
        started_at=datetime.now(UTC),
        probes=_probes(tools, database_url, collectors, writer),
        rules_runner=rules_runner,
    )
    if live_rules is not None:
        services.alarm_actions = EngineAlarmActions(live_rules.engine, lock=live_rules.lock, clock=clock)
    elif isinstance(tools.alarms, StoredAlarms):
        services.alarm_actions = StoredAlarmActions(tools.alarms)
    services.closers.append(closers.close)
    return services
