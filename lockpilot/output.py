"""Terminal output for the CLI: JSON for machines, rich tables for people."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def _default(obj: Any) -> Any:
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False)


def format_value(value: Any) -> str:
    """A reading as an operator reads it: up to 3 decimals, no float noise; booleans and text as they are."""
    if isinstance(value, float):
        decimals = 0 if abs(value) >= 1e6 else 1 if abs(value) >= 1e3 else 3
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return "" if value is None else str(value)


def print_json(data: Any) -> None:
    """Print one JSON document on stdout (no rich markup, safe to pipe)."""
    print(to_json(data))


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, header_style="bold")
    for i, column in enumerate(columns):
        table.add_column(column, no_wrap=i == 0)  # names (tags, ids) are never cut mid-word
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)
