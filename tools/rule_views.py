"""Rules as the tools show them: a rule's operator text and the tags its condition reads."""

from __future__ import annotations

import re

from lockpilot.language import Bilingual
from lockpilot.plant import Plant
from rules.loader import AllOf, AnyOf, CondTree, Rule
from tools.ports import RuleView

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _leaf_tags(tree: CondTree | None, plant: Plant) -> list[str]:
    """Tag names read by a condition tree."""
    if tree is None:
        return []
    if isinstance(tree, str):
        return [n for n in _NAME.findall(tree) if n in plant.tags]
    children = tree.children if isinstance(tree, AllOf | AnyOf) else (tree.child,)
    return [t for child in children for t in _leaf_tags(child, plant)]


def rule_view(rule: Rule, plant: Plant) -> RuleView:
    """A rule as the tools show it."""
    d = rule.defn
    e = d.explanation
    return RuleView(
        id=d.id,
        name=d.name,
        description=d.description,
        equipment=d.equipment,
        severity=d.severity.value,
        priority=d.priority.value,
        cause=e.cause,
        consequence=e.consequence,
        action=e.action,
        plc_actions=[Bilingual(pt=a.pt, en=a.en) for a in d.plc_actions],
        plc_fault_tag=d.plc_fault_tag,
        tags=list(
            dict.fromkeys([*([d.measured_as] if d.measured_as else []), *_leaf_tags(rule.condition, plant)])
        ),
        suspect_tags=list(
            dict.fromkeys(
                [
                    *d.suspect_tags,
                    *(t.name for t in plant.tags.values() if t.source.device == d.suspect_device),
                ]
            )
        ),
        suspect_device=d.suspect_device,
        offer_commands=list(d.offer_commands),
    )
