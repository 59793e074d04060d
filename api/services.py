"""The running parts the web side talks to, in one container the DataPlane fills in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from agent.service import Copilot
from api.sessions import SessionGuard
from api.telemetry import Telemetry
from api.users import UserDirectory
from api.web_settings import WebSettings
from lockpilot.clock import Clock
from lockpilot.plant import Plant
from metering.store import MeteringStore
from rules.bundle import PlantBundle
from storage.audit_chain import AuditChain, AuditKind
from tools.context import ToolContext


class PartStatus(StrEnum):
    """Health of one part, as /health reports it."""

    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    ABSENT = "absent"  # not running in this process


class AlarmActions(Protocol):
    """Operator actions on live alarms (the rules engine's ISA-18.2 book)."""

    def acknowledge(self, alarm_id: str, *, user: str, comment: str) -> dict[str, Any]: ...

    def shelve(self, alarm_id: str, *, for_s: float, user: str, comment: str) -> dict[str, Any]: ...


class StoredAlarmActions:
    """Acknowledge and shelve through the rules part's alarm store (the live runner mirrors them)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def acknowledge(self, alarm_id: str, *, user: str, comment: str) -> dict[str, Any]:
        """Acknowledge an alarm now; raises AlarmOperationError."""
        from tools.alarm_store import AlarmAction

        return dict(self.store.act(alarm_id, AlarmAction.ACK, user=user, comment=comment).as_dict())

    def shelve(self, alarm_id: str, *, for_s: float, user: str, comment: str) -> dict[str, Any]:
        """Shelve an alarm for `for_s` seconds; raises AlarmOperationError."""
        from tools.alarm_store import AlarmAction

        return dict(
            self.store.act(alarm_id, AlarmAction.SHELVE, user=user, comment=comment, for_s=for_s).as_dict()
        )


Probe = Callable[[], tuple[PartStatus, dict[str, Any]]]


@dataclass
class Services:
    """Everything the API, chat, dashboard and bots use; missing parts answer 503 or 'unavailable'."""

    bundle: PlantBundle
    clock: Clock
    tools: ToolContext
    users: UserDirectory
    web: WebSettings = field(default_factory=WebSettings)
    metering: MeteringStore | None = None
    copilot: Copilot | None = None
    alarm_actions: AlarmActions | None = None
    telemetry: Telemetry = field(default_factory=Telemetry)
    probes: dict[str, Probe] = field(default_factory=dict)
    database_url: str | None = None
    data_dir: Path = Path(".lockpilot")
    audit: AuditChain | None = None  # the process's one audit chain (security events go there too)
    started_at: datetime | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    _sessions: SessionGuard | None = field(default=None, init=False, repr=False)

    @property
    def plant(self) -> Plant:
        return self.bundle.plant

    @property
    def sessions(self) -> SessionGuard:
        """The chat and dashboard session check (the directory, now; sessions of `web.session_hours`)."""
        if self._sessions is None:
            self._sessions = SessionGuard(self.users, max_age_s=self.web.session_hours * 3600)
        return self._sessions

    def security_event(self, actor: str, action: str, data: dict[str, Any]) -> None:
        """One line in the audit chain for a login refused or throttled."""
        if self.audit is not None:
            self.audit.append(AuditKind.SECURITY, actor=actor, data={"action": action, **data})

    @property
    def timezone(self) -> str:
        """The plant's local time zone (LOCKPILOT_TIMEZONE, default America/Sao_Paulo)."""
        return self.tools.timezone

    def health(self) -> dict[str, Any]:
        """Each part's status and details; the worst one is the overall status."""
        parts: dict[str, Any] = {}
        for name, probe in self.probes.items():
            try:
                status, details = probe()
            except Exception as exc:  # a failing probe means a failing part, never a failing /health
                status, details = PartStatus.DOWN, {"error": str(exc)}
            parts[name] = {"status": status.value, **details}
        for name, present in (
            ("agent", self.copilot),
            ("alarms", self.tools.alarms),
            ("history", self.tools.history),
            ("knowledge", self.tools.knowledge),
            ("commands", self.tools.commands),
        ):
            parts.setdefault(
                name, {"status": (PartStatus.UP if present is not None else PartStatus.ABSENT).value}
            )
        states = {p["status"] for p in parts.values()}
        overall = (
            PartStatus.DOWN
            if PartStatus.DOWN.value in states
            else (PartStatus.DEGRADED if PartStatus.DEGRADED.value in states else PartStatus.UP)
        )
        return {"status": overall.value, "parts": parts}

    def close(self) -> None:
        """Close what was opened for the web side, newest first."""
        for closer in reversed(self.closers):
            closer()
        self.closers.clear()
