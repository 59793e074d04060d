"""Modbus TCP collector (pymodbus async client on a private loop): register map read in planned blocks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU

from collectors.polling import PollingCollector
from collectors.register_map import Block, decode_point, plan_blocks
from lockpilot.bus import SampleSink
from lockpilot.clock import Clock
from lockpilot.plant.meter_points import RegisterKind, RegisterPoint
from lockpilot.samples import Quality, Sample

ReadCall = Callable[..., Coroutine[Any, Any, ModbusPDU]]

# Dispatch table: which client call reads each table, and which field of the answer holds the data.
READERS: dict[RegisterKind, tuple[str, str]] = {
    RegisterKind.HOLDING: ("read_holding_registers", "registers"),
    RegisterKind.INPUT: ("read_input_registers", "registers"),
    RegisterKind.COIL: ("read_coils", "bits"),
    RegisterKind.DISCRETE: ("read_discrete_inputs", "bits"),
}


async def read_block(client: AsyncModbusTcpClient, block: Block, *, unit_id: int) -> list[int] | list[bool]:
    """Read one planned block in a single request; raise ConnectionError on an exception answer."""
    method, field = READERS[block.kind]
    call: ReadCall = getattr(client, method)
    answer = await call(block.start, count=block.count, device_id=unit_id)
    if answer.isError():
        raise ConnectionError(f"{block.kind.value} {block.start}+{block.count}: exception answer {answer}")
    data = list(getattr(answer, field))[: block.count]
    if len(data) < block.count:
        raise ConnectionError(f"{block.kind.value} {block.start}: {len(data)} of {block.count} values")
    return data


class ModbusTcpCollector(PollingCollector):
    """Polls one Modbus TCP device's register map; contiguous points go in one request (≤ 125 registers)."""

    def __init__(
        self,
        host: str,
        points: Sequence[RegisterPoint],
        sink: SampleSink,
        *,
        device_id: str,
        port: int = 502,
        unit_id: int = 1,
        period_s: float = 1.0,
        timeout_s: float = 2.0,
        source: str = "",
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            device_id=device_id, tags=[p.tag for p in points], sink=sink, period_s=period_s, clock=clock
        )
        self.host, self.port, self.unit_id, self.timeout_s = host, port, unit_id, timeout_s
        self.points = list(points)
        self.blocks = plan_blocks(self.points)
        self.source = source or device_id
        self._loop = asyncio.new_event_loop()
        self._client: AsyncModbusTcpClient | None = None

    def _run_async(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run on the private loop; pymodbus enforces `timeout_s` on each request itself."""
        return self._loop.run_until_complete(coro)

    def connect(self) -> None:
        self._client = self._run_async(self._open())

    async def _open(self) -> AsyncModbusTcpClient:
        client = AsyncModbusTcpClient(
            self.host, port=self.port, timeout=self.timeout_s, retries=0, reconnect_delay=0
        )
        if not await client.connect():
            client.close()
            raise ConnectionError(f"cannot connect to {self.host}:{self.port}")
        return client

    def disconnect(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        """Release the private event loop (after stop)."""
        if not self._loop.is_closed():
            self._loop.close()

    def read_cycle(self) -> list[Sample]:
        if self._client is None:
            raise ConnectionError(f"not connected to {self.host}:{self.port}")
        try:
            blocks_data = self._run_async(self._read_all(self._client))
        except ModbusException as exc:
            raise ConnectionError(str(exc)) from exc
        now = self.clock.now()
        batch = [
            Sample(p.tag, now, decode_point(p, block.slice_of(p, data)), Quality.GOOD, self.source)
            for block, data in zip(self.blocks, blocks_data, strict=True)
            for p in block.points
        ]
        self.stats.requests_last_cycle = len(self.blocks)
        return batch

    async def _read_all(self, client: AsyncModbusTcpClient) -> list[list[int] | list[bool]]:
        return [await read_block(client, block, unit_id=self.unit_id) for block in self.blocks]
