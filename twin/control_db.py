"""DB99: the sim-only control block through which another process injects and clears faults over S7.

Not part of the real PLC and not in tags.yaml. Layout (big-endian, 210 bytes):

    DBW0    INT        request: 0 idle, 1 inject, 2 clear (the twin resets it to 0 once handled)
    DBW2    INT        fault code: 1 cavitation, 2 overpressure, 3 gate_jam_upstream, 4 gate_jam_downstream,
                       5 level_sensor_drift, 6 valve_stuck_filling, 7 hpu_oil_overtemp, 8 motor_overcurrent,
                       9 sensor_freeze, 10 plc_link_loss, 11 command_lost (Fault.code)
    DBW4    INT        result of the last request: 0 ok, 1 unknown fault code, 2 bad parameters
    DBW6    INT        active faults: bit (code - 1) set while that fault is injected
    DBB8    STRING[200] parameters as "key=value;key=value" (S7 STRING: max length, length, characters)

A client writes bytes 2..209 first, then the request word.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from twin.faults import Fault

CONTROL_DB = 99
CONTROL_DB_SIZE = 210
PARAMS_MAX = 200


class Request(IntEnum):
    IDLE = 0
    INJECT = 1
    CLEAR = 2


class Result(IntEnum):
    OK = 0
    UNKNOWN_FAULT = 1
    BAD_PARAMETERS = 2


@dataclass(frozen=True, slots=True)
class ControlRequest:
    """A decoded request found in DB99."""

    request: Request
    code: int
    params: dict[str, float | str]


def _param_value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def format_params(params: dict[str, float | str]) -> str:
    """'k=v;k=v' for the parameter string."""
    text = ";".join(f"{k}={v}" for k, v in params.items())
    if len(text) > PARAMS_MAX:
        raise ValueError(f"parameters exceed {PARAMS_MAX} characters")
    return text


def parse_params(text: str) -> dict[str, float | str]:
    """The inverse of `format_params` (numbers become floats)."""
    out: dict[str, float | str] = {}
    for item in filter(None, text.split(";")):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"bad parameter '{item}' (expected key=value)")
        out[key.strip()] = _param_value(value.strip())
    return out


def encode_request(request: Request, fault: Fault, params: dict[str, float | str]) -> tuple[bytes, bytes]:
    """Bytes 2..209 (code, result, active, parameters) and the request word, written in that order."""
    text = format_params(params).encode("ascii")
    body = bytearray(CONTROL_DB_SIZE - 2)
    body[0:2] = fault.code.to_bytes(2, "big")
    body[6] = PARAMS_MAX
    body[7] = len(text)
    body[8 : 8 + len(text)] = text
    return bytes(body), int(request).to_bytes(2, "big", signed=True)


def decode_request(buf: bytes | bytearray) -> ControlRequest | None:
    """The pending request in DB99, or None when idle; raises ValueError for unreadable parameters."""
    request = int.from_bytes(buf[0:2], "big", signed=True)
    if request == Request.IDLE:
        return None
    length = min(buf[9], PARAMS_MAX)
    text = bytes(buf[10 : 10 + length]).decode("ascii", errors="replace")
    return ControlRequest(
        Request(request) if request in (1, 2) else Request.IDLE,
        int.from_bytes(buf[2:4], "big", signed=True),
        parse_params(text),
    )


def status_words(result: Result, active: set[Fault]) -> bytes:
    """Bytes 4..7: result and active-fault mask."""
    mask = sum(1 << (f.code - 1) for f in active)
    return int(result).to_bytes(2, "big") + mask.to_bytes(2, "big")
