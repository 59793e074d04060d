"""`LockTwin`: the physical model and its PLC program on a simulated clock, in process."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

import numpy as np
import structlog

from lockpilot.plant import DataType, Plant
from lockpilot.samples import Value
from twin.faults import Fault, FaultSet
from twin.params import Params, with_overrides
from twin.physics.lock import LockPhysics
from twin.plc.manual import PULSES
from twin.plc.program import Plc
from twin.sensors import ANALOG_TAGS, Instruments

log = structlog.get_logger(__name__)
SUBSTEP_S = 0.2  # physics sub-step and PLC scan period, in simulated seconds


class LockTwin:
    """The lock and its PLC: `step` the simulated clock, read `values()`, write `command()`, inject faults."""

    def __init__(
        self,
        plant: Plant,
        *,
        seed: int = 0,
        params: Mapping[str, float] | None = None,
        chamber_m: float | None = None,
    ) -> None:
        self.plant = plant
        self.params: Params = with_overrides(plant, params)
        self.sim_time_s = 0.0
        self.rng = np.random.default_rng(seed)
        start = self.params["nivel_jusante_normal_m"] if chamber_m is None else chamber_m
        self.physics = LockPhysics.initial(self.params, chamber_m=start)
        self.plc = Plc(self.params)
        self.faults = FaultSet()
        self.instruments = Instruments()
        self._io = self.instruments.read(self.physics, self.faults, np.zeros(len(ANALOG_TAGS)), 0.0)
        plc_tags = plant.plc_tags
        self._types = {t.name: t.type for t in plc_tags}  # meter tags (meters.yaml) are not the PLC's
        self._held: dict[str, Value] = {}  # a level command frozen by `command_lost`
        self._ranges = {t.name: t.range for t in plc_tags if t.range and t.type is DataType.REAL}

    def step(self, dt_s: float) -> None:
        """Advance the simulated clock by `dt_s` in sub-steps of at most 0.2 s (one PLC scan each)."""
        remaining = dt_s
        while remaining > 1e-9:
            h = min(SUBSTEP_S, remaining)
            self._tick(h)
            remaining -= h

    def _tick(self, dt_s: float) -> None:
        self._lose_command()
        self.physics.step(dt_s, self.sim_time_s, self.plc.mem.drives, self.faults, self.rng)
        self.sim_time_s += dt_s
        noise = self.rng.standard_normal(len(ANALOG_TAGS))
        self._io = self.instruments.read(self.physics, self.faults, noise, self.sim_time_s)
        self.plc.scan(self._io, dt_s, jitter=float(self.rng.standard_normal()))

    def _lose_command(self) -> None:
        """`command_lost`: a pulse is dropped before the PLC acts on it; a level command stays as it was."""
        lost = self.faults.get(Fault.COMMAND_LOST)
        if lost is None:
            return
        tag = str(lost.params["command"])
        if tag in PULSES:
            self.plc.commands[tag] = False
        elif tag in self._held:
            self.plc.commands[tag] = self._held[tag]

    def run_until(
        self, predicate: Callable[[LockTwin], bool], *, timeout_s: float, check_every_s: float = 1.0
    ) -> float:
        """Step until `predicate(self)` holds; return the simulated seconds taken (TimeoutError if never)."""
        started = self.sim_time_s
        while not predicate(self):
            if self.sim_time_s - started >= timeout_s:
                raise TimeoutError(f"condition not met within {timeout_s} s of simulated time")
            self.step(check_every_s)
        return self.sim_time_s - started

    def values(self) -> dict[str, Value]:
        """Every tag of the plant, typed as tags.yaml declares it (what the PLC's DBs hold now)."""
        merged: dict[str, Value] = {**self._io, **self.plc.status(self._io), **self.plc.commands}
        out: dict[str, Value] = {}
        for name, dtype in self._types.items():
            out[name] = _typed(merged[name], dtype)
        for name, (lo, hi) in self._ranges.items():
            out[name] = min(hi, max(lo, float(out[name])))  # transmitters saturate at their range
        return out

    def command(self, tag: str, value: Value) -> None:
        """Write a DB50 command tag, as an operator station would; the PLC acts on its next scan."""
        if tag not in self.plc.commands:
            raise KeyError(f"'{tag}' is not a command tag (DB50)")
        self.plc.commands[tag] = _typed(value, self._types[tag])

    def inject(self, fault: Fault, **params: float | str) -> None:
        """Start a fault (optional parameters override its defaults; see faults.FAULT_DEFAULTS)."""
        fault = Fault(fault)
        tag = params.get("tag")
        if fault is Fault.SENSOR_FREEZE and tag is not None and tag not in self._io:
            raise ValueError(f"sensor_freeze: '{tag}' is not a field sensor tag")
        command = params.get("command")
        if fault is Fault.COMMAND_LOST:
            if command not in self.plc.commands:
                raise ValueError(f"command_lost: '{command}' is not a command tag (DB50)")
            self._held = {str(command): self.plc.commands[str(command)]}
        self.faults.inject(fault, self.sim_time_s, **params)
        log.info("fault_injected", fault=fault.value, params=params, sim_time_s=round(self.sim_time_s, 1))

    def clear(self, fault: Fault) -> None:
        """End an injected fault (the PLC's latched alarms still need an acknowledgement)."""
        self.faults.clear(Fault(fault))
        log.info("fault_cleared", fault=Fault(fault).value, sim_time_s=round(self.sim_time_s, 1))

    @property
    def link_up(self) -> bool:
        """False while a `plc_link_loss` fault is injected (the S7 server goes silent)."""
        return Fault.PLC_LINK_LOSS not in self.faults

    def copy(self) -> LockTwin:
        """A deep, independent copy (for what-if sandboxes): same state, same random stream position."""
        shared = {id(self.plant): self.plant, id(self.params): self.params}  # immutable: shared, not copied
        return copy.deepcopy(self, memo=shared)


def _typed(value: Value, dtype: DataType) -> Value:
    if dtype is DataType.BOOL:
        return bool(value)
    if dtype in (DataType.INT, DataType.DINT):
        return round(float(value))
    return float(value)
