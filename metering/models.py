"""Metering domain records: clients, devices, measurements, alarm rules and events, API users."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lockpilot.roles import Role
from lockpilot.safetext import CLEAN, check_strings
from metering.meter_rules import Operator

KEY_NAMESPACE = uuid.UUID("6f1c7e52-55c8-4a5e-9d43-0d5f5e9a7c11")  # keys of keyless measurements
NAME = Annotated[str, Field(min_length=1, max_length=120), CLEAN]
MAX_CONFIG_BYTES = 16_384


class DeviceType(StrEnum):
    MODBUS_RTU = "modbus_rtu"
    MODBUS_TCP = "modbus_tcp"
    TUYA = "tuya"
    S7 = "s7"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        """No NUL bytes or lone surrogates anywhere in what comes in (names, sources, config)."""
        return check_strings(data)


def _check_config(config: dict[str, Any] | None) -> None:
    if config is not None and len(json.dumps(config, default=str)) > MAX_CONFIG_BYTES:
        raise ValueError(f"config larger than {MAX_CONFIG_BYTES} bytes")


class ClientCreate(Model):
    name: NAME
    external_id: str | None = Field(default=None, max_length=120)


class Client(ClientCreate):
    id: int
    created_at: datetime


class DeviceCreate(Model):
    client_id: int
    name: NAME
    device_type: DeviceType
    active: bool = True
    config: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _config_size(self) -> DeviceCreate:
        _check_config(self.config)
        return self


class DeviceUpdate(Model):
    name: NAME | None = None
    active: bool | None = None
    config: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _config_size(self) -> DeviceUpdate:
        _check_config(self.config)
        return self


class Device(DeviceCreate):
    id: int
    created_at: datetime


class MeasurementIn(Model):
    """One value to ingest; `key` makes a retried or forwarded measurement count once."""

    key: uuid.UUID | None = None
    time: datetime
    metric: Annotated[str, Field(min_length=1, max_length=63)]
    value: float = Field(allow_inf_nan=False)
    source: str = Field(default="", max_length=200)


class IngestBatch(Model):
    """Measurements of one device, addressed by client and device name (the same on master and slave)."""

    client: NAME
    device: NAME
    device_type: DeviceType
    measurements: Annotated[list[MeasurementIn], Field(min_length=1, max_length=10_000)]

    @model_validator(mode="after")
    def _keys(self) -> IngestBatch:
        """Give each keyless measurement a key from client, device, metric, time: resends repeat it."""
        for m in self.measurements:
            if m.key is None:
                m.key = uuid.uuid5(
                    KEY_NAMESPACE, f"{self.client}/{self.device}/{m.metric}/{m.time.isoformat()}"
                )
        return self


class IngestResult(Model):
    device_id: int
    accepted: int
    duplicates: int
    alarms: int


class Measurement(Model):
    device_id: int
    time: datetime
    metric: str
    value: float
    source: str
    key: uuid.UUID


class MeterAlarmRuleCreate(Model):
    client_id: int
    device_id: int | None = None
    name: NAME
    metric: Annotated[str, Field(min_length=1, max_length=63)]
    operator: Operator
    threshold: float = Field(allow_inf_nan=False)
    enabled: bool = True


class MeterAlarmRuleUpdate(Model):
    name: NAME | None = None
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    operator: Operator | None = None
    enabled: bool | None = None


class MeterAlarmRule(MeterAlarmRuleCreate):
    id: int
    created_at: datetime


class MeterAlarmEvent(Model):
    id: int
    rule_id: int | None
    device_id: int
    time: datetime
    metric: str
    value: float
    details: str
    acknowledged: bool
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class User(Model):
    """Who is calling the API."""

    username: str
    role: Role
    client_id: int | None = None

    @property
    def sees_all_clients(self) -> bool:
        return self.role is not Role.DATA_USER
