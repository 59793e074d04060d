"""Text that may enter the system: no NUL bytes, no lone surrogates (PostgreSQL and UTF-8 refuse both)."""

from __future__ import annotations

from typing import Any

from pydantic import AfterValidator


def clean_text(value: str) -> str:
    """The text itself, or ValueError naming what is wrong with it (never echoing it)."""
    if "\x00" in value:
        raise ValueError("NUL bytes are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogates are not allowed (not valid Unicode text)") from None
    return value


def check_strings(value: Any, *, path: str = "", depth: int = 0) -> Any:
    """Apply clean_text to every string of a JSON-like value (keys too); the error names the field."""
    if depth > 20:
        raise ValueError(f"{path or 'value'}: nested too deeply")
    if isinstance(value, str):
        try:
            return clean_text(value)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}" if path else str(exc)) from None
    if isinstance(value, dict):
        for key, item in value.items():
            check_strings(key, path=path or "key", depth=depth + 1)
            check_strings(item, path=f"{path}.{key}" if path else str(key), depth=depth + 1)
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            check_strings(item, path=f"{path}[{n}]", depth=depth + 1)
    return value


CLEAN = AfterValidator(clean_text)  # Annotated[str, Field(max_length=...), CLEAN]
