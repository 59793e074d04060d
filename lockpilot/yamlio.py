"""YAML loading that remembers the line of every mapping key and list item, for error messages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from lockpilot.errors import PlantDataError, PlantDataErrors


class LinedDict(dict):
    """A dict that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LinedList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


def _build(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LinedDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _build(key_node)
            line = key_node.start_mark.line + 1
            if key in out.key_lines:  # YAML keeps the last silently: the first value would be lost
                raise _DuplicateKey(key, out.key_lines[key], line)
            out[key] = _build(value_node)
            out.key_lines[key] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LinedList(_build(item) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    return _SCALARS.construct_object(node, deep=True)


_SCALARS = yaml.SafeLoader("")


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.line = key, first_line, line


def load_yaml(path: Path) -> Any:
    """Parse a YAML file into LinedDict/LinedList trees; syntax errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlantDataError(f"cannot read: {exc.strerror}", file=path) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise PlantDataError(f"invalid YAML: {exc.problem}", file=path, line=line) from exc
    try:
        return None if node is None else _build(node)
    except _DuplicateKey as dup:
        raise PlantDataError(
            f"key '{dup.key}' written twice in one mapping (lines {dup.first_line} and {dup.line}): keep one",
            file=path,
            line=dup.line,
        ) from None


def line_of(tree: Any, loc: Sequence[Any]) -> int | None:
    """The line of the deepest element of `loc` that exists in `tree`."""
    line = getattr(tree, "line", None)
    current = tree
    for part in loc:
        if isinstance(current, LinedDict) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, LinedList) and isinstance(part, int) and 0 <= part < len(current):
            line = current.item_lines[part]
            current = current[part]
        else:
            break
    return line


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, *, file: Path, loc: Sequence[Any] = ()) -> M:
    """Validate `data` as `model`; errors carry file, line and dotted field path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            full = (*loc, *err["loc"])
            field = ".".join(str(p) for p in full)
            message = err["msg"].removeprefix("Value error, ")
            errors.append(PlantDataError(message, file=file, line=line_of(data, err["loc"]), field=field))
        raise PlantDataErrors(errors) from None
