"""Sparkplug B payloads: Lockpilot tags and alarms as metrics, encoded with the Eclipse Tahu protobuf schema.

pysparkplug brings the schema (its generated Tahu module) and the value codecs of every Sparkplug datatype;
its metric class has no property sets, which births need for engineering units and ranges, so metrics are
built here directly on the protobuf messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pysparkplug import DataType as SpbType
from pysparkplug import State
from pysparkplug._protobuf import Payload  # the Tahu schema pysparkplug generates (no public alias)

from fleet.sparkplug.topics import BD_SEQ, REBIRTH
from lockpilot.plant import DataType
from lockpilot.samples import Quality, Value

# A REAL tag travels as Double: the site's own history stores it as float8, and the central must hold the
# same number (a Float would round 230.1 from a meter's scaled register).
SPB_TYPE = {
    DataType.BOOL: SpbType.BOOLEAN,
    DataType.INT: SpbType.INT16,
    DataType.DINT: SpbType.INT32,
    DataType.REAL: SpbType.DOUBLE,
}
# OPC quality codes, the convention Sparkplug consumers (Ignition) read from a metric's "Quality" property.
QUALITY_CODE = {Quality.GOOD: 192, Quality.STALE: 68, Quality.BAD: 0, Quality.COMM_ERROR: 24}
CODE_QUALITY = {code: quality for quality, code in QUALITY_CODE.items()}
QUALITY_PROPERTY = "Quality"
PropValue = str | float | int | bool


@dataclass(frozen=True, slots=True)
class MetricDef:
    """A metric as a birth declares it: name, alias, datatype and static properties (unit, range...)."""

    name: str
    alias: int | None  # None: sent by name (bdSeq, Node Control/Rebirth)
    datatype: SpbType
    properties: Mapping[str, PropValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Point:
    """One metric value to send: its definition, sample time (ms), value, quality, historical or live."""

    defn: MetricDef
    timestamp_ms: int
    value: Value | str | None
    quality: Quality = Quality.GOOD
    historical: bool = False
    properties: Mapping[str, PropValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Received:
    """One decoded metric: name (from the birth when sent by alias), value, time, quality, flags."""

    name: str | None
    alias: int | None
    datatype: SpbType
    timestamp_ms: int | None
    value: Any
    historical: bool
    quality: Quality
    properties: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    """A decoded payload."""

    timestamp_ms: int | None
    seq: int | None
    metrics: list[Received]


def _set_property(pv: Any, value: PropValue) -> None:
    if isinstance(value, bool):
        pv.type, pv.boolean_value = SpbType.BOOLEAN, value
    elif isinstance(value, int):
        pv.type, pv.long_value = SpbType.INT64, SpbType.INT64.encode(value)
    elif isinstance(value, float):
        pv.type, pv.double_value = SpbType.DOUBLE, value
    else:
        pv.type, pv.string_value = SpbType.STRING, str(value)


def _set_properties(metric: Any, props: Mapping[str, PropValue]) -> None:
    for key, value in props.items():
        metric.properties.keys.append(key)
        _set_property(metric.properties.values.add(), value)


def _set_value(metric: Any, datatype: SpbType, value: Value | str | None) -> None:
    if value is None:
        metric.is_null = True
        return
    if datatype is SpbType.BOOLEAN:
        value = bool(value)
    elif datatype in (SpbType.INT16, SpbType.INT32, SpbType.INT64):
        value = int(value)
    elif datatype is SpbType.DOUBLE:
        value = float(value)
    setattr(metric, datatype.field, datatype.encode(value))


def _add(payload: Any, point: Point, *, birth: bool) -> None:
    metric = payload.metrics.add()
    defn = point.defn
    if birth:
        metric.name, metric.datatype = defn.name, defn.datatype
    if defn.alias is not None:
        metric.alias = defn.alias
    elif not birth:
        metric.name = defn.name
    metric.timestamp = point.timestamp_ms
    if point.historical:
        metric.is_historical = True
    props = dict(defn.properties) if birth else {}
    props.update(point.properties)
    if point.quality is not Quality.GOOD:
        props[QUALITY_PROPERTY] = QUALITY_CODE[point.quality]
    if props:
        _set_properties(metric, props)
    _set_value(metric, defn.datatype, point.value)


def encode(points: Iterable[Point], *, seq: int | None, timestamp_ms: int, birth: bool = False) -> bytes:
    """A BIRTH (names, datatypes, properties) or DATA (aliases only) payload of these points."""
    payload = Payload()
    payload.timestamp = timestamp_ms
    if seq is not None:
        payload.seq = seq
    for point in points:
        _add(payload, point, birth=birth)
    return bytes(payload.SerializeToString())


def encode_death(bd_seq: int, *, timestamp_ms: int) -> bytes:
    """The NDEATH (also the MQTT will): only the bdSeq of the session it ends."""
    payload = Payload()
    payload.timestamp = timestamp_ms
    metric = payload.metrics.add()
    metric.name, metric.datatype, metric.long_value = BD_SEQ, SpbType.INT64, bd_seq
    return bytes(payload.SerializeToString())


def encode_rebirth_request(*, timestamp_ms: int) -> bytes:
    """The NCMD a host sends to ask an edge node for its births again."""
    payload = Payload()
    payload.timestamp = timestamp_ms
    metric = payload.metrics.add()
    metric.name, metric.datatype, metric.boolean_value = REBIRTH, SpbType.BOOLEAN, True
    metric.timestamp = timestamp_ms
    return bytes(payload.SerializeToString())


def _property_values(metric: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    props = metric.properties
    for key, pv in zip(props.keys, props.values, strict=False):
        kind = pv.WhichOneof("value")
        out[key] = None if kind is None else getattr(pv, kind)
        if kind == "long_value" and pv.type == SpbType.INT64:
            out[key] = SpbType.INT64.decode(pv.long_value)
    return out


def decode(raw: bytes, *, types: Mapping[int, SpbType] | None = None) -> Message:
    """Parse a payload; `types` (alias -> datatype, from the birth) decodes DATA values sent without one."""
    payload = Payload.FromString(raw)
    metrics = []
    for m in payload.metrics:
        alias = m.alias if m.HasField("alias") else None
        datatype = SpbType(m.datatype) if m.datatype else (types or {}).get(alias or -1, SpbType.UNKNOWN)
        kind = m.WhichOneof("value")
        value = None
        if kind is not None and not m.is_null and datatype is not SpbType.UNKNOWN:
            value = datatype.decode(getattr(m, kind))
        props = _property_values(m) if m.HasField("properties") else {}
        code = props.get(QUALITY_PROPERTY)
        metrics.append(
            Received(
                name=m.name or None,
                alias=alias,
                datatype=datatype,
                timestamp_ms=m.timestamp if m.HasField("timestamp") else None,
                value=value,
                historical=m.is_historical,
                quality=CODE_QUALITY.get(code, Quality.BAD) if code is not None else Quality.GOOD,
                properties=props,
            )
        )
    return Message(
        timestamp_ms=payload.timestamp if payload.HasField("timestamp") else None,
        seq=payload.seq if payload.HasField("seq") else None,
        metrics=metrics,
    )


def encode_state(*, online: bool, timestamp_ms: int) -> bytes:
    """The Sparkplug 3.0 STATE payload of a primary host application (JSON)."""
    return State(timestamp=timestamp_ms, online=online).encode()


def decode_state(raw: bytes) -> State | None:
    """A STATE payload, None when it is not one."""
    try:
        doc = json.loads(raw)
        return State(timestamp=int(doc["timestamp"]), online=bool(doc["online"]))
    except (ValueError, KeyError, TypeError):
        return None
