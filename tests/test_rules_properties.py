"""Property tests: the condition language and the YAML loader never crash on random input, and bad input
gets an error naming the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockpilot.errors import PlantDataError
from lockpilot.plant import Plant
from rules.compile import EvalContext, compile_leaf
from rules.expr import ExprError, parse
from rules.loader import load_rules

TAGS = ["pressao_sistema", "nivel_camara", "bomba_principal_status", "corrente_motor_comporta_montante"]
ATOMS = st.one_of(
    st.sampled_from(TAGS),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:g}"),
    st.sampled_from(
        [
            "10%",
            "150% nominal",
            "ON",
            "OFF",
            "${sobrepressao_bar}",
            "x_y",
            "(",
            ")",
            "abs(",
            "rate(",
            "unchanged(",
            ",",
            "between",
            "and",
            "not",
            "-",
            "*",
            "/",
        ]
    ),
)
OPS = st.sampled_from([" < ", " <= ", " > ", " >= ", " == ", " != ", " = ", " + ", " - ", " * ", " / ", " "])


@st.composite
def conditions(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(ATOMS, OPS), min_size=1, max_size=8))
    return "".join(a + o for a, o in parts).strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(conditions(), st.text(max_size=60)))
def test_random_conditions_parse_or_fail_cleanly(text: str, plant: Plant) -> None:
    params = {"sobrepressao_bar": 8.5}
    try:
        leaf = compile_leaf(
            text, ctx=EvalContext(values={t: 1.0 for t in TAGS}), tags=plant.tags, params=params
        )
    except ExprError as exc:
        assert str(exc)
        return
    assert leaf.evaluate(False) in (True, False)
    leaf.describe()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.floats(-100, 100, allow_nan=False), b=st.floats(-100, 100, allow_nan=False))
def test_comparison_matches_python(a: float, b: float, plant: Plant) -> None:
    ctx = EvalContext(values={"pressao_sistema": a})
    for op, expected in ((">", a > b), ("<=", a <= b), ("==", a == b)):
        leaf = compile_leaf(f"pressao_sistema {op} {b!r}", ctx=ctx, tags=plant.tags, params={})
        assert leaf.evaluate(False) is expected


def test_percent_of_range_and_nominal(plant: Plant) -> None:
    leaf = compile_leaf("nivel_reservatorio_montante < 10%", ctx=EvalContext(), tags=plant.tags, params={})
    assert leaf.describe() == (None, None)
    assert leaf.sides is not None and leaf.sides[1]() == pytest.approx(10.5)
    leaf = compile_leaf(
        "corrente_motor_comporta_montante > 150% nominal", ctx=EvalContext(), tags=plant.tags, params={}
    )
    assert leaf.sides is not None and leaf.sides[1]() == pytest.approx(33.0)


@pytest.mark.parametrize(
    "text",
    [
        "pressao_sistema >",
        "",
        "abs(pressao_sistema",
        "foo > 1",
        "${nada} > 1",
        "rate(pressao_sistema, pressao_sistema) > 1",
        "10% > pressao_sistema + 1",
        "velocidade_vento > 10% nominal",
    ],
)
def test_bad_conditions_say_why(text: str, plant: Plant) -> None:
    with pytest.raises(ExprError):
        compile_leaf(text, ctx=EvalContext(), tags=plant.tags, params={})


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(ExprError):
        parse(42)  # type: ignore[arg-type]


RULE = {
    "id": "regra_teste",
    "name": {"pt": "a", "en": "a"},
    "description": {"pt": "a", "en": "a"},
    "equipment": "eclusa",
    "condition": "pressao_sistema > 1",
    "severity": "major",
    "priority": "high",
    "explanation": {k: {"pt": "a", "en": "a"} for k in ("cause", "consequence", "action")},
}
TEMPLATE = {"name": {"pt": "a", "en": "a"}, "explanation": RULE["explanation"]}
FIELDS = st.sampled_from(
    [
        "condition",
        "for_s",
        "severity",
        "priority",
        "name",
        "causes",
        "deadband",
        "id",
        "on_bad_data",
        "suppress_when",
        "plc_fault_tag",
        "nonsense",
    ]
)
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.sampled_from(["all", "any", "not", "x"]), st.text(max_size=10), max_size=2),
)


def _write(tmp: Path, plant: Plant, rules: list[dict]) -> Path:
    folder = tmp / "lock"
    folder.mkdir(exist_ok=True)
    (folder / "parameters.yaml").write_text((plant.root / "parameters.yaml").read_text())
    path = folder / "rules.yaml"
    path.write_text(yaml.safe_dump({"data_quality": TEMPLATE, "rules": rules}, allow_unicode=True))
    return path


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=FIELDS, junk=JUNK)
def test_loader_names_file_rule_and_field(field: str, junk: object, plant: Plant, tmp_path: Path) -> None:
    path = _write(tmp_path, plant, [{**RULE, field: junk}])
    try:
        load_rules(plant, path=path)
    except PlantDataError as exc:
        message = str(exc)
        assert str(path) in message
        assert field in message or "regra_teste" in message or "rules.0" in message, message
        assert exc.line is None or exc.line >= 1


def test_loader_error_points_at_the_condition_line(plant: Plant, tmp_path: Path) -> None:
    bad = {**RULE, "condition": {"all": ["pressao_sistema > 1", "pressao_sistem > 2"]}}
    path = _write(tmp_path, plant, [RULE | {"id": "boa"}, bad])
    with pytest.raises(PlantDataError) as info:
        load_rules(plant, path=path)
    message = str(info.value)
    assert "rules.1[regra_teste].condition.all.1" in message and "did you mean 'pressao_sistema'" in message
    line = path.read_text().splitlines()[info.value.errors[0].line - 1]  # type: ignore[attr-defined]
    assert "pressao_sistem > 2" in line


def test_loader_rejects_unknown_cause_and_duplicates(plant: Plant, tmp_path: Path) -> None:
    path = _write(tmp_path, plant, [RULE | {"causes": ["fantasma"]}, RULE])
    with pytest.raises(PlantDataError) as info:
        load_rules(plant, path=path)
    assert "fantasma" in str(info.value) and "duplicate rule id 'regra_teste'" in str(info.value)
