"""The plant bundle: the loaded plant with its rules and sequences, validated once at start-up.

It is assembled here because rules and sequences can only be checked with the rules language; every part
above takes what it needs from the bundle and nothing re-reads YAML at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.plant import Plant, load_plant
from lockpilot.plant.commands import CommandBook
from lockpilot.plant.model import suggest
from rules.limits import Limit, limits_by_tag
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

    @cached_property
    def limits(self) -> Mapping[str, tuple[Limit, ...]]:
        """Each analog tag's fault-rule limits, lowest first."""
        return limits_by_tag(self.rules, self.plant.tags)

    def limited_by(self, rule_id: str) -> list[str]:
        """The analog tags a fault rule sets a limit on, in the tags' order."""
        return [tag for tag, limits in self.limits.items() if any(x.rule_id == rule_id for x in limits)]


def load_bundle(name: str = "lock", *, root: Path | None = None) -> PlantBundle:
    """Load and validate `plants/<name>/` whole; a problem anywhere names its file, line and field."""
    plant = load_plant(name, root=root)
    rules = load_rules(plant)
    _check_offers(rules, plant)
    sequences = load_sequences(plant)
    _check_running_sequences(plant, sequences)
    return PlantBundle(plant=plant, rules=rules, sequences=sequences)


def _check_offers(rules: RuleSet, plant: Plant) -> None:
    """A rule offers only commands of the allow-list."""
    known = {c.id for c in plant.commands.commands}
    errors = [
        PlantDataError(
            f"rule '{rule.id}' offers '{command}', not in commands.yaml{suggest(command, list(known))}",
            file=rules.path,
            field=f"rules[{rule.id}].offer_commands",
        )
        for rule in rules.rules
        for command in rule.defn.offer_commands
        if command not in known
    ]
    if errors:
        raise PlantDataErrors(errors)


def _check_running_sequences(plant: Plant, sequences: Mapping[str, SequenceDef]) -> None:
    """commands.yaml's map of running sequences names the codes and ids of sequences.yaml."""
    running = plant.commands.running_sequences
    if running is None:
        return
    codes = {s.code: s.id for s in sequences.values()}
    for code, seq_id in running.codes.items():
        if codes.get(code) != seq_id:
            raise PlantDataError(
                f"sequence code {code} is '{codes.get(code)}' in sequences.yaml, not '{seq_id}'",
                file=plant.root / "commands.yaml",
                field="running_sequences.codes",
            )
