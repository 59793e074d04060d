"""Numbers, times and state names as the operator reads them: pt-BR first (decimal comma, local time).

One place for every channel (chat, dashboard, command verdicts, CLI, the offline planner): call
`number`, `quantity`, `yes_no`, `local_time`, `state_name` instead of formatting by hand.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lockpilot.language import Language

DEFAULT_TIMEZONE = "America/Sao_Paulo"

# ISA-18.2 alarm states (rules.lifecycle.AlarmState values) and command outcomes as operators say them.
_STATE_NAMES: dict[str, tuple[str, str]] = {
    "normal": ("normal", "normal"),
    "unacknowledged": ("ativo, não reconhecido", "active, unacknowledged"),
    "acknowledged": ("ativo, reconhecido", "active, acknowledged"),
    "returned_unacknowledged": ("normalizado, não reconhecido", "returned, unacknowledged"),
    "shelved": ("arquivado", "shelved"),
    "suppressed": ("suprimido por projeto", "suppressed by design"),
    "suppressed_by_design": ("suprimido por projeto", "suppressed by design"),
    "out_of_service": ("fora de serviço", "out of service"),
    # command states
    "pending": ("aguardando aprovação", "pending approval"),
    "approved": ("aprovado", "approved"),
    "executing": ("em execução", "executing"),
    "verified": ("executado e verificado", "written and verified"),
    "failed": ("escrito, não confirmado pelo campo", "written, not confirmed by the field"),
    "aborted": ("abortado, nada escrito", "aborted, nothing written"),
    "rejected": ("rejeitado", "rejected"),
    "expired": ("expirado", "expired"),
    "refused": ("recusado", "refused"),
    # equipment
    "on": ("ligado", "on"),
    "off": ("desligado", "off"),
    "open": ("aberta", "open"),
    "closed": ("fechada", "closed"),
    "moving": ("em movimento", "moving"),
    "fault": ("em falha", "in fault"),
}


# Alarm lifecycle events (rules.lifecycle.EventKind values) and operator actions: what happened.
_EVENT_NAMES: dict[str, tuple[str, str]] = {
    "activated": ("ativado", "activated"),
    "cleared": ("normalizado", "cleared"),
    "acknowledged": ("reconhecido", "acknowledged"),
    "ack": ("reconhecido", "acknowledged"),
    "shelved": ("arquivado", "shelved"),
    "shelve": ("arquivado", "shelved"),
    "unshelved": ("desarquivado", "unshelved"),
    "unshelve": ("desarquivado", "unshelved"),
    "shelve_expired": ("arquivamento vencido", "shelving expired"),
    "suppressed": ("suprimido", "suppressed"),
    "unsuppressed": ("não mais suprimido", "unsuppressed"),
    "removed_from_service": ("retirado de serviço", "removed from service"),
    "returned_to_service": ("de volta ao serviço", "returned to service"),
    "chattering": ("intermitente", "chattering"),
    "chattering_ended": ("intermitência encerrada", "chattering ended"),
    "flood_started": ("início de avalanche de alarmes", "alarm flood started"),
    "flood_ended": ("fim da avalanche de alarmes", "alarm flood ended"),
}


def number(value: float | int | None, *, decimals: int = 2, language: Language = Language.PT) -> str:
    """A number with a decimal comma in Portuguese ("95,9"), trailing zeros trimmed; "—" for nothing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return yes_no(value, language=language)
    if isinstance(value, int):
        if abs(value) < 10_000:
            return str(value)
        return f"{value:,}".replace(",", "." if language is Language.PT else ",")
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",") if language is Language.PT else text


def fixed(value: float | None, *, decimals: int = 2, language: Language = Language.PT) -> str:
    """A number with exactly `decimals` places ("4,95"), for aligned columns and schematic labels."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    text = f"{float(value):.{decimals}f}"
    return text.replace(".", ",") if language is Language.PT else text


def yes_no(value: bool, *, language: Language = Language.PT) -> str:
    """A bit as a word ("sim"/"não")."""
    if language is Language.PT:
        return "sim" if value else "não"
    return "yes" if value else "no"


def quantity(
    value: float | int | bool | None, unit: str = "", *, decimals: int = 2, language: Language = Language.PT
) -> str:
    """A value with its unit ("95,9 %", "4,95 m"); bits as sim/não."""
    if isinstance(value, bool):
        return yes_no(value, language=language)
    text = number(value, decimals=decimals, language=language)
    return f"{text} {unit}".strip() if value is not None and unit else text


@lru_cache(maxsize=16)
def zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The plant's time zone (an unknown name falls back to America/Sao_Paulo)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_time(
    moment: datetime | None, *, tz: str = DEFAULT_TIMEZONE, seconds: bool = True, date: bool = False
) -> str:
    """A UTC time in the plant's local time ("03:12:05", or "24/11/2026 03:12:05" with the date)."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(zone(tz))
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return local.strftime(f"%d/%m/%Y {clock}" if date else clock)


def utc_time(moment: datetime | None) -> str:
    """The same moment in UTC, for details ("2026-11-24 06:12:05 UTC")."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def local_and_utc(moment: datetime | None, *, tz: str = DEFAULT_TIMEZONE) -> str:
    """Local time first with UTC after it ("24/11/2026 03:12:05 (06:12:05 UTC)")."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return f"{local_time(aware, tz=tz, date=True)} ({aware.astimezone(UTC).strftime('%H:%M:%S')} UTC)"


def state_name(state: str | None, *, language: Language = Language.PT) -> str:
    """An alarm, event or command state in the user's words ("returned_unacknowledged" ->
    "normalizado, não reconhecido"); an unknown state is shown with spaces for underscores."""
    if not state:
        return "—"
    key = str(getattr(state, "value", state))
    found = _STATE_NAMES.get(key)
    if found is None:
        return key.replace("_", " ")
    return found[0] if language is Language.PT else found[1]


def event_name(kind: str | None, *, language: Language = Language.PT) -> str:
    """An alarm event or operator action in the user's words ("shelved" -> "arquivado")."""
    if not kind:
        return "—"
    key = str(getattr(kind, "value", kind))
    found = _EVENT_NAMES.get(key)
    if found is None:
        return key.replace("_", " ")
    return found[0] if language is Language.PT else found[1]
