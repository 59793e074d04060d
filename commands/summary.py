"""The human-readable summary an approver reads: what, why, current state, preconditions, risk, expiry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lockpilot.formatting import quantity
from lockpilot.language import Language
from lockpilot.plant import Plant
from lockpilot.plant.commands import CommandBook, CommandSpec, Condition
from lockpilot.samples import Sample

_ACTION_WORDS = {
    "open": ("Abrir", "Open"),
    "close": ("Fechar", "Close"),
    "start": ("Ligar", "Start"),
    "stop": ("Parar", "Stop"),
    "set": ("Ajustar", "Set"),
    "acknowledge": ("Reconhecer", "Acknowledge"),
    "abort": ("Abortar a sequência do", "Abort the sequence of"),
}


def format_value(value: Any, unit: str = "") -> str:
    """A value as an operator writes it: booleans as true/false, numbers with their unit."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    text = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text} {unit}".rstrip()


def title(spec: CommandSpec, book: CommandBook, value: Any, language: Language) -> str:
    """One line naming the command: "Abrir válvula de enchimento 1"."""
    pt, en = _ACTION_WORDS[spec.action.value]
    equipment = book.equipment[spec.target]
    target = equipment.pt if language is Language.PT else equipment.en
    text = f"{pt if language is Language.PT else en} {target}"
    if spec.value is None:
        text += f" {'para' if language is Language.PT else 'to'} {quantity(value, language=language)}"
    return text


def condition_lines(
    plant: Plant, conditions: tuple[Condition, ...], samples: dict[str, Sample]
) -> list[dict[str, Any]]:
    """Each precondition with its live value, quality and whether it passes."""
    lines = []
    for cond in conditions:
        sample = samples.get(cond.tag)
        value = None if sample is None else sample.value
        good = sample is not None and sample.quality.trusted
        tag = plant.tag(cond.tag)
        lines.append(
            {
                "tag": cond.tag,
                "condition": cond.text(),
                "description": {"pt": tag.description.pt, "en": tag.description.en},
                "op": cond.op.value,
                "expected": cond.value,
                "value": value,
                "unit": tag.unit,
                "quality": None if sample is None else sample.quality.value,
                "passed": good and cond.holds(value),
            }
        )
    return lines


def summary_text(summary: dict[str, Any], language: Language) -> str:
    """The summary as the lines an approver reads."""
    pt = language is Language.PT
    head = summary["title_pt" if pt else "title_en"]
    lines = [f"{head} — {summary['tag']} := {format_value(summary['value'])}"]
    lines.append(
        ("Pedido por " if pt else "Requested by ")
        + f"{summary['requested_by']} "
        + ("em " if pt else "at ")
        + summary["requested_at"]
    )
    if summary.get("current") is not None:
        lines.append(("Estado atual: " if pt else "Current state: ") + summary["current"])
    for check in summary["preconditions"]:
        mark = "ok" if check["passed"] else ("FALHA" if pt else "FAIL")
        shown = quantity(check["value"], check["unit"], language=language)
        lines.append(f"  [{mark}] {check['condition']} ({shown})")
    lines.append(("Risco: " if pt else "Risk: ") + summary["risk_pt" if pt else "risk_en"])
    lines.append(
        ("Expira em " if pt else "Expires at ")
        + summary["expires_at"]
        + (" — somente um operador pode aprovar." if pt else " — only an operator can approve.")
    )
    return "\n".join(lines)


def build_summary(
    plant: Plant,
    book: CommandBook,
    spec: CommandSpec,
    value: Any,
    *,
    user: str,
    samples: dict[str, Sample],
    checks: list[dict[str, Any]],
    requested_at: datetime,
    expires_at: datetime,
) -> dict[str, Any]:
    """The structured summary stored with the request (both languages)."""
    current = samples.get(spec.tag)
    return {
        "command": spec.id,
        "tag": spec.tag,
        "value": value,
        "requested_by": user,
        "title_pt": title(spec, book, value, Language.PT),
        "title_en": title(spec, book, value, Language.EN),
        "current": None if current is None else quantity(current.value, plant.tag(spec.tag).unit),
        "preconditions": checks,
        "risk_pt": spec.risk.pt,
        "risk_en": spec.risk.en,
        "requested_at": requested_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "expires_at": expires_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
