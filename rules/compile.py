"""Turn parsed conditions into fast closures over the engine's live values (the leaves of a rule)."""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lockpilot.plant import Tag
from rules.expr import (
    Between,
    BinOp,
    Call,
    CmpOp,
    Compare,
    ExprError,
    Neg,
    Node,
    Not,
    Num,
    Percent,
    TagRef,
    Truthy,
    parse,
)

_CMP = {
    CmpOp.LT: operator.lt,
    CmpOp.LE: operator.le,
    CmpOp.GT: operator.gt,
    CmpOp.GE: operator.ge,
    CmpOp.EQ: operator.eq,
    CmpOp.NE: operator.ne,
}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
TIMED_FUNCTIONS = frozenset({"rate", "unchanged", "stale", "step_overdue"})

Fn = Callable[[], Any]


@dataclass
class EvalContext:
    """What compiled conditions read: values, trust, change history of windowed tags, the time."""

    values: dict[str, Any] = field(default_factory=dict)
    trusted: dict[str, bool] = field(default_factory=dict)
    history: dict[str, deque[tuple[float, float]]] = field(default_factory=dict)
    t_s: float = 0.0
    step_overdue: Callable[[], bool] = lambda: False

    def value_at(self, tag: str, when_s: float) -> float | None:
        """The value in effect at `when_s`, or None when the history does not reach back that far."""
        points = self.history.get(tag)
        if not points or points[0][0] > when_s:
            return None
        found = points[0][1]
        for t, v in points:
            if t > when_s:
                break
            found = v
        return found

    def rate(self, tag: str, window_s: float) -> float:
        """Change per second over the last window (0 while there is no history)."""
        points = self.history.get(tag)
        if not points or window_s <= 0:
            return 0.0
        start = max(self.t_s - window_s, points[0][0])
        span = self.t_s - start
        past = self.value_at(tag, start)
        return 0.0 if span <= 0 or past is None else (points[-1][1] - past) / span

    def unchanged(self, tag: str, window_s: float, tolerance: float) -> bool:
        """True when the tag moved no more than `tolerance` over a fully covered window."""
        start = self.t_s - window_s
        past = self.value_at(tag, start)
        if past is None:
            return False
        lo = hi = past
        for t, v in self.history[tag]:
            if t > start:
                lo, hi = min(lo, v), max(hi, v)
        return hi - lo <= tolerance


@dataclass
class Leaf:
    """One compiled comparison: its text, the tags it reads and how to evaluate and describe it."""

    text: str
    node: Node
    tags: frozenset[str]
    timed: bool
    windows: dict[str, float]
    fn: Fn
    margin: Fn | None  # signed distance past the threshold, for hysteresis
    sides: tuple[Fn, Fn] | None
    deadband: float = 0.0

    def evaluate(self, previous: bool) -> bool:
        """Truth now; with a deadband a true comparison stays true until it is past it by that much."""
        try:
            if self.deadband and previous and self.margin is not None:
                return bool(self.margin() > -self.deadband)
            return bool(self.fn())
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, KeyError):
            return previous

    def describe(self) -> tuple[Any, Any]:
        """The live value and the threshold it is compared with, for explanations and checks."""
        try:
            if self.sides is None:
                return self.fn(), True
            return self.sides[0](), self.sides[1]()
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, KeyError):
            return None, None


