"""The PLC parameter block (`parameters.yaml`): every threshold, timeout and dimension as name -> number."""

from __future__ import annotations

from pathlib import Path

from lockpilot.errors import PlantDataError
from lockpilot.yamlio import LinedDict, load_yaml


def load_parameters(path: Path) -> dict[str, float]:
    """The parameter block as name -> number; a non-number names its file, line and key."""
    tree = load_yaml(path)
    block = tree.get("parameters") if isinstance(tree, LinedDict) else None
    if not isinstance(block, LinedDict):
        raise PlantDataError("expected a mapping 'parameters:'", file=path, line=getattr(tree, "line", 1))
    out: dict[str, float] = {}
    for key, value in block.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlantDataError(
                "a parameter is a number", file=path, line=block.key_lines.get(key), field=f"parameters.{key}"
            )
        out[str(key)] = float(value)
    return out
