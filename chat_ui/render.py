"""Markdown tables and Plotly figures the chat shows: tool outputs, alarms, sequence checks, commands."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import plotly.graph_objects as go

from lockpilot.formatting import fixed, local_time, state_name
from lockpilot.plant.commands import op_symbol
from tools.ports import AlarmView, SequenceCheckView

MAX_STEP_OUTPUT_CHARS = 3000


def cell(value: Any, unit: str = "") -> str:
    """A value for a table cell (pipes escaped)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        text = "sim" if value else "não"
    elif isinstance(value, float):
        text = fixed(value, decimals=2)
    else:
        text = str(value)
    return f"{text} {unit}".strip().replace("|", "\\|")


def step_output(artifact: dict[str, Any]) -> str:
    """A tool result as the collapsible step shows it (JSON, trimmed; the chart spec left out)."""
    shown = {k: v for k, v in artifact.items() if k not in ("chart", "citations") and v not in (None, [], {})}
    if "points" in shown:
        shown["points"] = f"{len(artifact['points'])} pontos"
    text = json.dumps(shown, ensure_ascii=False, indent=1, default=str)
    return text if len(text) <= MAX_STEP_OUTPUT_CHARS else text[:MAX_STEP_OUTPUT_CHARS] + "\n…"


def figure(chart: dict[str, Any], *, dark: bool = True) -> go.Figure:
    """A Plotly figure from a history tool's chart spec."""
    fig = go.Figure(data=chart.get("data", []), layout=chart.get("layout", {}))
    fig.update_layout(
        template="plotly_dark" if dark else "plotly_white",
        margin={"t": 48, "r": 16, "b": 40, "l": 56},
        height=360,
    )
    return fig


PRIORITY_NAMES = {"critical": "crítica", "high": "alta", "medium": "média", "low": "baixa"}


def _since(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "—"
    return f"{local_time(moment, tz=tz)} ({moment.strftime('%H:%M:%S')} UTC)"


def alarms_table(alarms: list[AlarmView], *, tz: str = "America/Sao_Paulo") -> str:
    """Active alarms as a markdown table: states in Portuguese, local time with UTC beside it."""
    if not alarms:
        return "Nenhum alarme ativo."
    rows = [
        f"| {PRIORITY_NAMES.get(str(a.priority), a.priority)} | `{a.id}` | {cell(a.name.pt)} | "
        f"{state_name(a.state)} | {_since(a.since, tz)} |"
        for a in alarms
    ]
    head = "| Prioridade | Id | Alarme | Estado | Desde |\n|---|---|---|---|---|\n"
    return head + "\n".join(rows)


def banner(alarms: list[AlarmView]) -> str:
    """One line on the active alarms for the top of the chat."""
    if not alarms:
        return "Nenhum alarme ativo."
    worst = ", ".join(f"{a.name.pt} ({PRIORITY_NAMES.get(str(a.priority), a.priority)})" for a in alarms[:3])
    more = f" (+{len(alarms) - 3})" if len(alarms) > 3 else ""
    return f"**ATENÇÃO: {len(alarms)} alarme(s) ativo(s):** {worst}{more} — digite `/alarmes` para tratar."


def _named(value: Any, unit: str, states: dict[int, str]) -> str:
    """A live value or limit: a mode by its name, a bit as sim/não, a number with a decimal comma."""
    if states and isinstance(value, int | float) and not isinstance(value, bool) and round(value) in states:
        return states[round(value)]
    return cell(value, unit)


def sequence_table(check: SequenceCheckView) -> str:
    """A sequence check as a verdict line and a table: the sentence, what it reads, value, limit, result."""
    verdict = "**PERMITIDA agora**" if check.permitted else "**NÃO PERMITIDA agora**"
    rows = []
    for p in check.preconditions:
        op = op_symbol(p.operator)
        limit = _named(p.threshold, p.unit, p.states)
        rows.append(
            f"| {'OK' if p.passed else 'FALHA'} | {cell(p.sentence.pt)} | {cell(p.reads or p.tag or '—')} | "
            f"{_named(p.value, p.unit, p.states)} | {op} {limit} | {cell(p.data_age_s, 's')} |"
        )
    head = "| | Pré-condição | Lê | Valor | Limite | Idade do dado |\n|---|---|---|---|---|---|\n"
    return f"### Sequência {check.name.pt} (`{check.sequence_id}`)\n{verdict}\n\n{head}" + "\n".join(rows)


def command_card(summary: dict[str, Any], *, seconds_left: float, can_approve: bool) -> str:
    """The confirmation card of a pending command: what, current state, preconditions, risk, time left."""
    rows = [
        f"| {'OK' if c['passed'] else 'FALHA'} | {cell(c['condition'])} | {cell(c['value'], c['unit'])} |"
        for c in summary["preconditions"]
    ]
    who = (
        "Aprove ou rejeite abaixo."
        if can_approve
        else "Somente um **operador** pode aprovar; aguardando um operador."
    )
    return (
        f"### Confirmação de comando: {summary['title_pt']}\n"
        f"`{summary['tag']}` := **{cell(summary['value'])}** · "
        f"estado atual: {cell(summary.get('current'))} · "
        f"pedido por {summary['requested_by']}\n\n| | Pré-condição | Valor |\n|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\n**Risco:** {summary['risk_pt']}\n\n"
        f"Expira em **{int(seconds_left)} s** ({summary['expires_at']}). {who}"
    )
