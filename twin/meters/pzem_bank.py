"""A bank of simulated PZEM-004T meters on one RTU line: a pymodbus serial server fed by the twin."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from pymodbus.pdu import ModbusPDU
from pymodbus.server import ModbusSerialServer
from pymodbus.simulator import DataType, SimData, SimDevice

from collectors.pzem004t import PZEM_BAUDRATE, PZEM_REGISTER_COUNT, PZEM_RESET_ENERGY_FUNCTION, encode_pzem
from twin.meters.feed import MeterFeed
from twin.meters.server_thread import ServerThread

READ_INPUT = 4


@dataclass
class SimulatedPzem:
    """One meter of the bank: its RTU address, the feed channel it measures, its alarm threshold."""

    address: int
    channel: str
    alarm_threshold_w: int = 23000


class PzemBank:
    """Serves PZEM-004T meters at several addresses; registers are refreshed from the feed on every read."""

    def __init__(
        self, port: str, feed: MeterFeed, meters: Mapping[int, str], *, baudrate: int = PZEM_BAUDRATE
    ):
        self.port = port
        self.feed = feed
        self.meters = {addr: SimulatedPzem(addr, channel) for addr, channel in meters.items()}
        self.baudrate = baudrate
        self.resets: list[int] = []
        self._thread = ServerThread(self._build, name="pzem-bank")

    def source(self, address: int) -> str:
        """The source label of readings from the meter at `address` (never passed off as real)."""
        return f"sim:pzem@{address}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def _device(self, meter: SimulatedPzem) -> SimDevice:
        holding = [SimData(0, count=3, values=0, datatype=DataType.REGISTERS)]
        inputs = [SimData(0, count=PZEM_REGISTER_COUNT, values=0, datatype=DataType.REGISTERS)]
        unused = [SimData(0, count=16, values=False, datatype=DataType.BITS)]
        return SimDevice(
            id=meter.address,
            simdata=(unused, unused, holding, inputs),
            action=functools.partial(self._on_access, meter),
        )

    async def _on_access(
        self,
        meter: SimulatedPzem,
        function: int,
        start: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> None:
        """Refresh input registers on a read; keep the alarm threshold in holding register 1."""
        if function == READ_INPUT:
            r = self.feed.reading(meter.channel)
            registers[:PZEM_REGISTER_COUNT] = encode_pzem(
                voltage_v=r.voltage_v,
                current_a=r.current_a,
                power_w=r.power_w,
                energy_wh=r.energy_wh,
                frequency_hz=r.frequency_hz,
                power_factor=r.power_factor,
                alarm=r.power_w > meter.alarm_threshold_w,
            )
        elif set_values and address <= 1 < address + count:
            meter.alarm_threshold_w = int(set_values[1 - address])
        elif len(registers) > 2:
            registers[1], registers[2] = meter.alarm_threshold_w, meter.address
        return None

    def reset_energy(self, address: int) -> None:
        """What the meter does on function 0x42: zero its energy counter."""
        self.resets.append(address)
        self.feed.reset_energy(self.meters[address].channel)

    def _build(self) -> ModbusSerialServer:
        devices = [self._device(m) for m in self.meters.values()]
        return ModbusSerialServer(
            devices,
            port=self.port,
            baudrate=self.baudrate,
            timeout=0.5,
            ignore_missing_devices=True,
            custom_pdu=[reset_energy_pdu(self)],
        )


def reset_energy_pdu(bank: PzemBank) -> type[ModbusPDU]:
    """A PDU class for PZEM function 0x42 (reset energy) bound to `bank`."""

    class ResetEnergy(ModbusPDU):
        """PZEM-004T energy reset: no data either way; the answer echoes the request."""

        function_code = PZEM_RESET_ENERGY_FUNCTION
        rtu_frame_size = 4

        def encode(self) -> bytes:
            return b""

        def decode(self, data: bytes) -> None:
            return None

        async def datastore_update(self, context: object, device_id: int) -> ModbusPDU:
            bank.reset_energy(device_id)
            return ResetEnergy(dev_id=device_id, transaction_id=self.transaction_id)

    return ResetEnergy
