"""What-if: the sandbox prediction matches what the twin then does, and the real plant is never touched."""

from __future__ import annotations

import pytest

from lockpilot.clock import ManualClock
from lockpilot.plant import Plant
from lockpilot.samples import Quality
from rules.bundle import PlantBundle
from tools.whatif.action import ActionError, parse_action
from tools.whatif.predict import figures, predict, run_course, sandbox_from_values
from twin import Fault, LockTwin
from twin.equipment import ValveId

ACTION = "abrir a válvula de enchimento 1 a 100 % agora"


def test_prediction_within_5_percent_of_the_twin_taking_the_action(bundle: PlantBundle, plant: Plant) -> None:
    twin = LockTwin(plant, seed=5)
    twin.step(30.0)
    before = twin.sim_time_s
    action = parse_action(ACTION)
    predicted = predict(sandbox_from_values(plant, twin.values(), seed=99), bundle, action, minutes=20)
    assert twin.sim_time_s == before  # the real plant did not move
    real = run_course(twin, bundle, seconds=20 * 60, action=action)
    actual = figures(real, twin.params, valve=action.valve)
    p = predicted["figures"]
    assert p["peak_rate_m_min"] == pytest.approx(actual["peak_rate_m_min"], rel=0.05)
    assert p["peak_fill_m3_s"] == pytest.approx(actual["peak_fill_m3_s"], rel=0.05)
    assert p["time_to_level_s"] == pytest.approx(actual["time_to_level_s"], rel=0.05)
    assert {a["id"] for a in predicted["alarms"]} == set(real.alarms) == {"valvulas_enchimento_assimetricas"}
    assert predicted["chart"]["data"][0]["name"] == "nivel_camara_2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ACTION, ("setpoint_posicao_valvula_enchimento_1", 100.0)),
        ("open filling valve 2 to 40%", ("setpoint_posicao_valvula_enchimento_2", 40.0)),
        ("desligar a bomba principal", ("comando_desligar_bomba_principal", True)),
        ("e se a bomba cavitar?", None),
        ("fechar a válvula de alívio", ("comando_fechar_valvula_alivio", True)),
    ],
)
def test_actions_are_read_in_portuguese_and_english(text: str, expected: tuple[str, object] | None) -> None:
    action = parse_action(text)
    if expected is None:
        assert action.steps[0].inject is Fault.CAVITATION
    else:
        assert (action.steps[0].command, action.steps[0].value) == expected
    with pytest.raises(ActionError):
        parse_action("bom dia")


def test_what_if_tool_on_stored_values_and_in_process_twin(bundle: PlantBundle, plant: Plant) -> None:
    from datetime import UTC, datetime

    from storage.current import CurrentValue
    from tools.context import ToolContext
    from tools.what_if import what_if

    twin = LockTwin(plant, seed=1)
    twin.step(10.0)
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    values = twin.values()

    def current(tags: list[str]) -> dict[str, CurrentValue]:
        return {t: CurrentValue(t, values[t], clock.now(), Quality.GOOD, "", 0.0) for t in tags}

    ctx = ToolContext(bundle=bundle, clock=clock, current=current)
    out = what_if(ctx, "abrir a válvula de esvaziamento 1", minutes=2)
    assert (
        out.error is None and out.figures["peak_empty_m3_s"] < 0.5
    )  # the chamber is already at the downstream level
    copied = what_if(ctx, "sobrepressão", minutes=1.5, twin=twin)
    assert "sobrepressao_sistema" in {a["id"] for a in copied.alarms}
    assert (
        twin.sim_time_s == pytest.approx(10.0) and twin.physics.valves[ValveId.EMPTYING_1].position_pct == 0.0
    )
