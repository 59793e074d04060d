"""The repo's eval cases: they load, their names exist, and what they expect is true at their moment."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from evals.case_check import CaseChecker
from evals.cases import STYLES, Case, Half, load_cases
from evals.incident import IncidentLibrary
from lockpilot.language import Language
from rules.bundle import PlantBundle

LIBRARY = Path(__file__).resolve().parent.parent / "plants" / "lock" / "incidents"


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases()


@pytest.fixture(scope="module")
def checker(bundle: PlantBundle) -> CaseChecker:
    return CaseChecker(bundle, IncidentLibrary(LIBRARY, bundle.plant))


def test_ids_carry_a_known_style_and_language(cases: list[Case]) -> None:
    for c in cases:
        style, language, slug = c.id.split(".", 2)
        assert style in STYLES and language in {"pt", "en"} and slug, c.id
        assert c.style == style and c.language.value == language


def test_enough_cases_conversations_and_languages(cases: list[Case]) -> None:
    singles = [c for c in cases if not c.is_conversation]
    conversations = [c for c in cases if c.is_conversation]
    assert len(singles) >= 400 and len(conversations) >= 60
    assert all(2 <= len(c.steps) <= 4 for c in conversations)
    pt = sum(c.language is Language.PT for c in cases) / len(cases)
    assert 0.6 <= pt <= 0.75, pt
    styles = collections.Counter(c.style for c in cases)
    assert len(styles) >= 20 and min(styles.values()) >= 4, styles


def test_every_incident_and_its_phases_are_covered(cases: list[Case], checker: CaseChecker) -> None:
    library = checker.library
    assert {c.incident for c in cases} >= set(library.ids())
    for incident_id in library.ids():
        signature = library.get(incident_id).signature_s()
        times = [t.at_s for c in cases if c.incident == incident_id for t in c.steps]
        if signature is not None:  # a fault incident: asked about after its signature, most also before
            assert max(times) >= signature, incident_id


def test_the_split_is_stable_and_near_half(cases: list[Case]) -> None:
    halves = collections.Counter(c.half for c in cases)
    assert 0.4 <= halves[Half.TEST] / len(cases) <= 0.6, halves
    assert {c.id for c in load_cases(half=Half.TEST)} == {c.id for c in cases if c.half is Half.TEST}


def test_every_name_exists_and_every_turn_lies_inside_its_incident(
    cases: list[Case], checker: CaseChecker
) -> None:
    problems = [f"{c.id}: {p}" for c in cases for p in checker.references(c)]
    assert not problems, problems[:20]


@pytest.mark.timeout(600)
def test_every_expected_fact_holds_at_its_moment(cases: list[Case], checker: CaseChecker) -> None:
    """Replays every incident: expected values are stored, cited alarms active, commands acceptable..."""
    found = checker.check(cases)
    assert not found.errors, found.errors[:20]


def _case(**over: object) -> Case:
    base: dict[str, object] = {"id": "x.pt.y", "incident": "quiet_idle", "at_s": 100, "question": "q"}
    return Case.model_validate({**base, **over})


def test_the_checker_catches_false_and_unknown_expectations(checker: CaseChecker) -> None:
    wrong = [
        _case(id="a.pt.alarm", expect={"citations": [{"kind": "alarm", "id": "cavitacao_bomba"}]}),
        _case(id="a.pt.cmd", expect={"command": {"command": "abrir_comporta_montante"}}),
        _case(id="refused.pt.abrir_comporta_jusante-x", expect={"tools": ["request_command"]}),
        _case(
            id="why_not.pt.w", expect={"citations": [{"kind": "sequence", "id": "abertura_comporta_jusante"}]}
        ),
        _case(id="dataq.pt.d", expect={"mentions": ["congel"]}),
        _case(id="a.pt.history", expect={"values": [{"tag": "nivel_camara", "stat": "max", "window_s": 60}]}),
    ]
    errors = checker.check(wrong).errors
    for cid in (
        "a.pt.alarm",
        "a.pt.cmd",
        "refused.pt.abrir_comporta_jusante-x",
        "why_not.pt.w",
        "dataq.pt.d",
    ):
        assert any(e.startswith(cid) for e in errors), (cid, errors)
    assert not any(e.startswith("a.pt.history") for e in errors)
    unknown = _case(
        id="u.pt.u",
        at_s=9999,
        expect={
            "tools": ["read_everything"],
            "values": [{"tag": "nivel_lua"}],
            "citations": [{"kind": "doc", "id": "faq#nada"}],
        },
    )
    refs = checker.references(unknown)
    assert len(refs) == 4 and any("outside quiet_idle" in r for r in refs), refs
