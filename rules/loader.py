"""Load rules.yaml and sequences.yaml against the plant: every problem names file, line, rule and field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.plant import Plant
from lockpilot.plant.model import suggest
from lockpilot.yamlio import LinedDict, LinedList, line_of, load_yaml, validate
from rules.compile import EvalContext, compile_leaf
from rules.expr import ExprError, parse
from rules.model import RuleDef, RuleFile, SequenceDef


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[CondTree, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[CondTree, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    child: CondTree


CondTree = str | AllOf | AnyOf | NotOf


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule with its condition (and suppression) as a tree of leaf texts."""

    defn: RuleDef
    condition: CondTree
    suppress: CondTree | None

    @property
    def id(self) -> str:
        return self.defn.id


@dataclass(frozen=True)
class RuleSet:
    """Everything in rules.yaml, checked against the plant's tags and parameters."""

    rules: tuple[Rule, ...]
    config: RuleFile
    params: Mapping[str, float]
    path: Path

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"unknown rule '{rule_id}'")


NUMERIC_KEYS = frozenset(
    {"for_s", "off_delay_s", "suppress_hold_s", "deadband", "timeout_s", "value", "min_interval_s"}
)


def eval_number(text: str, params: Mapping[str, float]) -> float:
    """Evaluate a number field written with parameters, e.g. `${comporta_tempo_curso_s} * 1.2`."""
    from rules.compile import _Compiler
    from rules.expr import Truthy

    node = parse(text, params)
    if not isinstance(node, Truthy):
        raise ExprError("expected a number, not a condition")
    return float(_Compiler(EvalContext(), {}).num(node.operand)())


def resolve_numbers(tree: Any, params: Mapping[str, float], *, file: Path, loc: tuple[Any, ...] = ()) -> None:
    """Replace `${param}` expressions in numeric fields by their values, in place."""
    if isinstance(tree, LinedDict):
        for key, value in list(tree.items()):
            if key in NUMERIC_KEYS and isinstance(value, str):
                try:
                    tree[key] = eval_number(value, params)
                except (ExprError, ArithmeticError) as exc:
                    raise PlantDataError(
                        str(exc),
                        file=file,
                        line=tree.key_lines.get(key),
                        field=".".join(map(str, (*loc, key))),
                    ) from None
            else:
                resolve_numbers(value, params, file=file, loc=(*loc, key))
    elif isinstance(tree, LinedList):
        for i, item in enumerate(tree):
            resolve_numbers(item, params, file=file, loc=(*loc, i))


class _TreeBuilder:
    """Walk a YAML condition, compiling each leaf so that errors point at the exact element."""

    def __init__(self, plant: Plant, params: Mapping[str, float], file: Path, raw: Any, field: str) -> None:
        self.plant, self.params, self.file, self.raw, self.field = plant, params, file, raw, field
        self.ctx = EvalContext()

    def error(self, message: str, loc: tuple[Any, ...]) -> PlantDataError:
        return PlantDataError(
            message,
            file=self.file,
            line=line_of(self.raw, loc),
            field=".".join([self.field, *map(str, loc[1:])]) if loc else self.field,
        )

    def build(self, node: Any, loc: tuple[Any, ...], depth: int = 0) -> CondTree:
        if depth > 20:
            raise self.error("condition nested too deeply", loc)
        if isinstance(node, str):
            try:
                compile_leaf(node, ctx=self.ctx, tags=self.plant.tags, params=self.params)
            except (ExprError, ArithmeticError, RecursionError) as exc:
                raise self.error(str(exc), loc) from None
            return node
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    raise self.error(f"'{key}' needs a non-empty list of conditions", (*loc, key))
                children = tuple(self.build(c, (*loc, key, i), depth + 1) for i, c in enumerate(value))
                return AllOf(children) if key == "all" else AnyOf(children)
            if key == "not":
                return NotOf(self.build(value, (*loc, key), depth + 1))
        raise self.error("a condition is a string, or a mapping with one key: all, any or not", loc)


def _rule(raw: Any, i: int, plant: Plant, params: Mapping[str, float], path: Path) -> Rule:
    defn = validate(RuleDef, raw, file=path, loc=("rules", i))
    field = f"rules.{i}[{defn.id}]"
    condition = _TreeBuilder(plant, params, path, raw, f"{field}.condition").build(
        defn.condition, ("condition",)
    )
    suppress = None
    if defn.suppress_when is not None:
        suppress = _TreeBuilder(plant, params, path, raw, f"{field}.suppress_when").build(
            defn.suppress_when, ("suppress_when",)
        )
    for key, tag in (
        ("plc_fault_tag", defn.plc_fault_tag),
        ("measured_as", defn.measured_as),
        *(("plc_actions", a.tag) for a in defn.plc_actions),
    ):
        if tag is not None and tag not in plant.tags:
            raise PlantDataError(
                f"unknown tag '{tag}'", file=path, line=line_of(raw, (key,)), field=f"{field}.{key}"
            )
    return Rule(defn, condition, suppress)


def _check_links(rules: list[Rule], raws: list[Any], path: Path) -> list[PlantDataError]:
    errors: list[PlantDataError] = []
    seen: set[str] = set()
    ids = {r.id for r in rules}
    for rule, raw in zip(rules, raws, strict=True):
        if rule.id in seen:
            errors.append(
                PlantDataError(
                    f"duplicate rule id '{rule.id}'",
                    file=path,
                    line=line_of(raw, ("id",)),
                    field=f"rules[{rule.id}].id",
                )
            )
        seen.add(rule.id)
        errors.extend(
            PlantDataError(
                f"unknown rule '{c}' in causes",
                file=path,
                line=line_of(raw, ("causes",)),
                field=f"rules[{rule.id}].causes",
            )
            for c in rule.defn.causes
            if c not in ids
        )
    return errors


