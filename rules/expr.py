"""The condition language: tokenize and parse one leaf condition such as `pressao_sistema > 8.5`.

Grammar (one comparison or boolean per leaf; all/any/not combine leaves in YAML):
    cond    := 'not' cond | sum [CMP sum | 'between' sum 'and' sum]
    sum     := product (('+'|'-') product)*
    product := unary (('*'|'/') unary)*
    unary   := '-' unary | atom
    atom    := NUMBER ['%' ['nominal']] | ON | OFF | true | false | NAME | NAME '(' args ')' | '(' sum ')'
`${param}` is replaced by the value of a PLC parameter before parsing; `10%` is 10 % of the range of the
tag on the other side of the comparison, `150% nominal` 150 % of its nominal value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ExprError(ValueError):
    """A condition that cannot be parsed or resolved; the message says where and why."""


class CmpOp(StrEnum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="


FUNCTIONS = {"abs": 1, "rate": 2, "unchanged": 3, "stale": 1, "step_overdue": 0, "min": 2, "max": 2}
CONSTANTS = {"on": 1.0, "off": 0.0, "true": 1.0, "false": 0.0}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|==|!=|<|>|=|[-+*/(),%]))"
)
_PARAM = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class TagRef:
    tag: str


@dataclass(frozen=True, slots=True)
class Percent:
    value: float
    nominal: bool


@dataclass(frozen=True, slots=True)
class Call:
    fn: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: CmpOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between:
    subject: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Truthy:
    operand: Node


Node = Num | TagRef | Percent | Call | BinOp | Neg | Compare | Between | Not | Truthy


def substitute_params(text: str, params: Mapping[str, float]) -> str:
    """Replace every `${name}` by the parameter's value; unknown names are an error."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name not in params:
            raise ExprError(f"unknown parameter '${{{name}}}'")
        return repr(float(params[name]))

    return _PARAM.sub(repl, text)


def tokenize(text: str) -> list[str]:
    """Split a condition into tokens; anything unrecognised is an error naming its position."""
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExprError(f"unexpected character {text[pos : pos + 1]!r} at column {pos + 1}")
        tokens.append(match.group(match.lastgroup or "op"))
        pos = match.end()
    if not tokens:
        raise ExprError("empty condition")
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ExprError(f"condition ends early{f', expected {expected!r}' if expected else ''}")
        if expected is not None and token.lower() != expected:
            raise ExprError(f"expected {expected!r}, found {token!r}")
        self.i += 1
        return token

    def cond(self, depth: int = 0) -> Node:
        if depth > 50:
            raise ExprError("condition nested too deeply")
        if (self.peek() or "").lower() == "not":
            self.take()
            return Not(self.cond(depth + 1))
        left = self.sum()
        token = self.peek()
        if token in ("<", "<=", ">", ">=", "==", "!=", "="):
            self.take()
            return Compare(CmpOp("==" if token == "=" else token), left, self.sum())
        if (token or "").lower() == "between":
            self.take()
            low = self.sum()
            self.take("and")
            return Between(left, low, self.sum())
        return Truthy(left)

    def sum(self) -> Node:
        node = self.product()
        while self.peek() in ("+", "-"):
            node = BinOp(self.take(), node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            node = BinOp(self.take(), node, self.unary())
        return node

    def unary(self, depth: int = 0) -> Node:
        if self.peek() == "-":
            if depth > 50:
                raise ExprError("too many signs")
            self.take()
            return Neg(self.unary(depth + 1))
        return self.atom()

    def atom(self) -> Node:
        token = self.take()
        if token == "(":
            if self.i > 200:
                raise ExprError("condition nested too deeply")
            node = self.sum()
            self.take(")")
            return node
        if token[0].isdigit() or token[0] == ".":
            return self.number(float(token))
        if re.fullmatch(r"[A-Za-z_]\w*", token) is None:
            raise ExprError(f"unexpected {token!r}")
        if token.lower() in CONSTANTS:
            return Num(CONSTANTS[token.lower()])
        if self.peek() == "(":
            return self.call(token)
        if token.lower() in ("not", "and", "between", "nominal"):
            raise ExprError(f"unexpected keyword {token!r}")
        return TagRef(token)

    def number(self, value: float) -> Node:
        if self.peek() != "%":
            return Num(value)
        self.take()
        if (self.peek() or "").lower() == "nominal":
            self.take()
            return Percent(value, nominal=True)
        return Percent(value, nominal=False)

    def call(self, fn: str) -> Node:
        if fn not in FUNCTIONS:
            raise ExprError(f"unknown function '{fn}' (known: {', '.join(sorted(FUNCTIONS))})")
        self.take("(")
        args: list[Node] = []
        while self.peek() != ")":
            if args:
                self.take(",")
            args.append(self.sum())
        self.take(")")
        if len(args) != FUNCTIONS[fn]:
            raise ExprError(f"{fn}() takes {FUNCTIONS[fn]} argument(s), got {len(args)}")
        return Call(fn, tuple(args))


def parse(text: str, params: Mapping[str, float] | None = None) -> Node:
    """Parse one leaf condition (after `${param}` substitution) into its syntax tree."""
    if not isinstance(text, str):
        raise ExprError(f"a condition is a string, not {type(text).__name__}")
    parser = _Parser(tokenize(substitute_params(text, params or {})))
    node = parser.cond()
    if parser.peek() is not None:
        raise ExprError(f"unexpected {parser.peek()!r} after the end of the condition")
    return node
