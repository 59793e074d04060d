"""A loaded plant: everything in `plants/<plant>/` that is data, validated once and handed to every part."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lockpilot.plant.commands import CommandBook
from lockpilot.plant.meters import MetersFile
from lockpilot.plant.model import Device, Protocol, Tag


@dataclass(frozen=True)
class Plant:
    """Tags (meters' included) and devices by name, the parameter block, the command allow-list, meters."""

    name: str
    root: Path
    tags: Mapping[str, Tag]
    devices: Mapping[str, Device]
    parameters: Mapping[str, float] = field(default_factory=dict)
    commands: CommandBook = field(default_factory=lambda: CommandBook(equipment={}, commands=()))
    meters: MetersFile | None = None
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # canonical -> variants

    @property
    def docs_dir(self) -> Path:
        """The plant's hand-written documents (procedures, equipment, glossary, FAQ)."""
        return self.root / "docs"

    @property
    def incidents_dir(self) -> Path:
        """The plant's recorded incidents (evals and training)."""
        return self.root / "incidents"

    def tag(self, name: str) -> Tag:
        try:
            return self.tags[name]
        except KeyError:
            raise KeyError(f"unknown tag '{name}' in plant '{self.name}'") from None

    def tags_of(self, device_id: str) -> list[Tag]:
        return [t for t in self.tags.values() if t.source.device == device_id]

    @property
    def plc_tags(self) -> list[Tag]:
        """The tags the PLC serves (S7 devices), without the meters'."""
        s7 = {d.id for d in self.devices.values() if d.protocol is Protocol.S7}
        return [t for t in self.tags.values() if t.source.device in s7]
