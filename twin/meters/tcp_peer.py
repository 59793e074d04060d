"""A Modbus TCP device served by pymodbus: a raw register image, optionally refreshed from a register map.

It answers its configured unit id and 255, the unit id the Modbus TCP implementation guide gives a device
addressed by IP alone ("this device"): tools such as modbus-cli send 255 by default, and TCP meters and
gateways take it as themselves. Any other unit id gets an exception answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from collectors.register_map import encode_point
from lockpilot.plant.meter_points import RegisterKind, RegisterPoint
from twin.meters.server_thread import ServerThread

TABLE_OF_FUNCTION: dict[int, RegisterKind] = {
    1: RegisterKind.COIL,
    5: RegisterKind.COIL,
    15: RegisterKind.COIL,
    2: RegisterKind.DISCRETE,
    4: RegisterKind.INPUT,
    3: RegisterKind.HOLDING,
    6: RegisterKind.HOLDING,
    16: RegisterKind.HOLDING,
}
ValuesFn = Callable[[], Mapping[str, float | bool]]
THIS_DEVICE = 255  # Modbus TCP: the unit id of a device that is not behind a gateway


class ModbusTcpPeer:
    """Serves four tables of `size` entries at one unit id; `points` + `values` refresh them on each read."""

    def __init__(
        self,
        port: int,
        *,
        host: str = "127.0.0.1",
        unit_id: int = 1,
        size: int = 512,
        points: Sequence[RegisterPoint] = (),
        values: ValuesFn | None = None,
    ) -> None:
        self.host, self.port, self.unit_id, self.size = host, port, unit_id, size
        self.points = list(points)
        self.values = values
        self.tables: dict[RegisterKind, list[int]] = {}
        self._thread = ServerThread(self._build, name=f"modbus-tcp-{port}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def set_registers(self, kind: RegisterKind, address: int, raw: Sequence[int]) -> None:
        """Write raw registers (or bits as 0/1) straight into a table, as the device's firmware would."""
        table = self.tables[kind]
        for i, value in enumerate(raw):
            if kind.is_bit:
                word, bit = divmod(address + i, 16)
                table[word] = (table[word] | (1 << bit)) if value else (table[word] & ~(1 << bit))
            else:
                table[address + i] = int(value) & 0xFFFF

    def _refresh(self) -> None:
        if self.values is None or not self.points:
            return
        current = self.values()
        for point in self.points:
            if point.tag in current:
                self.set_registers(point.kind, point.address, encode_point(point, current[point.tag]))

    async def _on_access(
        self,
        kind: RegisterKind,
        function: int,
        start: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> None:
        self.tables[kind] = registers
        if set_values is None:
            self._refresh()
        return None

    def _build(self) -> ModbusTcpServer:
        words = self.size // 16
        blocks = (
            [SimData(0, count=words * 16, values=False, datatype=DataType.BITS)],
            [SimData(0, count=words * 16, values=False, datatype=DataType.BITS)],
            [SimData(0, count=self.size, values=0, datatype=DataType.REGISTERS)],
            [SimData(0, count=self.size, values=0, datatype=DataType.REGISTERS)],
        )
        device = SimDevice(id=self.unit_id, simdata=blocks, use_bit_addressing=True, action=self._dispatch)
        server = ModbusTcpServer(device, address=(self.host, self.port))
        devices = server.context.devices  # type: ignore[union-attr]
        devices.setdefault(THIS_DEVICE, devices[self.unit_id])  # the same registers under unit 255
        for kind, runtime_key in zip(RegisterKind, ("h", "i", "c", "d"), strict=True):
            self.tables[kind] = server.context.devices[self.unit_id].block[runtime_key][2]  # type: ignore[union-attr]
        return server

    async def _dispatch(
        self,
        function: int,
        start: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> None:
        kind = TABLE_OF_FUNCTION.get(function)
        if kind is not None:
            await self._on_access(kind, function, start, address, count, registers, set_values)
        return None
