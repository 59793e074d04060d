"""Recorded incidents on disk: scenario + truth (YAML), tag history (sparse wide gzip CSV), events (CSV)."""

from __future__ import annotations

import bisect
import csv
import gzip
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from evals.recorder import Event, EventKind, Recording
from lockpilot.plant import DataType, Plant
from lockpilot.samples import Value
from twin.scenario import Scenario, load_scenario

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # t_s = 0 of every incident
BASE_PERIOD_S = 1.0  # rows kept everywhere
DENSE_BEFORE_S, DENSE_AFTER_S = 10.0, 60.0  # every tick kept around timeline steps and signatures
HISTORY_FILE, EVENTS_FILE, RECORD_FILE, SCENARIO_FILE = (
    "history.csv.gz",
    "events.csv",
    "record.yaml",
    "scenario.yaml",
)


@dataclass
class Incident:
    """A recorded incident in memory: rows of every tag (forward-filled), link state, events, truth."""

    scenario: Scenario
    times_s: list[float]
    rows: list[dict[str, Value]]
    link_down: list[bool]
    events: list[Event] = field(default_factory=list)
    signatures: dict[str, float] = field(default_factory=dict)
    start: datetime = START

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def duration_s(self) -> float:
        return self.times_s[-1] if self.times_s else 0.0

    def index_at(self, t_s: float) -> int:
        """Index of the last row at or before `t_s` (0 before the first row)."""
        return max(0, bisect.bisect_right(self.times_s, t_s + 1e-9) - 1)

    def when(self, t_s: float) -> datetime:
        """The wall-clock time of scenario second `t_s`."""
        return self.start + timedelta(seconds=t_s)

    def signature_s(self) -> float | None:
        """When the root cause became evident (its rule's signature; else the earliest one)."""
        truth = self.scenario.truth
        if truth is not None and truth.root_cause is not None:
            return self.signatures.get(truth.root_cause)
        return min(self.signatures.values(), default=None)


def from_recording(rec: Recording) -> Incident:
    """An in-memory incident straight from a run (every tick kept)."""
    return Incident(
        scenario=rec.scenario,
        times_s=list(rec.times_s),
        rows=list(rec.rows),
        link_down=list(rec.link_down),
        events=list(rec.events),
        signatures=dict(rec.signatures),
    )


def kept_ticks(rec: Recording) -> list[int]:
    """Indices of the rows written: one per second, every tick near timeline steps and signatures."""
    marks = [s.at_s for s in rec.scenario.timeline] + list(rec.signatures.values())
    marks += [
        e.t_s for e in rec.events if e.kind in (EventKind.PLC_FAULT, EventKind.LINK_DOWN, EventKind.LINK_UP)
    ]
    keep = []
    for i, t in enumerate(rec.times_s):
        on_grid = abs(t / BASE_PERIOD_S - round(t / BASE_PERIOD_S)) < 1e-6
        if on_grid or any(m - DENSE_BEFORE_S <= t <= m + DENSE_AFTER_S for m in marks):
            keep.append(i)
    return keep


def _cell(value: Value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return repr(round(float(value), 3))


def history_csv(rec: Recording, tags: list[str]) -> bytes:
    """The sparse wide CSV: t_s, q, a column per tag; a cell is empty when unchanged (or the link is down)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["t_s", "q", *tags])
    previous: dict[str, str] = {}
    for i in kept_ticks(rec):
        if rec.link_down[i]:
            writer.writerow([f"{rec.times_s[i]:g}", "comm_error", *([""] * len(tags))])
            continue
        cells = [_cell(rec.rows[i][t]) for t in tags]
        writer.writerow(
            [
                f"{rec.times_s[i]:g}",
                "good",
                *("" if previous.get(t) == c else c for t, c in zip(tags, cells, strict=True)),
            ]
        )
        previous = dict(zip(tags, cells, strict=True))
    return gzip.compress(buf.getvalue().encode(), compresslevel=9, mtime=0)


def write_incident(rec: Recording, out_dir: Path, plant: Plant, *, scenario_text: str | None = None) -> Path:
    """Write an incident directory: scenario.yaml, history.csv.gz, events.csv, record.yaml."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if scenario_text is not None:
        (out_dir / SCENARIO_FILE).write_text(scenario_text, encoding="utf-8")
    tags = [t.name for t in plant.plc_tags]  # an incident records what the PLC served
    (out_dir / HISTORY_FILE).write_bytes(history_csv(rec, tags))
    with (out_dir / EVENTS_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["t_s", "kind", "name", "detail"])
        writer.writerows([f"{e.t_s:g}", e.kind.value, e.name, e.detail] for e in rec.events)
    meta = {
        "incident": rec.scenario.id,
        "duration_s": rec.times_s[-1],
        "rows": len(kept_ticks(rec)),
        "tick_s": 0.5,
        "start": START.isoformat(),
        "signatures_s": {k: round(v, 2) for k, v in sorted(rec.signatures.items())},
    }
    (out_dir / RECORD_FILE).write_text(
        yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return out_dir


def _typed(raw: str, dtype: DataType) -> Value:
    if dtype is DataType.BOOL:
        return raw == "1"
    if dtype in (DataType.INT, DataType.DINT):
        return int(float(raw))
    return float(raw)


def _read_history(path: Path, plant: Plant) -> tuple[list[float], list[dict[str, Value]], list[bool]]:
    times, rows, down = [], [], []
    current: dict[str, Value] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        tags = header[2:]
        types = [plant.tags[t].type for t in tags]
        for line in reader:
            for tag, dtype, raw in zip(tags, types, line[2:], strict=True):
                if raw:
                    current[tag] = _typed(raw, dtype)
            times.append(float(line[0]))
            rows.append(dict(current))
            down.append(line[1] != "good")
    return times, rows, down


def load_incident(directory: Path, plant: Plant) -> Incident:
    """Read an incident directory written by `write_incident`."""
    scenario = load_scenario(directory / SCENARIO_FILE)
    times, rows, down = _read_history(directory / HISTORY_FILE, plant)
    with (directory / EVENTS_FILE).open(encoding="utf-8", newline="") as fh:
        events = [
            Event(float(r["t_s"]), EventKind(r["kind"]), r["name"], r["detail"]) for r in csv.DictReader(fh)
        ]
    meta = yaml.safe_load((directory / RECORD_FILE).read_text(encoding="utf-8")) or {}
    return Incident(
        scenario=scenario,
        times_s=times,
        rows=rows,
        link_down=down,
        events=events,
        signatures={k: float(v) for k, v in (meta.get("signatures_s") or {}).items()},
    )


class IncidentLibrary:
    """The incidents of a plant (`plants/<plant>/incidents/<id>/`), loaded on first use and kept."""

    def __init__(self, root: Path, plant: Plant) -> None:
        self.root, self.plant = root, plant
        self._loaded: dict[str, Incident] = {}

    def ids(self) -> list[str]:
        """Ids of the recorded incidents (directories with a history file)."""
        return sorted(p.parent.name for p in self.root.glob(f"*/{HISTORY_FILE}"))

    def get(self, incident_id: str) -> Incident:
        """The incident `incident_id` (KeyError when not recorded)."""
        if incident_id not in self._loaded:
            directory = self.root / incident_id
            if not (directory / HISTORY_FILE).exists():
                raise KeyError(f"incident '{incident_id}' is not recorded in {self.root}")
            self._loaded[incident_id] = load_incident(directory, self.plant)
        return self._loaded[incident_id]
