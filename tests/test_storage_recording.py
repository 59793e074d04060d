"""Exception recording: which collected samples the history stores (deadband, quality, max interval, gaps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lockpilot.samples import Quality
from rules.bundle import load_bundle
from storage.quality import QUALITY_CODE
from storage.recording import ExceptionFilter, RecordingPolicy, StoredState, TagPolicy
from storage.rollup import Row

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
GOOD, BAD = QUALITY_CODE[Quality.GOOD], QUALITY_CODE[Quality.BAD]
POLICY = RecordingPolicy(
    {
        "level": TagPolicy(deadband=0.1, max_interval_s=60.0),
        "pump": TagPolicy(deadband=0.0, max_interval_s=60.0),
    },
    default=TagPolicy(deadband=0.0, max_interval_s=60.0),
)


def row(tag: str, at_s: float, value: float | None, quality: int = GOOD, source: str = "s7") -> Row:
    return (T0 + timedelta(seconds=at_s), tag, value, quality, source)


def kept(rows: list[Row], state: dict[str, StoredState] | None = None) -> list[tuple[float, float | None]]:
    f = ExceptionFilter(POLICY, state=state)
    out = f.select(rows)
    f.commit()
    return [((r[0] - T0).total_seconds(), r[2]) for r in out.kept]


def test_the_deadband_is_around_the_last_stored_value_not_the_last_collected() -> None:
    # creeping by 0.04 a sample: each step is inside the band, but the drift leaves it at 0.12
    rows = [row("level", i * 0.5, 10.0 + 0.04 * i) for i in range(6)]
    assert kept(rows) == [(0.0, 10.0), (1.5, 10.0 + 0.04 * 3)]  # 10.16 and 10.20 are within 0.1 of 10.12


def test_a_value_exactly_on_the_band_edge_stays_inside() -> None:
    assert kept([row("level", 0, 10.0), row("level", 1, 10.1), row("level", 2, 10.1001)]) == [
        (0.0, 10.0),
        (2.0, 10.1001),
    ]


def test_quality_change_max_interval_and_gap_markers_are_stored() -> None:
    rows = [
        row("level", 0, 5.0),
        row("level", 1, 5.0, BAD),  # quality changed
        row("level", 2, 5.0, BAD),
        row("level", 61, 5.0, BAD),  # max interval since 1 s
        row("level", 62, None, QUALITY_CODE[Quality.COMM_ERROR], "gap:process_restart"),
        row("level", 63, None, QUALITY_CODE[Quality.COMM_ERROR], "gap:process_restart"),  # a gap stays a gap
        row("level", 64, 5.0),
    ]
    assert kept(rows) == [(0, 5.0), (1, 5.0), (61, 5.0), (62, None), (63, None), (64, 5.0)]


def test_a_link_loss_is_stored_once_and_its_heartbeats() -> None:
    lost = QUALITY_CODE[Quality.COMM_ERROR]
    rows = [row("level", 0, 5.0)] + [row("level", 1 + i, None, lost) for i in range(70)]
    assert kept(rows) == [(0, 5.0), (1, None), (61, None)]


def test_booleans_and_unknown_tags_store_on_change_only() -> None:
    rows = [row("pump", i, float(i >= 3)) for i in range(6)] + [row("other", i, 7.0) for i in range(3)]
    assert kept(rows) == [(0, 0.0), (3, 1.0), (0, 7.0)]


def test_nothing_is_stored_twice_after_a_restart_seeded_with_the_last_stored_state() -> None:
    first = ExceptionFilter(POLICY)
    first.select([row("level", 0, 10.0), row("level", 1, 10.05)])
    first.commit()
    again = kept([row("level", 2, 10.06), row("level", 3, 10.3)], state=first.state)
    assert again == [(2.0, 10.06), (3.0, 10.3)]  # 10.06 is stored as the sample before a step


def test_a_step_after_a_quiet_stretch_stores_the_sample_before_it_a_ramp_does_not() -> None:
    step = [row("level", i, 10.0 if i < 30 else 11.0) for i in range(32)]
    assert kept(step) == [(0, 10.0), (29, 10.0), (30, 11.0)]  # a line from 0 s to 30 s would ramp early
    ramp = [row("level", i, 10.0 + 0.03 * i) for i in range(12)]
    assert [t for t, _ in kept(ramp)] == [0, 4, 8]  # on the line drawn between stored samples: not stored


def test_an_uncommitted_selection_leaves_the_state_as_it_was() -> None:
    f = ExceptionFilter(POLICY)
    f.select([row("level", 0, 10.0)])  # the batch's transaction failed: not committed
    assert f.select([row("level", 1, 10.0)]).kept == [row("level", 1, 10.0)]


def test_the_policy_of_the_real_plant_gives_every_tag_its_deadband_and_interval() -> None:
    plant = load_bundle("lock").plant
    policy = RecordingPolicy.for_plant(plant, default_max_interval_s=60.0)
    assert policy.of("pressao_sistema").deadband == plant.tag("pressao_sistema").deadband
    assert policy.of("bomba_principal_status").deadband == 0.0
    assert policy.of("unknown_tag").max_interval_s == 60.0
    assert all(policy.of(name).deadband is not None for name in plant.tags)
