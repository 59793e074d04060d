"""Alarm tools: what is active, why an alarm fired and what to do, and the alarm KPIs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from commands.summary import title
from lockpilot.language import Bilingual, Language
from tools.context import ToolContext
from tools.knowledge import search_knowledge
from tools.live import priority_rank, read_tag
from tools.models import Citation, CitationKind, TagReading, ToolResult, alarm_citations
from tools.ports import AlarmView, KnowledgeHit, RuleView

UNAVAILABLE = "the rules and alarm store are not available"
HISTORY_WINDOW_S = 7 * 86400.0  # how far back explain_alarm looks for the alarm's earlier raises


class ActiveAlarmsResult(ToolResult):
    alarms: list[AlarmView] = Field(default_factory=list)
    # the most urgent and the first-out alarm's measurements (tags its rule sets a limit on), read now
    measured: dict[str, list[TagReading]] = Field(default_factory=dict)


class CommandOffer(BaseModel):
    """An allow-listed command the copilot may offer for an alarm; the user must ask for it in words."""

    id: str
    title: Bilingual


class ExplainAlarmResult(ToolResult):
    rule: RuleView | None = None
    alarm: AlarmView | None = None
    live_values: list[TagReading] = Field(default_factory=list)
    first_out: AlarmView | None = None
    related: list[AlarmView] = Field(default_factory=list)
    knowledge: list[KnowledgeHit] = Field(default_factory=list)
    activations: list[datetime] = Field(default_factory=list)  # recent raises, newest first
    offers: list[CommandOffer] = Field(default_factory=list)  # commands to offer (never run) for it
    activations_window_s: float = 0.0


class AlarmKpisResult(ToolResult):
    window_s: float = 0.0
    kpis: dict[str, Any] = Field(default_factory=dict)


def list_active_alarms(
    ctx: ToolContext, *, equipment: str | None = None, language: Language = Language.PT
) -> ActiveAlarmsResult:
    """List the active alarms, most urgent first, optionally for one piece of equipment; with the values
    that raised the most urgent one and the first-out (the tags their rules set limits on)."""
    if ctx.alarms is None:
        return ActiveAlarmsResult(error=UNAVAILABLE)
    active = ctx.alarms.active()
    alarms = sorted((a for a in active if equipment in (None, a.equipment)), key=priority_rank)
    cites = alarm_citations(alarms)
    measured: dict[str, list[TagReading]] = {}
    for alarm in [*alarms[:1], *(a for a in alarms if a.first_out)][:2]:
        tags = ctx.bundle.limited_by(alarm.rule_id)
        if tags and alarm.id not in measured:
            read = read_tag(ctx, tags, language=language, active=active, with_alarms=False)
            measured[alarm.id] = read.readings
            cites += [c for c in read.citations if c.kind is CitationKind.TAG]
    return ActiveAlarmsResult(alarms=alarms, measured=measured, citations=list(dict.fromkeys(cites)))


def _find_alarm(active: list[AlarmView], alarm_id: str) -> AlarmView | None:
    return next((a for a in active if alarm_id in (a.id, a.rule_id)), None)


def explain_alarm(ctx: ToolContext, alarm_id: str, *, language: Language = Language.PT) -> ExplainAlarmResult:
    """Explain an alarm or rule: live values, start, first-out, PLC actions, what to do, procedure."""
    if ctx.alarms is None:
        return ExplainAlarmResult(error=UNAVAILABLE)
    active = ctx.alarms.active()
    alarm = _find_alarm(active, alarm_id)
    rule = ctx.alarms.rule(alarm.rule_id if alarm else alarm_id)
    if rule is None:
        return ExplainAlarmResult(error=f"unknown alarm or rule '{alarm_id}'")
    tags = list(dict.fromkeys([*rule.tags, *([rule.plc_fault_tag] if rule.plc_fault_tag else [])]))
    live = read_tag(ctx, tags, language=language, active=active, with_alarms=False) if tags else None
    first_out = next((a for a in active if a.first_out and a.id != (alarm.id if alarm else "")), None)
    related_ids = set(alarm.related) if alarm else set()
    related = [
        a for a in active if a.id in related_ids or (a.equipment == rule.equipment and a.rule_id != rule.id)
    ]
    hits = list(search_knowledge(ctx, f"{rule.name.pt} {rule.name.en}", limit=2).hits)
    end = ctx.clock.now()
    raised = ctx.alarms.activations(rule.id, start=end - timedelta(seconds=HISTORY_WINDOW_S), end=end)
    cites = [Citation(kind=CitationKind.RULE, id=rule.id)]
    cites += [
        Citation(kind=CitationKind.ALARM, id=a.id) for a in (alarm, first_out, *related) if a is not None
    ]
    cites += (live.citations if live else []) + [Citation(kind=CitationKind.DOC, id=h.id) for h in hits]
    return ExplainAlarmResult(
        rule=rule,
        alarm=alarm,
        live_values=live.readings if live else [],
        first_out=first_out,
        related=related,
        knowledge=hits,
        activations=raised,
        offers=_offers(ctx, rule),
        activations_window_s=HISTORY_WINDOW_S,
        citations=list(dict.fromkeys(cites)),
    )


def _offers(ctx: ToolContext, rule: RuleView) -> list[CommandOffer]:
    book = ctx.bundle.commands
    out = []
    for command in rule.offer_commands:
        spec = book.get(command)
        if spec is not None and spec.value is not None:
            pt, en = (title(spec, book, spec.value, lang) for lang in (Language.PT, Language.EN))
            out.append(CommandOffer(id=spec.id, title=Bilingual(pt=pt, en=en)))
    return out


def alarm_kpis(ctx: ToolContext, *, window_s: float = 86400.0) -> AlarmKpisResult:
    """Alarm KPIs (ISA-18.2: rate per hour, floods, chattering, standing alarms) over the last window."""
    if ctx.alarms is None:
        return AlarmKpisResult(error=UNAVAILABLE)
    end = ctx.clock.now()
    kpis = ctx.alarms.kpis(start=end - timedelta(seconds=window_s), end=end)
    return AlarmKpisResult(window_s=window_s, kpis=kpis)
