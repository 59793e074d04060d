"""How the offline planner says values, times and qualities, in Portuguese and English."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
        "o CLP não respondeu: nada foi lido nem escrito",
        "the PLC did not answer: nothing was read or written",
    ),
    "operator_role_required": (
        "somente um usuário com papel de operador pode aprovar",
        "only a user with the operator role can approve",
    ),
}


def say(language: Language, pt: str, en: str) -> str:
    """Pick the sentence of the user's language."""
    return pt if language is Language.PT else en


def clock_time(value: Any) -> str:
    """HH:MM:SS UTC of a datetime or ISO string."""
    if value is None:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.strftime("%H:%M:%S UTC")


def number(value: Any, unit: str = "", language: Language = Language.PT) -> str:
    """A value with its unit: booleans as sim/não (yes/no), reals with 2 decimals."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return say(language, "sim" if value else "não", "yes" if value else "no")
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".rstrip()


def quality(value: Any, language: Language) -> str:
    """The quality word in the user's language."""
    pt, en = QUALITY.get(str(value), (str(value), str(value)))
    return say(language, pt, en)


def reason(text: str, language: Language) -> str:
    """A refusal reason code ("above_max 100") in words."""
    code, _, detail = text.partition(" ")
    pt, en = REASONS.get(code, (code, code))
    return say(language, pt, en) + (f" ({detail})" if detail else "")
