"""Errors that name the file, line and field of bad plant data."""

from __future__ import annotations

from pathlib import Path


class PlantDataError(ValueError):
    """Bad plant data: says which file, line and field, and what is wrong."""

    def __init__(self, message: str, *, file: Path | str, line: int | None = None, field: str = "") -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.reason = message
        where = self.file + (f":{line}" if line else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class PlantDataErrors(PlantDataError):
    """Several problems found in one load, reported together."""

    def __init__(self, errors: list[PlantDataError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.reason, file=first.file, line=first.line, field=first.field)
        self.args = ("\n".join(str(e) for e in errors),)
