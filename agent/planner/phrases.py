"""How the offline planner says values, times and qualities, in Portuguese and English."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lockpilot.formatting import local_time, quantity
from lockpilot.language import Language

QUALITY = {
    "good": ("boa", "good"),
    "bad": ("ruim", "bad"),
    "stale": ("desatualizada", "stale"),
    "comm_error": ("falha de comunicação", "communication error"),
}
REASONS = {
    "not_in_allow_list": (
        "o comando não está na lista de comandos permitidos",
        "the command is not on the allow-list",
    ),
    "not_asked_by_user": (
        "a sua mensagem não pediu este comando",
        "your message did not ask for this command",
    ),
    "value_required": ("informe o valor do setpoint", "give the setpoint value"),
    "current_value_unknown": (
        "o valor atual do setpoint não é confiável",
        "the current setpoint is not trusted",
    ),
    "below_min": ("valor abaixo do mínimo permitido", "value below the allowed minimum"),
    "above_max": ("valor acima do máximo permitido", "value above the allowed maximum"),
    "above_max_step": (
        "mudança maior que o passo máximo permitido",
        "change larger than the allowed maximum step",
    ),
    "preconditions_failing": ("pré-condições não atendidas", "preconditions not met"),
    "plc_unreachable": (
        "sem comunicação com o CLP, as pré-condições não podem ser verificadas",
        "no communication with the PLC, so the preconditions cannot be checked",
    ),
    "operator_role_required_to_request": (
        "somente um operador pode pedir comandos; com o seu perfil eu só consulto e explico",
        "only an operator can request commands; with your role I can only read and explain",
    ),
    "operator_role_required": (
        "somente um usuário com papel de operador pode aprovar",
        "only a user with the operator role can approve",
    ),
}


def say(language: Language, pt: str, en: str) -> str:
    """Pick the sentence of the user's language."""
    return pt if language is Language.PT else en


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str) and value.endswith(" UTC"):
        value = value.removesuffix(" UTC").replace(" ", "T") + "+00:00"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def clock_time(value: Any, tz: str = "UTC") -> str:
    """HH:MM:SS of a datetime or ISO string in the plant's time zone (UTC marked as such)."""
    when = _when(value)
    if when is None:
        return "—"
    if tz == "UTC":
        return when.astimezone(UTC).strftime("%H:%M:%S UTC")
    return local_time(when, tz=tz)


def date_time(value: Any, tz: str = "UTC") -> str:
    """DD/MM HH:MM in the plant's time zone (for moments that may not be today)."""
    when = _when(value)
    if when is None:
        return "—"
    return local_time(when, tz=tz, seconds=False, date=True)


def utc_time(value: Any) -> str:
    """HH:MM:SS UTC (the detail beside a local time)."""
    return clock_time(value, "UTC")


def decimals(value: float) -> int:
    """Digits shown: hundredths below 100 (levels, temperatures), tenths above (pressures, speeds)."""
    return 1 if abs(value) >= 100 else 2


def number(value: Any, unit: str = "", language: Language = Language.PT) -> str:
    """A value with its unit: booleans as sim/não (yes/no), reals with a decimal comma in Portuguese."""
    places = decimals(value) if isinstance(value, float) else 2
    return quantity(value, unit, decimals=places, language=language)


def duration(seconds: float, language: Language) -> str:
    """A duration as people say it: "40 segundos", "4 min", "1 h 05 min"."""
    if seconds < 90:
        n = max(round(seconds), 1)
        return say(language, f"{n} segundo{'s' if n > 1 else ''}", f"{n} second{'s' if n > 1 else ''}")
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def quality(value: Any, language: Language) -> str:
    """The quality word in the user's language."""
    pt, en = QUALITY.get(str(value), (str(value), str(value)))
    return say(language, pt, en)


def reason(text: str, language: Language) -> str:
    """A refusal reason code ("above_max 100") in words."""
    code, _, detail = text.partition(" ")
    pt, en = REASONS.get(code, (code, code))
    return say(language, pt, en) + (f" ({detail})" if detail else "")
