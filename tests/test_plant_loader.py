"""The plant loader refuses bad tag maps with file, line and field, and loads the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.plant import DataType, TagGroup, load_plant
from lockpilot.plant.model import Device, S7Identity
from tests.conftest import REPO_ROOT

GOOD_TAG = """\
  - name: {name}
    group: sensor
    description: {{pt: "Nível", en: "Level"}}
    unit: "{unit}"
    type: {type}
    source: {{device: {device}, address: {address}}}
    range: [0.0, 16.0]
"""


def _plant_with(tmp_path: Path, *tags: str) -> Path:
    """A plant folder with the real devices.yaml and the given tags."""
    root = tmp_path / "plants"
    (root / "lock").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "plants" / "lock" / "devices.yaml", root / "lock" / "devices.yaml")
    (root / "lock" / "tags.yaml").write_text("tags:\n" + "".join(tags), encoding="utf-8")
    return root


def _tag(**fields: str) -> str:
    values = {
        "name": "nivel_camara",
        "unit": "m",
        "type": "real",
        "device": "clp_eclusa",
        "address": "DB10.DBD0",
    } | fields
    return GOOD_TAG.format(**values)


def _errors(root: Path) -> list[PlantDataError]:
    with pytest.raises(PlantDataErrors) as caught:
        load_plant("lock", root=root)
    return caught.value.errors


def test_real_plant_loads_with_the_plant_teams_counts() -> None:
    plant = load_plant("lock", root=REPO_ROOT / "plants")
    groups = [t.group for t in plant.tags.values()]
    assert groups.count(TagGroup.SENSOR) >= 50 and groups.count(TagGroup.ACTUATOR) >= 30
    assert groups.count(TagGroup.STATUS) >= 20 and groups.count(TagGroup.DIAGNOSTIC) >= 15
    for name in (
        "nivel_reservatorio_montante",
        "nivel_camara",
        "nivel_jusante",
        "pressao_succao",
        "pressao_sistema",
        "vibracao_bomba",
        "bomba_principal_status",
        "valvula_alivio_fechada",
        "posicao_comporta_montante",
        "posicao_comporta_jusante",
        "corrente_motor_comporta_montante",
        "corrente_motor_comporta_jusante",
        "temperatura_oleo_hpu",
    ):
        assert name in plant.tags
    assert plant.tag("bomba_principal_status").type is DataType.BOOL


@pytest.mark.parametrize(
    ("tag", "field", "message"),
    [
        (_tag(address="DB10.DBW0"), "tags.0.source.address", "needs a DBD address of 4 byte(s)"),
        (_tag(type="bool", unit="", address="DB10.DBX0"), "tags.0.source.address", "needs a bit number"),
        (_tag(unit="furlong"), "tags.0.unit", "unknown unit 'furlong'"),
        (_tag(device="clp_eclus"), "tags.0.source.device", "did you mean 'clp_eclusa'"),
        (_tag(name="Nivel-Camara"), "tags.0.name", "pattern"),
        (_tag(address="DB10.DBD0.3"), "tags.0.source.address", "only DBX addresses take a bit number"),
    ],
)
def test_bad_tag_names_file_line_and_field(tmp_path: Path, tag: str, field: str, message: str) -> None:
    (error,) = _errors(_plant_with(tmp_path, tag))
    assert error.file.endswith("tags.yaml") and error.line is not None and error.line >= 2
    assert error.field == field
    assert message in str(error)


def test_a_deadband_wider_than_the_range_is_refused_naming_file_tag_and_field(tmp_path: Path) -> None:
    tag = _tag() + "    deadband: 20.0\n"  # the range is [0, 16]: a 20 m deadband would never store a change
    (error,) = _errors(_plant_with(tmp_path, tag))
    assert error.file.endswith("tags.yaml") and error.line == 9
    assert error.field == "tags.0.deadband"
    assert "nivel_camara" in str(error) and "deadband 20.0" in str(error) and "range" in str(error)


def test_a_max_interval_must_be_positive(tmp_path: Path) -> None:
    (error,) = _errors(_plant_with(tmp_path, _tag() + "    max_interval_s: 0\n"))
    assert error.field == "tags.0.max_interval_s"


def test_every_analog_tag_has_a_deadband_inside_its_range() -> None:
    plant = load_plant("lock", root=REPO_ROOT / "plants")
    for tag in plant.tags.values():
        if tag.type is DataType.REAL:
            assert tag.deadband is not None and tag.deadband > 0, tag.name
            if tag.range is not None:
                assert tag.deadband <= tag.range[1] - tag.range[0], tag.name


def test_duplicates_and_overlaps_are_refused_with_their_lines(tmp_path: Path) -> None:
    root = _plant_with(
        tmp_path,
        _tag(),
        _tag(),  # same name again
        _tag(name="nivel_camara_2", address="DB10.DBD2"),  # overlaps bytes 2..3 of nivel_camara
    )
    errors = _errors(root)
    assert [e.field for e in errors] == ["tags.1.name", "tags.2.source.address"]
    assert "duplicate tag name 'nivel_camara'" in str(errors[0]) and errors[0].line == 9
    assert "overlaps 'nivel_camara'" in str(errors[1]) and errors[1].line == 21


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    root = _plant_with(tmp_path, _tag())
    (root / "lock" / "tags.yaml").write_text("tags:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlantDataError, match=r"tags\.yaml:\d+: invalid YAML"):
        load_plant("lock", root=root)


def test_cli_prints_one_clear_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main as cli
    from lockpilot.settings import get_settings

    monkeypatch.setenv("LOCKPILOT_PLANTS_DIR", str(_plant_with(tmp_path, _tag(unit="furlong"))))
    get_settings.cache_clear()
    monkeypatch.setattr("sys.argv", ["lockpilot", "tags"])
    try:
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    finally:
        get_settings.cache_clear()
    assert exit_info.value.code == 2
    assert "tags.yaml:" in capsys.readouterr().err


def test_s7_identity_is_validated() -> None:
    good = {"order_number": "6ES7 516-3AN02-0AB0", "firmware": "V3.1.0", "module_type": "CPU 1516-3 PN/DP"}
    identity = S7Identity(**good, serial_number="S V-1")
    assert Device(id="clp", protocol="s7", identity=identity).identity == identity
    for field, bad in (("order_number", "6ES7516"), ("firmware", "3.1"), ("firmware", "V3.256.0")):
        with pytest.raises(ValidationError, match=field):
            S7Identity(**{**good, field: bad}, serial_number="S V-1")
    with pytest.raises(ValidationError, match="only an S7 CPU"):
        Device(id="analisador", protocol="modbus_tcp", identity=identity)


def test_a_bool_tags_states_are_its_two_values(tmp_path: Path) -> None:
    tag = (
        _tag(type="bool", unit="", address="DB10.DBX0.0")
        + "    states: {0: {pt: parada, en: stopped}, 2: {pt: x, en: x}}\n"
    )
    (error,) = _errors(_plant_with(tmp_path, tag))
    assert error.file.endswith("tags.yaml") and "a bool tag's states are 0 and 1" in str(error)
