"""Eval cases (`evals/cases/**/*.yaml`) in format version 2 (design.md section 10), one or a list per file.

A case is one question (`at_s` + `question` + `expect`) or a conversation (`turns`, each with its own
`at_s`, `question` and `expect`, asked in one thread). Ids may carry their style and language as their
first two dot-separated parts (`slang.pt.enchendo-ainda`); the report groups by them.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.language import Language
from lockpilot.roles import Role
from lockpilot.schema import Strict
from lockpilot.text import words, wordset
from lockpilot.yamlio import LinedList, load_yaml, validate
from tools.models import CitationKind
from twin.scenario import Scenario

CASES_DIR = Path(__file__).resolve().parent / "cases"
DEFAULT_TOLERANCE = 0.05
# The styles a case id may start with (`<style>.<pt|en>.<slug>`): how the question is put, or what it asks.
STYLES = wordset(
    "short slang typo formal plain compound followup indirect why why_not how_long status what_to_do history "
    "units greeting out_of_domain ambiguous role command refused injection dataq knowledge legacy"
)


class Half(StrEnum):
    """The tuning/test split: tune only on tuning, judge on test."""

    TUNING = "tuning"
    TEST = "test"


def half_of(case_id: str) -> Half:
    """Stable split by the case id: sha256 even -> tuning, odd -> test."""
    return Half.TUNING if hashlib.sha256(case_id.encode()).digest()[-1] % 2 == 0 else Half.TEST


# Function words that tell the two languages apart in short operator questions (fallback only).
_PT_WORDS = wordset(
    "o os de da do das dos em no na nos nas um uma para pra por com que qual quais quanto quando esta ta "
    "estao sao foi nao sim porque como onde agora isso essa esse tem vai ja ainda tudo nada mais muito "
    "abre abra fecha feche liga ligue desliga desligue bom dia obrigado valeu oi ola eclusa comporta "
    "bomba camara nivel pressao"
)
_EN_WORDS = wordset(
    "the an of to in on at is are was were what which how and or for my your why can could should "
    "does do did now current currently there this that it its open close start stop show me please "
    "thanks thank hello hi lock gate pump chamber level pressure"
)


def guess_language(text: str) -> Language:
    """Portuguese unless English function words outnumber Portuguese ones (cases without a language tag)."""
    ws = words(text)
    pt = sum(w in _PT_WORDS for w in ws) + sum(ch in text.lower() for ch in "ãõçáéíóúâêô")
    en = sum(w in _EN_WORDS for w in ws)
    return Language.EN if en > pt else Language.PT


class User(Strict):
    role: Role = Role.OPERATOR
    name: str = "eval"


class Stat(StrEnum):
    """A statistic of a tag's history over the last `window_s` (a history question's number)."""

    MAX = "max"
    MIN = "min"
    MEAN = "mean"


class ValueExpectation(Strict):
    """A number in the answer within `tolerance` (in the tag's unit) of the tag's stored value at `at_s`,
    or, with `stat` and `window_s`, of that statistic over the last `window_s` seconds of history."""

    tag: str
    tolerance: Annotated[float, Field(ge=0)] = DEFAULT_TOLERANCE
    stat: Stat | None = None
    window_s: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _stat_with_window(self) -> ValueExpectation:
        if (self.stat is None) != (self.window_s is None):
            raise ValueError("stat and window_s go together")
        return self


class CitationExpectation(Strict):
    """A citation the answer must carry: `a|b` is met by either id; a `doc` id without `#` is a document,
    met by any of its passages."""

    kind: CitationKind
    id: str


class CommandExpectation(Strict):
    """The command that must be pending (never written: `approved` is false in an eval)."""

    command: str
    approved: bool = False


class Expect(Strict):
    """What a right answer needs. A mention `a|b` is met by either stem (accent- and case-insensitive)."""

    tools: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    values: tuple[ValueExpectation, ...] = ()
    citations: tuple[CitationExpectation, ...] = ()
    forbid_tools: tuple[str, ...] = ()
    command: CommandExpectation | None = None
    abstain: bool = False  # no tool, no command, a short reply saying what the copilot can do
    clarify: bool = False  # no tool, the reply asks one question

    @model_validator(mode="after")
    def _behaviour_alone(self) -> Expect:
        if self.abstain and self.clarify:
            raise ValueError("abstain and clarify exclude each other")
        if (self.abstain or self.clarify) and (self.tools or self.values or self.command is not None):
            key = "abstain" if self.abstain else "clarify"
            raise ValueError(f"{key} excludes tools, values and command")
        return self


class Turn(Strict):
    """One question of a case, asked at `at_s` of the incident."""

    at_s: Annotated[float, Field(ge=0)]
    question: str = Field(min_length=1)
    expect: Expect = Expect()


class Case(Strict):
    """One question, or a conversation of turns in one thread, at moments of an incident or scenario."""

    id: str = Field(min_length=1)
    incident: str | None = None
    scenario: Scenario | None = None
    at_s: Annotated[float, Field(ge=0)] | None = None
    user: User = User()
    question: str | None = Field(default=None, min_length=1)
    expect: Expect | None = None
    turns: tuple[Turn, ...] | None = Field(default=None, min_length=1)

    @field_validator("turns")
    @classmethod
    def _turns_in_order(cls, turns: tuple[Turn, ...] | None) -> tuple[Turn, ...] | None:
        for i, (a, b) in enumerate(zip(turns or (), (turns or ())[1:], strict=False)):
            if b.at_s < a.at_s:
                raise ValueError(f"turn {i + 2} is asked at {b.at_s:g} s, before turn {i + 1} ({a.at_s:g} s)")
        return turns

    @model_validator(mode="after")
    def _one_form(self) -> Case:
        if (self.incident is None) == (self.scenario is None):
            raise ValueError("a case takes exactly one of incident or scenario")
        single = (self.question, self.at_s, self.expect)
        if self.turns is not None and any(x is not None for x in single):
            raise ValueError("a case takes either question + at_s (+ expect) or turns, not both")
        if self.turns is None and (self.question is None or self.at_s is None):
            raise ValueError("a case needs question and at_s, or turns")
        return self

    @property
    def steps(self) -> tuple[Turn, ...]:
        """The turns to ask: a single question is a conversation of one turn."""
        if self.turns is not None:
            return self.turns
        assert self.question is not None and self.at_s is not None
        return (Turn(at_s=self.at_s, question=self.question, expect=self.expect or Expect()),)

    @property
    def is_conversation(self) -> bool:
        return self.turns is not None

    @property
    def start_s(self) -> float:
        """When the first question is asked."""
        return self.steps[0].at_s

    @property
    def end_s(self) -> float:
        """When the last question is asked."""
        return self.steps[-1].at_s

    @property
    def first_question(self) -> str:
        return self.steps[0].question

    @property
    def _tags(self) -> list[str]:
        return self.id.split(".")

    @property
    def language(self) -> Language:
        """The language tag of the id (`style.pt.slug`), else a guess from the first question."""
        tags = self._tags
        if len(tags) >= 3 and tags[1] in {lang.value for lang in Language}:
            return Language(tags[1])
        return guess_language(self.first_question)

    @property
    def style(self) -> str:
        """The style tag of the id (`slang.pt.slug` -> slang), or "untagged"."""
        tags = self._tags
        return tags[0] if len(tags) >= 3 and re.fullmatch(r"[a-z_]+", tags[0]) else "untagged"

    @property
    def half(self) -> Half:
        return half_of(self.id)

    @property
    def source(self) -> str:
        """The incident id, or a key of the inline scenario."""
        return self.incident or f"scenario:{self.id}"


def _documents(path: Path) -> list[tuple[Any, list[Any]]]:
    tree = load_yaml(path)
    if isinstance(tree, LinedList):
        return [(item, [i]) for i, item in enumerate(tree)]
    return [(tree, [])] if tree is not None else []


def case_files(paths: list[Path] | None = None) -> list[Path]:
    """The YAML files under the given files or directories (default: evals/cases, recursively)."""
    files: list[Path] = []
    for p in paths or [CASES_DIR]:
        files += sorted(p.rglob("*.yaml")) if p.is_dir() else [p]
    return files


def _subset_ids(path: Path) -> list[str] | None:
    """The ids of a subset file (`subset: [id, ...]`: cases of the default suite, by id), else None."""
    tree = load_yaml(path)
    if isinstance(tree, dict) and "subset" in tree:
        ids = tree["subset"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise PlantDataError("subset must be a list of case ids", file=path, field="subset")
        return list(ids)
    return None


def load_cases(paths: list[Path] | None = None, *, half: Half | None = None) -> list[Case]:
    """Every case under the given files or directories (of one half when given); ids must be unique.

    A subset file (`subset: [ids]`) names cases of the default suite instead of holding cases.
    """
    cases, seen, errors = [], set(), []
    suite: dict[str, Case] = {}
    for path in case_files(paths):
        ids = _subset_ids(path)
        if ids is None:
            found = [validate(Case, data, file=path, loc=loc) for data, loc in _documents(path)]
        else:
            suite = suite or {c.id: c for c in load_cases()}
            if missing := [i for i in ids if i not in suite]:
                errors.append(PlantDataError(f"unknown case ids {missing}", file=path, field="subset"))
            found = [suite[i] for i in ids if i in suite]
        for case in found:
            if case.id in seen:
                errors.append(PlantDataError(f"duplicate case id '{case.id}'", file=path, field="id"))
            seen.add(case.id)
            cases.append(case)
    if errors:
        raise PlantDataErrors(errors)
    return [c for c in cases if half is None or c.half is half]
