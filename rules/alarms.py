"""Alarm definitions: one per rule, plus the per-tag data-quality and anomaly alarms made from templates."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lockpilot.plant import Plant
from rules.loader import RuleSet
from rules.model import Bilingual, Explanation, PlcAction, Priority, Severity, TemplateDef

DQ_PREFIX = "qualidade_dados."
ANOMALY_PREFIX = "anomalia."


class AlarmKind(StrEnum):
    RULE = "rule"
    DATA_QUALITY = "data_quality"
    ANOMALY = "anomaly"
    EVENT = "event"  # reported by another part (the command path), raised and returned at once


@dataclass(frozen=True, slots=True)
class AlarmDef:
    """What an operator reads about an alarm: name, priority, explanation, the PLC's own actions."""

    id: str
    kind: AlarmKind
    name: Bilingual
    priority: Priority
    severity: Severity
    equipment: str
    explanation: Explanation
    plc_actions: tuple[PlcAction, ...] = ()
    suppressed_by: tuple[str, ...] = ()
    order: int = 0


def _fill(text: Bilingual, **fields: str) -> Bilingual:
    return Bilingual(pt=text.pt.format_map(_Default(fields)), en=text.en.format_map(_Default(fields)))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _from_template(
    template: TemplateDef, alarm_id: str, kind: AlarmKind, plant: Plant, tag: str, order: int, **extra: str
) -> AlarmDef:
    t = plant.tags.get(tag)
    fields = {
        "tag": tag,
        "description_pt": t.description.pt if t else tag,
        "description_en": t.description.en if t else tag,
        **extra,
    }
    e = template.explanation
    explanation = Explanation(
        cause=_fill(e.cause, **fields),
        consequence=_fill(e.consequence, **fields),
        action=_fill(e.action, **fields),
    )
    return AlarmDef(
        alarm_id,
        kind,
        _fill(template.name, **fields),
        template.priority,
        template.severity,
        t.equipment or "" if t else "",
        explanation,
        suppressed_by=template.suppressed_by,
        order=order,
    )


class AlarmCatalog:
    """Every alarm the engine can raise, made on first use for the templated ones."""

    def __init__(self, plant: Plant, rules: RuleSet) -> None:
        self.plant = plant
        self.rules = rules
        self.defs: dict[str, AlarmDef] = {}
        for i, rule in enumerate(rules.rules):
            d = rule.defn
            self.defs[d.id] = AlarmDef(
                d.id,
                AlarmKind.RULE,
                d.name,
                d.priority,
                d.severity,
                d.equipment,
                d.explanation,
                d.plc_actions,
                order=i,
            )
        for j, (event_id, event) in enumerate(rules.config.events.items()):
            self.defs[event_id] = AlarmDef(
                event_id,
                AlarmKind.EVENT,
                event.name,
                event.priority,
                event.severity,
                event.equipment,
                event.explanation,
                order=5_000 + j,
            )
        self.causes = {r.id: r.defn.causes for r in rules.rules}

    def data_quality(self, tag: str, quality: str) -> AlarmDef:
        """The data-quality alarm of one tag."""
        alarm_id = DQ_PREFIX + tag
        if alarm_id not in self.defs:
            self.defs[alarm_id] = _from_template(
                self.rules.config.data_quality,
                alarm_id,
                AlarmKind.DATA_QUALITY,
                self.plant,
                tag,
                10_000 + len(self.defs),
                quality=quality,
            )
        return self.defs[alarm_id]

    def anomaly(self, tag: str) -> AlarmDef:
        """The statistical-deviation advisory of one tag."""
        alarm_id = ANOMALY_PREFIX + tag
        config = self.rules.config.anomalies
        if alarm_id not in self.defs and config is not None:
            self.defs[alarm_id] = _from_template(
                config.template,
                alarm_id,
                AlarmKind.ANOMALY,
                self.plant,
                tag,
                20_000 + len(self.defs),
                z=f"{config.z_threshold:g}",
            )
        return self.defs[alarm_id]

    def get(self, alarm_id: str) -> AlarmDef:
        if alarm_id in self.defs:
            return self.defs[alarm_id]
        if alarm_id.startswith(DQ_PREFIX):
            return self.data_quality(alarm_id.removeprefix(DQ_PREFIX), "bad")
        if alarm_id.startswith(ANOMALY_PREFIX):
            return self.anomaly(alarm_id.removeprefix(ANOMALY_PREFIX))
        raise KeyError(f"unknown alarm '{alarm_id}'")
