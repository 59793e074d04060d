"""The limits a fault rule sets on a measurement: `temperatura_oleo_hpu > 65` read out of its condition."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from lockpilot.plant import DataType, Tag
from rules.expr import BinOp, Call, CmpOp, Compare, ExprError, Node, Num, Percent, TagRef, parse
from rules.loader import AllOf, AnyOf, CondTree, RuleSet


class Side(StrEnum):
    """Which side of the limit raises the rule."""

    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class Limit:
    """One rule's limit on one analog tag."""

    rule_id: str
    tag: str
    side: Side
    value: float

    def crossed_by(self, value: float) -> bool:
        return value > self.value if self.side is Side.ABOVE else value < self.value


STATE_MARGIN = 0.05  # of a travel's range: bounds this close to its ends mark a state
_SIDE = {CmpOp.GT: Side.ABOVE, CmpOp.GE: Side.ABOVE, CmpOp.LT: Side.BELOW, CmpOp.LE: Side.BELOW}
_FLIP = {Side.ABOVE: Side.BELOW, Side.BELOW: Side.ABOVE}


def _number(node: Node, tag: Tag) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Percent):
        if node.nominal:
            return None if tag.nominal is None else node.value / 100.0 * tag.nominal
        if tag.range is None:
            return None
        lo, hi = tag.range
        return lo + node.value / 100.0 * (hi - lo)
    return None


def _comparison(text: str, params: Mapping[str, float]) -> Compare | None:
    """A leaf's `<left> <op> <right>` with an ordering operator, else None."""
    try:
        node = parse(text, params)
    except ExprError:
        return None
    return node if isinstance(node, Compare) and node.op in _SIDE else None


def _leaf_limit(rule_id: str, node: Compare, tags: Mapping[str, Tag]) -> Limit | None:
    """A leaf `tag <op> number` (either way round) on an analog tag, else None."""
    side = _SIDE[node.op]
    subject, bound = node.left, node.right
    if isinstance(bound, TagRef) and not isinstance(subject, TagRef):
        subject, bound, side = bound, subject, _FLIP[side]
    if not isinstance(subject, TagRef) or subject.tag not in tags:
        return None
    tag = tags[subject.tag]
    if tag.type is DataType.BOOL:
        return None
    value = _number(bound, tag)
    if value is None or _marks_a_state(tag, value):
        return None
    return Limit(rule_id=rule_id, tag=tag.name, side=side, value=value)


def _marks_a_state(tag: Tag, value: float) -> bool:
    """A bound at either end of a 0-100 % travel ("position > 2 %") tells closed from open: no alarm limit."""
    if tag.unit != "%" or tag.range is None:
        return False
    lo, hi = tag.range
    return min(value - lo, hi - value) <= STATE_MARGIN * (hi - lo)


def _leaves(tree: CondTree) -> list[str]:
    """The leaf texts that raise the rule when true (a `not` branch sets no limit)."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, AllOf | AnyOf):
        return [leaf for child in tree.children for leaf in _leaves(child)]
    return []


def _measured_limits(rule_id: str, node: Compare, tag: Tag) -> list[Limit]:
    """A leaf `<expression> <op> number` whose expression the tag reads: that number, its limit; a
    magnitude (`abs(...)`) bound both ways ("abs(rate) > 1.2": above 1.2 and below -1.2)."""
    if isinstance(node.left, TagRef) or tag.type is DataType.BOOL:
        return []
    value = _number(node.right, tag)
    if value is None:
        return []
    side = _SIDE[node.op]
    limits = [Limit(rule_id=rule_id, tag=tag.name, side=side, value=value)]
    if _magnitude(node.left) and value > 0:
        limits.append(Limit(rule_id=rule_id, tag=tag.name, side=_FLIP[side], value=-value))
    return limits


def _magnitude(node: Node) -> bool:
    """An `abs(...)`, or one scaled by positive numbers (`abs(a + b) / 2 * 60`): never below zero."""
    if isinstance(node, Call):
        return node.fn == "abs"
    if isinstance(node, BinOp) and node.op in ("*", "/"):
        return _magnitude(node.left) and isinstance(node.right, Num) and node.right.value > 0
    return False


def _limits_of(rule_id: str, node: Compare, tags: Mapping[str, Tag], measured: Tag | None) -> list[Limit]:
    """A leaf's limit on the tag it compares, else on the tag that reads what it computes."""
    limit = _leaf_limit(rule_id, node, tags)
    if limit is not None:
        return [limit]
    return _measured_limits(rule_id, node, measured) if measured is not None else []


def limits_by_tag(rules: RuleSet, tags: Mapping[str, Tag]) -> dict[str, tuple[Limit, ...]]:
    """Every analog tag's rule limits, lowest value first; one per rule and side (a rule computing what a
    tag reads, `measured_as`, limits that tag)."""
    found: dict[str, dict[tuple[str, Side], Limit]] = {}
    for rule in rules.rules:
        measured = tags.get(rule.defn.measured_as or "")
        for leaf in _leaves(rule.condition):
            node = _comparison(leaf, rules.params)
            for lim in _limits_of(rule.id, node, tags, measured) if node is not None else []:
                found.setdefault(lim.tag, {}).setdefault((lim.rule_id, lim.side), lim)
    return {tag: tuple(sorted(by.values(), key=lambda lim: lim.value)) for tag, by in found.items()}
