"""The allow-list of commands (plants/<plant>/commands.yaml), validated against the tag map when loaded."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.language import Bilingual
from lockpilot.plant.model import DataType, Tag
from lockpilot.schema import Strict
from lockpilot.yamlio import LinedDict, line_of, load_yaml, validate


class Action(StrEnum):
    """What a command does to its target; the offline planner maps verbs to these."""

    OPEN = "open"
    CLOSE = "close"
    START = "start"
    STOP = "stop"
    SET = "set"
    ACKNOWLEDGE = "acknowledge"
    ABORT = "abort"


class Op(StrEnum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    @property
    def fn(self) -> Callable[[Any, Any], bool]:
        return {
            "==": operator.eq,
            "!=": operator.ne,
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
        }[self.value]


class Condition(Strict):
    """`tag op value`, or for feedback `changes_by`: the tag moved at least this much since the write."""

    tag: str
    op: Op = Op.EQ
    value: float | bool | None = None
    changes_by: Annotated[float, Field(gt=0)] | None = None

    def holds(self, value: Any, *, before: Any = None) -> bool:
        """Whether a live value satisfies the condition (`before`: the value at the write, for changes_by)."""
        if value is None:
            return False
        if self.changes_by is not None:
            return before is not None and abs(float(value) - float(before)) >= self.changes_by
        return bool(self.op.fn(value, self.value))

    def text(self) -> str:
        """The condition as an operator reads it."""
        if self.changes_by is not None:
            return f"{self.tag} changes by >= {self.changes_by:g}"
        shown = str(self.value).lower() if isinstance(self.value, bool) else f"{self.value:g}"
        return f"{self.tag} {self.op.value} {shown}"


class Feedback(Strict):
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 10.0
    any: tuple[Condition, ...] = Field(min_length=1)


class EquipmentName(Strict):
    pt: str
    en: str
    aliases: tuple[str, ...] = ()
    status_tags: tuple[str, ...] = ()  # what "how is the pump?" reads


class CommandSpec(Strict):
    """One allowed command."""

    id: str
    action: Action
    target: str
    tag: str
    value: float | bool | None = None
    preconditions: tuple[Condition, ...] = ()
    feedback: Feedback | None = None
    risk: Bilingual

    @property
    def interlock_tags(self) -> list[str]:
        return [c.tag for c in self.preconditions]


class CommandBook(Strict):
    """All commands of a plant and the names of the equipment they act on."""

    equipment: dict[str, EquipmentName]
    commands: tuple[CommandSpec, ...]

    def get(self, command_id: str) -> CommandSpec | None:
        return next((c for c in self.commands if c.id == command_id), None)

    def find(self, action: Action, target: str) -> CommandSpec | None:
        return next((c for c in self.commands if c.action is action and c.target == target), None)


def _check(book: CommandBook, tags: Mapping[str, Tag], raw: Any, path: Path) -> list[PlantDataError]:
    errors: list[PlantDataError] = []

    def fail(i: int, field: str, message: str) -> None:
        errors.append(
            PlantDataError(
                message, file=path, line=line_of(raw, ["commands", i, field]), field=f"commands.{i}.{field}"
            )
        )

    for eq_id, names in book.equipment.items():
        for tag_name in names.status_tags:
            if tag_name not in tags:
                errors.append(
                    PlantDataError(
                        f"unknown tag '{tag_name}'",
                        file=path,
                        line=line_of(raw, ["equipment", eq_id, "status_tags"]),
                        field=f"equipment.{eq_id}.status_tags",
                    )
                )
    seen: set[str] = set()
    for i, spec in enumerate(book.commands):
        tag = tags.get(spec.tag)
        if spec.id in seen:
            fail(i, "id", f"duplicate command id '{spec.id}'")
        seen.add(spec.id)
        if spec.target not in book.equipment:
            fail(i, "target", f"unknown equipment '{spec.target}'")
        if tag is None or tag.writable is None:
            fail(i, "tag", f"'{spec.tag}' is not a writable tag")
        elif (spec.action is Action.SET) != (spec.value is None):
            fail(i, "value", "a `set` command takes its value from the user; every other command needs one")
        elif spec.action is Action.SET and tag.type is DataType.BOOL:
            fail(i, "tag", "a `set` command needs a numeric tag")
        conditions = [*spec.preconditions, *(spec.feedback.any if spec.feedback else ())]
        for cond in conditions:
            if cond.tag not in tags:
                fail(i, "preconditions", f"unknown tag '{cond.tag}'")
    return errors


def load_commands(path: Path, tags: Mapping[str, Tag]) -> CommandBook:
    """Load and validate commands.yaml against the tag map; every problem names file, line and field."""
    raw = load_yaml(path)
    if not isinstance(raw, LinedDict):
        raise PlantDataError("expected a mapping with 'equipment' and 'commands'", file=path, line=1)
    book = validate(CommandBook, raw, file=path, loc=())
    errors = _check(book, tags, raw, path)
    if errors:
        raise PlantDataErrors(errors)
    return book