def load_rules(plant: Plant, *, path: Path | None = None) -> RuleSet:
    """Load and check `rules.yaml` of the plant (or `path`); raises PlantDataErrors listing every problem."""
    path = path or plant.root / "rules.yaml"
    params = dict(plant.parameters)
    tree = load_yaml(path)
    if not isinstance(tree, LinedDict):
        raise PlantDataError("expected a mapping with 'rules:'", file=path, line=1)
    resolve_numbers(tree, params, file=path)
    config = validate(RuleFile, tree, file=path)
    rules: list[Rule] = []
    raws: list[Any] = []
    errors: list[PlantDataError] = []
    for i, raw in enumerate(config.rules):
        try:
            rules.append(_rule(raw, i, plant, params, path))
            raws.append(raw)
        except PlantDataErrors as exc:
            errors.extend(exc.errors)
        except PlantDataError as exc:
            errors.append(exc)
    errors.extend(
        PlantDataError(
            f"unknown tag '{tag}' in suspect_tags{suggest(tag, list(plant.tags))}",
            file=path,
            line=line_of(raw, ("suspect_tags",)),
            field=f"rules[{rule.id}].suspect_tags",
        )
        for rule, raw in zip(rules, raws, strict=True)
        for tag in rule.defn.suspect_tags
        if tag not in plant.tags
    )
    errors.extend(
        PlantDataError(
            f"unknown device '{rule.defn.suspect_device}' in suspect_device"
            f"{suggest(rule.defn.suspect_device, list(plant.devices))}",
            file=path,
            line=line_of(raw, ("suspect_device",)),
            field=f"rules[{rule.id}].suspect_device",
        )
        for rule, raw in zip(rules, raws, strict=True)
        if rule.defn.suspect_device is not None and rule.defn.suspect_device not in plant.devices
    )
    errors.extend(_check_links(rules, raws, path))
    if config.anomalies is not None:
        errors.extend(
            PlantDataError(f"unknown tag '{t}'", file=path, field="anomalies.tags")
            for t in (*config.anomalies.tags, *config.anomalies.state_tags)
            if t not in plant.tags
        )
    if errors:
        raise PlantDataErrors(errors)
    return RuleSet(tuple(rules), config, params, path)


def load_sequences(plant: Plant, *, path: Path | None = None) -> dict[str, SequenceDef]:
    """Load and check `sequences.yaml`: every precondition, feedback and command names real tags."""
    path = path or plant.root / "sequences.yaml"
    params = dict(plant.parameters)
    tree = load_yaml(path)
    if not isinstance(tree, LinedDict) or not isinstance(tree.get("sequences"), LinedList):
        raise PlantDataError("expected a top-level list 'sequences:'", file=path, line=1)
    resolve_numbers(tree, params, file=path)
    out: dict[str, SequenceDef] = {}
    errors: list[PlantDataError] = []
    for i, raw in enumerate(tree["sequences"]):
        try:
            seq = validate(SequenceDef, raw, file=path, loc=("sequences", i))
            _check_sequence(seq, raw, plant, params, path, i)
            if seq.id in out or seq.code in {s.code for s in out.values()}:
                raise PlantDataError(
                    f"duplicate sequence id or code '{seq.id}'",
                    file=path,
                    line=line_of(raw, ("id",)),
                    field=f"sequences.{i}[{seq.id}].id",
                )
            out[seq.id] = seq
        except PlantDataErrors as exc:
            errors.extend(exc.errors)
        except PlantDataError as exc:
            errors.append(exc)
    errors += _check_remedies(out, tree, path)
    if errors:
        raise PlantDataErrors(errors)
    return out


def _check_remedies(sequences: dict[str, SequenceDef], tree: Any, path: Path) -> list[PlantDataError]:
    """A precondition's remedy names another sequence of the file."""
    errors = []
    for i, seq in enumerate(sequences.values()):
        for j, check in enumerate(seq.preconditions):
            if check.remedy is not None and (check.remedy not in sequences or check.remedy == seq.id):
                errors.append(
                    PlantDataError(
                        f"remedy '{check.remedy}' is not another "
                        f"sequence{suggest(check.remedy, list(sequences))}",
                        file=path,
                        line=line_of(tree["sequences"][i], ("preconditions", j, "remedy")),
                        field=f"sequences.{i}[{seq.id}].preconditions.{j}.remedy",
                    )
                )
    return errors


def _check_sequence(
    seq: SequenceDef, raw: Any, plant: Plant, params: Mapping[str, float], path: Path, i: int
) -> None:
    field = f"sequences.{i}[{seq.id}]"
    texts: list[tuple[tuple[Any, ...], str]] = []
    for key in ("preconditions", "postconditions", "safety_checks"):
        texts.extend(((key, j, "condition"), c.condition) for j, c in enumerate(getattr(seq, key)))
    for j, step in enumerate(seq.steps):
        _TreeBuilder(plant, params, path, raw, f"{field}.steps.{j}.feedback").build(
            step.feedback, ("steps", j, "feedback")
        )
    for loc, text in texts:
        try:
            compile_leaf(text, ctx=EvalContext(), tags=plant.tags, params=params)
        except (ExprError, ArithmeticError, RecursionError) as exc:
            raise PlantDataError(
                str(exc), file=path, line=line_of(raw, loc), field=".".join([field, *map(str, loc)])
            ) from None
    for j, step in enumerate(seq.steps):
        for k, command in enumerate(step.commands):
            if command.tag not in plant.tags:
                raise PlantDataError(
                    f"unknown tag '{command.tag}'",
                    file=path,
                    line=line_of(raw, ("steps", j, "commands", k, "tag")),
                    field=f"{field}.steps.{j}.commands.{k}.tag",
                )
