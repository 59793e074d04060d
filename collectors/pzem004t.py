"""PZEM-004T v3 driver: decode 10 input registers; energy reset and alarm threshold only when approved."""

from __future__ import annotations

from collections.abc import Sequence

from lockpilot.plant.meter_points import PzemMetric

PZEM_BAUDRATE = 9600  # 8N1, fixed by the meter
PZEM_READ_FUNCTION = 0x04
PZEM_REGISTER_COUNT = 10
PZEM_ALARM_THRESHOLD_REGISTER = 0x0001  # holding register, watts
PZEM_RESET_ENERGY_FUNCTION = 0x42
PZEM_ALARM_ON = 0xFFFF


def u32_low_first(low: int, high: int) -> int:
    """Join two registers of a 32-bit value sent low word first (the PZEM order)."""
    return (high << 16) | low


def decode_pzem(registers: Sequence[int]) -> dict[PzemMetric, float | bool]:
    """Turn the 10 input registers from 0x0000 into engineering values."""
    if len(registers) < PZEM_REGISTER_COUNT:
        raise ValueError(f"PZEM-004T answer has {len(registers)} registers, expected {PZEM_REGISTER_COUNT}")
    r = list(registers)
    return {
        PzemMetric.VOLTAGE_V: r[0] * 0.1,
        PzemMetric.CURRENT_A: u32_low_first(r[1], r[2]) * 0.001,
        PzemMetric.POWER_W: u32_low_first(r[3], r[4]) * 0.1,
        PzemMetric.ENERGY_WH: float(u32_low_first(r[5], r[6])),
        PzemMetric.FREQUENCY_HZ: r[7] * 0.1,
        PzemMetric.POWER_FACTOR: r[8] * 0.01,
        PzemMetric.ALARM: r[9] == PZEM_ALARM_ON,
    }


def encode_pzem(
    *,
    voltage_v: float,
    current_a: float,
    power_w: float,
    energy_wh: float,
    frequency_hz: float,
    power_factor: float,
    alarm: bool,
) -> list[int]:
    """Build the 10 input registers a meter holds for these values (the simulated bank uses it)."""
    current = round(current_a * 1000) & 0xFFFFFFFF
    power = round(power_w * 10) & 0xFFFFFFFF
    energy = round(energy_wh) & 0xFFFFFFFF
    return [
        round(voltage_v * 10) & 0xFFFF,
        current & 0xFFFF,
        current >> 16,
        power & 0xFFFF,
        power >> 16,
        energy & 0xFFFF,
        energy >> 16,
        round(frequency_hz * 10) & 0xFFFF,
        round(power_factor * 100) & 0xFFFF,
        PZEM_ALARM_ON if alarm else 0,
    ]


def crc16_modbus(frame: bytes) -> bytes:
    """Modbus RTU CRC-16 (poly 0xA001), low byte first as sent on the wire."""
    crc = 0xFFFF
    for byte in frame:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc.to_bytes(2, "little")