class _Compiler:
    def __init__(self, ctx: EvalContext, tags: Mapping[str, Tag]) -> None:
        self.ctx = ctx
        self.plant_tags = tags
        self.used: set[str] = set()
        self.windows: dict[str, float] = {}
        self.timed = False

    def tag(self, name: str) -> str:
        if name not in self.plant_tags:
            from lockpilot.plant.model import suggest

            raise ExprError(f"unknown tag '{name}'{suggest(name, list(self.plant_tags))}")
        self.used.add(name)
        return name

    def resolve_percent(self, pct: Node, other: Node) -> Node:
        if not isinstance(pct, Percent):
            return pct
        if not isinstance(other, TagRef):
            raise ExprError("a percentage needs a tag on the other side of the comparison")
        tag = self.plant_tags.get(other.tag)
        if tag is None:
            raise ExprError(f"unknown tag '{other.tag}'")
        if pct.nominal:
            if tag.nominal is None:
                raise ExprError(f"tag '{tag.name}' has no nominal value for '% nominal'")
            return Num(pct.value / 100.0 * tag.nominal)
        if tag.range is None:
            raise ExprError(f"tag '{tag.name}' has no range for a percentage")
        lo, hi = tag.range
        return Num(lo + pct.value / 100.0 * (hi - lo))

    def num(self, node: Node) -> Fn:
        values = self.ctx.values
        if isinstance(node, Num):
            value = node.value
            return lambda: value
        if isinstance(node, TagRef):
            name = self.tag(node.tag)
            return lambda: values[name]
        if isinstance(node, Neg):
            inner = self.num(node.operand)
            return lambda: -inner()
        if isinstance(node, BinOp):
            op, left, right = _ARITH[node.op], self.num(node.left), self.num(node.right)
            return lambda: op(left(), right())
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Percent):
            raise ExprError("a percentage must be compared with a tag")
        raise ExprError("a comparison cannot be used as a number")

    def window_tag(self, node: Node, fn: str, window_s: float) -> str:
        if not isinstance(node, TagRef):
            raise ExprError(f"{fn}() needs a tag as its first argument")
        name = self.tag(node.tag)
        self.windows[name] = max(self.windows.get(name, 0.0), window_s)
        self.timed = True
        return name

    def constant(self, node: Node, what: str) -> float:
        if isinstance(node, Neg) and isinstance(node.operand, Num):
            return -node.operand.value
        if not isinstance(node, Num):
            raise ExprError(f"{what} must be a number")
        return node.value

    def call(self, node: Call) -> Fn:
        ctx, args = self.ctx, node.args
        if node.fn in ("abs", "min", "max"):
            inner = [self.num(a) for a in args]
            if node.fn == "abs":
                return lambda: abs(inner[0]())
            pick = min if node.fn == "min" else max
            return lambda: pick(inner[0](), inner[1]())
        if node.fn == "stale":
            if not isinstance(args[0], TagRef):
                raise ExprError("stale() needs a tag")
            name = self.tag(args[0].tag)
            self.timed = True
            return lambda: ctx.trusted.get(name) is False  # never heard of yet: not stale until overdue
        if node.fn == "step_overdue":
            self.timed = True
            return lambda: ctx.step_overdue()
        window_s = self.constant(args[1], f"the window of {node.fn}()")
        if not 0 < window_s <= 86400:
            raise ExprError(f"the window of {node.fn}() must be within 0..86400 s")
        name = self.window_tag(args[0], node.fn, window_s)
        if node.fn == "rate":
            return lambda: ctx.rate(name, window_s)
        tolerance = self.constant(args[2], "the tolerance of unchanged()")
        return lambda: ctx.unchanged(name, window_s, tolerance)

    def boolean(self, node: Node) -> tuple[Fn, Fn | None, tuple[Fn, Fn] | None]:
        if isinstance(node, Not):
            inner, _, sides = self.boolean(node.operand)
            return (lambda: not inner()), None, sides
        if isinstance(node, Truthy):
            inner = self.num(node.operand)
            return (lambda: bool(inner())), None, None
        if isinstance(node, Between):
            subject, low, high = self.num(node.subject), self.num(node.low), self.num(node.high)
            return (lambda: low() <= subject() <= high()), None, (subject, lambda: (low(), high()))
        assert isinstance(node, Compare)
        left = self.num(self.resolve_percent(node.left, node.right))
        right = self.num(self.resolve_percent(node.right, node.left))
        cmp = _CMP[node.op]
        fn = _fast(node, cmp, self.ctx.values, self.resolve_percent(node.right, node.left)) or (
            lambda: cmp(left(), right())
        )
        sign = {CmpOp.GT: 1.0, CmpOp.GE: 1.0, CmpOp.LT: -1.0, CmpOp.LE: -1.0}.get(node.op)
        margin = None if sign is None else (lambda: sign * (left() - right()))
        return fn, margin, (left, right)


def _fast(node: Compare, cmp: Callable[[Any, Any], bool], values: dict[str, Any], right: Node) -> Fn | None:
    """A tighter closure for the common `tag OP constant` shape."""
    if isinstance(node.left, TagRef) and isinstance(right, Num):
        name, value = node.left.tag, right.value
        return lambda: cmp(values[name], value)
    return None


def compile_leaf(
    text: str,
    *,
    ctx: EvalContext,
    tags: Mapping[str, Tag],
    params: Mapping[str, float],
    deadband: float = 0.0,
) -> Leaf:
    """Parse and compile one leaf condition; unknown tags, functions or params raise ExprError."""
    node = parse(text, params)
    compiler = _Compiler(ctx, tags)
    fn, margin, sides = compiler.boolean(node)
    return Leaf(
        text=text,
        node=node,
        tags=frozenset(compiler.used),
        timed=compiler.timed,
        windows=compiler.windows,
        fn=fn,
        margin=margin,
        sides=sides,
        deadband=deadband,
    )
