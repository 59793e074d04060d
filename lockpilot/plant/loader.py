"""Load and validate `plants/<plant>/{devices,tags}.yaml`; every problem names file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.plant.commands import CommandBook, load_commands
from lockpilot.plant.meters import load_meters
from lockpilot.plant.model import DataType, Device, Protocol, Tag, suggest
from lockpilot.plant.parameters import load_parameters
from lockpilot.plant.plant import Plant
from lockpilot.plant.s7address import S7Address
from lockpilot.plant.vocabulary import load_vocabulary
from lockpilot.yamlio import LinedDict, LinedList, line_of, load_yaml, validate


def _items(tree: Any, key: str, path: Path) -> LinedList:
    if not isinstance(tree, LinedDict) or not isinstance(tree.get(key), LinedList):
        raise PlantDataError(f"expected a top-level list '{key}:'", file=path, line=getattr(tree, "line", 1))
    return tree[key]


def load_devices(path: Path) -> dict[str, Device]:
    tree = load_yaml(path)
    devices: dict[str, Device] = {}
    errors: list[PlantDataError] = []
    for i, raw in enumerate(_items(tree, "devices", path)):
        try:
            device = validate(Device, raw, file=path, loc=("devices", i))
        except PlantDataErrors as exc:
            errors.extend(exc.errors)
            continue
        if device.id in devices:
            errors.append(
                PlantDataError(
                    f"duplicate device id '{device.id}'",
                    file=path,
                    line=line_of(raw, ["id"]),
                    field=f"devices.{i}.id",
                )
            )
        devices[device.id] = device
    if errors:
        raise PlantDataErrors(errors)
    return devices


def _check_s7(
    tag: Tag, raw: Any, path: Path, index: int, taken: dict[int, list[tuple[S7Address, str]]]
) -> None:
    field = f"tags.{index}.source.address"
    line = line_of(raw, ["source", "address"])
    if tag.source.address is None:
        raise PlantDataError(
            f"tag '{tag.name}' on an S7 device needs an address", file=path, line=line, field=field
        )
    try:
        addr = S7Address.parse(tag.source.address)
    except ValueError as exc:
        raise PlantDataError(str(exc), file=path, line=line, field=field) from None
    need = tag.type.s7_width
    if addr.width is not need:
        raise PlantDataError(
            f"{tag.type.value.upper()} '{tag.name}' needs a DB{need.value} address of {need.size_bytes} "
            f"byte(s), not {addr}",
            file=path,
            line=line,
            field=field,
        )
    for other, other_name in taken.setdefault(addr.db, []):
        same_bit = addr.width is other.width and addr.byte == other.byte and addr.bit == other.bit
        bits_apart = addr.width.value == other.width.value == "X" and not same_bit
        overlaps = addr.byte < other.end and other.byte < addr.end
        if same_bit or (overlaps and not bits_apart):
            raise PlantDataError(
                f"address {addr} of '{tag.name}' overlaps '{other_name}' at {other}",
                file=path,
                line=line,
                field=field,
            )
    taken[addr.db].append((addr, tag.name))


def load_tags(path: Path, devices: dict[str, Device]) -> dict[str, Tag]:
    tree = load_yaml(path)
    tags: dict[str, Tag] = {}
    errors: list[PlantDataError] = []
    taken: dict[int, list[tuple[S7Address, str]]] = {}
    for i, raw in enumerate(_items(tree, "tags", path)):
        try:
            tag = validate(Tag, raw, file=path, loc=("tags", i))
            if tag.name in tags:
                raise PlantDataError(
                    f"duplicate tag name '{tag.name}'",
                    file=path,
                    line=line_of(raw, ["name"]),
                    field=f"tags.{i}.name",
                )
            device = devices.get(tag.source.device)
            if device is None:
                raise PlantDataError(
                    f"unknown device '{tag.source.device}'{suggest(tag.source.device, list(devices))}",
                    file=path,
                    line=line_of(raw, ["source", "device"]),
                    field=f"tags.{i}.source.device",
                )
            if device.protocol is Protocol.S7:
                _check_s7(tag, raw, path, i, taken)
            if tag.type is DataType.BOOL and tag.range is not None:
                raise PlantDataError(
                    "a bool tag has no range",
                    file=path,
                    line=line_of(raw, ["range"]),
                    field=f"tags.{i}.range",
                )
            _check_deadband(tag, raw, path, i)
        except PlantDataErrors as exc:
            errors.extend(exc.errors)
            continue
        except PlantDataError as exc:
            errors.append(exc)
            continue
        tags[tag.name] = tag
    errors += _check_redundant(tags, tree, path)
    if errors:
        raise PlantDataErrors(errors)
    return tags


def _check_deadband(tag: Tag, raw: Any, path: Path, i: int) -> None:
    """A deadband wider than the engineering range would never record a change."""
    if tag.deadband is None or tag.range is None:
        return
    span = tag.range[1] - tag.range[0]
    if tag.deadband > span:
        raise PlantDataError(
            f"tag '{tag.name}': deadband {tag.deadband} is wider than its range {list(tag.range)}"
            f" (span {span})",
            file=path,
            line=line_of(raw, ["deadband"]),
            field=f"tags.{i}.deadband",
        )


def _check_redundant(tags: dict[str, Tag], tree: Any, path: Path) -> list[PlantDataError]:
    """A redundant transmitter names another tag of the same unit."""
    errors = []
    for i, raw in enumerate(_items(tree, "tags", path)):
        tag = tags.get(raw.get("name", "")) if isinstance(raw, LinedDict) else None
        if tag is None or tag.redundant is None:
            continue
        other = tags.get(tag.redundant)
        if other is None or other.unit != tag.unit or other.name == tag.name:
            problem = (
                "is not a tag"
                if other is None
                else "has another unit"
                if other.unit != tag.unit
                else "is itself"
            )
            errors.append(
                PlantDataError(
                    f"redundant '{tag.redundant}' of '{tag.name}' "
                    f"{problem}{suggest(tag.redundant, list(tags))}",
                    file=path,
                    line=line_of(raw, ["redundant"]),
                    field=f"tags.{i}.redundant",
                )
            )
    return errors


def plants_root() -> Path:
    """The `plants/` folder of this checkout (overridable with LOCKPILOT_PLANTS_DIR)."""
    from lockpilot.settings import get_settings

    return get_settings().plants_dir


def load_plant(name: str = "lock", *, root: Path | None = None) -> Plant:
    """Load `plants/<name>/`: devices, tags, meters.yaml, parameters.yaml, commands.yaml; errors name each."""
    base = (root or plants_root()) / name
    if not base.is_dir():
        raise PlantDataError(f"no plant folder '{name}'", file=base)
    devices = load_devices(base / "devices.yaml")
    tags = load_tags(base / "tags.yaml", devices)
    meters = None
    if (base / "meters.yaml").exists():
        meters, meter_devices, meter_tags = load_meters(base / "meters.yaml", set(tags))
        devices, tags = {**devices, **meter_devices}, {**tags, **meter_tags}
    parameters = load_parameters(base / "parameters.yaml") if (base / "parameters.yaml").exists() else {}
    commands = (
        load_commands(base / "commands.yaml", tags)
        if (base / "commands.yaml").exists()
        else CommandBook(equipment={}, commands=())
    )
    vocabulary = load_vocabulary(base / "vocabulary.yaml") if (base / "vocabulary.yaml").exists() else {}
    return Plant(
        name=name,
        root=base,
        tags=tags,
        devices=devices,
        parameters=parameters,
        commands=commands,
        meters=meters,
        vocabulary=vocabulary,
    )
