"""The plant bundle: the loaded plant with its rules and sequences, validated once at start-up.

It is assembled here because rules and sequences can only be checked with the rules language; every part
above takes what it needs from the bundle and nothing re-reads YAML at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lockpilot.plant import Plant, load_plant
from lockpilot.plant.commands import CommandBook
from rules.loader import RuleSet, load_rules, load_sequences
from rules.model import SequenceDef


@dataclass(frozen=True)
class PlantBundle:
    """Tags, devices, meters, parameters, commands and docs (the plant), rules and sequences."""

    plant: Plant
    rules: RuleSet
    sequences: Mapping[str, SequenceDef]

    @property
    def commands(self) -> CommandBook:
        return self.plant.commands

    @property
    def parameters(self) -> Mapping[str, float]:
        return self.plant.parameters


def load_bundle(name: str = "lock", *, root: Path | None = None) -> PlantBundle:
    """Load and validate `plants/<name>/` whole; a problem anywhere names its file, line and field."""
    plant = load_plant(name, root=root)
    return PlantBundle(plant=plant, rules=load_rules(plant), sequences=load_sequences(plant))
