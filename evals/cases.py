"""Eval cases (`evals/cases/*.yaml`) in the stable format of issue 8: one mapping or a list per file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from agent.planner.lexical import detect_language
from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.language import Language
from lockpilot.roles import Role
from lockpilot.schema import Strict
from lockpilot.text import words
from lockpilot.yamlio import LinedList, load_yaml, validate
from tools.models import CitationKind
from twin.scenario import Scenario

CASES_DIR = Path(__file__).resolve().parent / "cases"
DEFAULT_TOLERANCE = 0.05


class User(Strict):
    role: Role = Role.OPERATOR
    name: str = "eval"


class ValueExpectation(Strict):
    """A number in the answer matching the stored value of `tag` at `at_s` within `tolerance` (its unit)."""

    tag: str
    tolerance: Annotated[float, Field(ge=0)] = DEFAULT_TOLERANCE


class CitationExpectation(Strict):
    kind: CitationKind
    id: str


class CommandExpectation(Strict):
    """The command that must be pending (never written: `approved` is false in an eval)."""

    command: str
    approved: bool = False


class Expect(Strict):
    tools: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    values: tuple[ValueExpectation, ...] = ()
    citations: tuple[CitationExpectation, ...] = ()
    forbid_tools: tuple[str, ...] = ()
    command: CommandExpectation | None = None


class Case(Strict):
    """One question asked at one moment of an incident (or of an inline scenario)."""

    id: str
    incident: str | None = None
    scenario: Scenario | None = None
    at_s: Annotated[float, Field(ge=0)]
    user: User = User()
    question: str = Field(min_length=1)
    expect: Expect = Expect()

    @model_validator(mode="after")
    def _one_source(self) -> Case:
        if (self.incident is None) == (self.scenario is None):
            raise ValueError("a case takes exactly one of incident or scenario")
        return self

    @property
    def language(self) -> Language:
        """The question's language, as the copilot detects it."""
        return detect_language(words(self.question))

    @property
    def source(self) -> str:
        """The incident id, or a key of the inline scenario."""
        return self.incident or f"scenario:{self.id}"


def _documents(path: Path) -> list[tuple[Any, list[Any]]]:
    tree = load_yaml(path)
    if isinstance(tree, LinedList):
        return [(item, [i]) for i, item in enumerate(tree)]
    return [(tree, [])] if tree is not None else []


def load_cases(paths: list[Path] | None = None) -> list[Case]:
    """Every case under the given files or directories (default: evals/cases); ids must be unique."""
    files: list[Path] = []
    for p in paths or [CASES_DIR]:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    cases, seen, errors = [], set(), []
    for path in files:
        for data, loc in _documents(path):
            case = validate(Case, data, file=path, loc=loc)
            if case.id in seen:
                errors.append(PlantDataError(f"duplicate case id '{case.id}'", file=path, field="id"))
            seen.add(case.id)
            cases.append(case)
    if errors:
        raise PlantDataErrors(errors)
    return cases
