"""The Sparkplug payloads of a site, read back by our codec and by an independent decoder (Eclipse Tahu's
JavaScript sparkplug-payload, pinned in tests/fleet/node); the journal's order; the settings."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fleet.settings import MqttSettings
from fleet.site.catalog import NODE, SiteCatalog
from fleet.site.journal import Journal
from fleet.sparkplug import codec
from lockpilot.plant import Plant, load_plant
from lockpilot.samples import Quality
from tests.conftest import REPO_ROOT

NODE_DIR = REPO_ROOT / "tests" / "fleet" / "node"
DEVICE_TAGS = ("nivel_camara", "bomba_principal_status", "sequencia_ativa", "contador_ciclos")


@pytest.fixture(scope="module")
def catalog() -> SiteCatalog:
    plant: Plant = load_plant("lock", root=REPO_ROOT / "plants")
    return SiteCatalog.build(plant, meters=plant.meters)


def _points(catalog: SiteCatalog) -> list[codec.Point]:
    values: dict[str, Any] = {"nivel_camara": 7.25, "bomba_principal_status": True, "sequencia_ativa": 2}
    t_ms = 1_790_000_000_123
    out = []
    for name, defn in catalog.devices["clp"].items():
        if name in values:
            out.append(codec.Point(defn, t_ms, values[name]))
        elif name == "pressao_sistema":
            out.append(codec.Point(defn, t_ms, 3.5, Quality.STALE))
    return out


def _node_decode(birth: bytes, data: list[bytes]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None and (NODE_DIR / "node_modules" / "sparkplug-payload").exists(), (
        "run make fleet-deps"
    )
    out = subprocess.run(
        [node, str(NODE_DIR / "decode.js")],
        input=json.dumps({"birth": _b64(birth), "data": [_b64(p) for p in data]}),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return dict(json.loads(out.stdout))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_devices_are_the_plc_and_the_meter_buses(catalog: SiteCatalog) -> None:
    assert set(catalog.device_ids) == {
        "clp",
        "barramento_medidores",
        "analisador_alimentador",
        "tomada_iluminacao",
    }
    assert catalog.device_of["medidor_bomba_potencia"] == "barramento_medidores"
    aliases = [m.alias for metrics in catalog.devices.values() for m in metrics.values()]
    assert len(aliases) == len(set(aliases))  # unique across the node, devices included
    assert "alarmes/primeira_falha" in catalog.devices[NODE]


def test_an_independent_decoder_reads_our_dbirth_and_ddata(catalog: SiteCatalog) -> None:
    points = _points(catalog)
    birth = codec.encode(points, seq=1, timestamp_ms=1_790_000_000_500, birth=True)
    data_points = [
        codec.Point(p.defn, p.timestamp_ms + 500, p.value, p.quality, historical=True) for p in points
    ]
    data = codec.encode(data_points, seq=2, timestamp_ms=1_790_000_001_000)
    decoded = _node_decode(birth, [data])
    decoded_birth, decoded_data = decoded["birth"], decoded["data"][0]
    ours = {p.defn.name: p for p in points}
    assert decoded_birth["seq"] == 1 and decoded_data["seq"] == 2
    names = {m["name"]: m for m in decoded_birth["metrics"]}
    assert set(names) == set(ours)
    types = {"nivel_camara": "Double", "bomba_principal_status": "Boolean", "sequencia_ativa": "Int16"}
    for name, js in names.items():
        mine = ours[name]
        assert js["alias"] == mine.defn.alias and js["timestamp"] == mine.timestamp_ms
        assert js["value"] == mine.value, name
        if name in types:
            assert js["type"] == types[name]
    assert names["nivel_camara"]["properties"]["engUnit"] == {"type": "String", "value": "m"}
    assert names["nivel_camara"]["properties"]["engHigh"] == {"type": "Double", "value": 16.0}
    assert (
        names["pressao_sistema"]["properties"]["Quality"] == {"type": "Int32", "value": 68}
        or names["pressao_sistema"]["properties"]["Quality"]["value"] == 68
    )
    by_alias = {m["alias"]: m for m in decoded_data["metrics"]}
    for point in points:
        js = by_alias[point.defn.alias]
        assert "name" not in js or not js["name"]  # data goes by alias
        assert js["value"] == point.value and js["isHistorical"] is True
        assert js["timestamp"] == point.timestamp_ms + 500
    ours_back = codec.decode(data, types={p.defn.alias: p.defn.datatype for p in points if p.defn.alias})
    assert [(m.alias, m.value, m.quality) for m in ours_back.metrics] == [
        (p.defn.alias, p.value, p.quality) for p in points
    ]


def test_the_journal_replays_in_order_from_any_record_and_survives_a_restart(tmp_path: Path) -> None:
    journal = Journal(tmp_path, segment_records=3)
    for i in range(10):
        journal.append("clp", [("nivel_camara", i, float(i), 192)])
    journal.close()
    again = Journal(tmp_path, segment_records=3)
    assert again.next_n == 11
    assert [r.n for r in again.read_from(4)] == list(range(4, 11))
    again.release(7)  # segments wholly below record 7 go
    assert again.first_n == 7 and [r.n for r in again.read_from(1)] == [7, 8, 9, 10]
    record = again.append("", [("alarmes/primeira_falha", 11, "x", 192)])
    assert record.n == 11 and [r.entries[0][2] for r in again.read_from(11)] == ["x"]


def test_settings_read_the_url_and_refuse_placeholder_passwords() -> None:
    s = MqttSettings(mqtt_url="mqtts://site%203:s3cr%40t@broker.example:8884", _env_file=None)  # type: ignore[call-arg]
    assert (s.host, s.port, s.tls, s.username, s.password) == (
        "broker.example",
        8884,
        True,
        "site 3",
        "s3cr@t",
    )
    assert MqttSettings(mqtt_url="mqtt://b", _env_file=None).port == 1883  # type: ignore[call-arg]
    assert not MqttSettings(_env_file=None).enabled  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="placeholder"):
        MqttSettings(mqtt_url="mqtt://u:changeme@b", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="must start with"):
        MqttSettings(mqtt_url="http://b", _env_file=None)  # type: ignore[call-arg]


def test_state_payloads_are_sparkplug_3_json() -> None:
    raw = codec.encode_state(online=True, timestamp_ms=123)
    assert json.loads(raw) == {"online": True, "timestamp": 123}
    state = codec.decode_state(raw)
    assert state is not None and state.online and state.timestamp == 123
    assert codec.decode_state(b"not json") is None
    assert datetime.now(UTC)  # the clock is only used by the publisher itself
