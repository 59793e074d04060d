"""How well the offline planner recognises what operators ask: labelled questions, scored by intent.

`evals/intents/check.yaml` was written independently of the planner's exemplars (intents.yaml). It is split
like the cases, by a hash of the question: tune exemplars and rules on the tuning half, report the test half.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agent.planner.question import Intent
from agent.planner.understand import understand
from evals.cases import Half, half_of
from tools.context import ToolContext

CHECK_FILE = Path(__file__).resolve().parent / "intents" / "check.yaml"

# A clarifying question back is a fair reading of these (the intent needs a subject the question lacks).
CLARIFY_OK = frozenset({Intent.READ, Intent.HISTORY, Intent.CHECK_SEQUENCE, Intent.WHY_NOT})


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    intent: Intent

    @property
    def half(self) -> Half:
        return half_of(self.text)


@dataclass
class IntentReport:
    """Accuracy over a set of labelled questions, per intent, and what each miss was read as."""

    total: int = 0
    right: int = 0
    per_intent: dict[Intent, list[int]] = field(default_factory=dict)  # intent -> [right, total]
    confusions: Counter[tuple[Intent, Intent]] = field(default_factory=Counter)
    misses: list[tuple[str, Intent, Intent]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    def add(self, question: LabelledQuestion, read_as: Intent) -> None:
        ok = read_as is question.intent or (read_as is Intent.CLARIFY and question.intent in CLARIFY_OK)
        tally = self.per_intent.setdefault(question.intent, [0, 0])
        tally[0] += ok
        tally[1] += 1
        self.total += 1
        self.right += ok
        if not ok:
            self.confusions[(question.intent, read_as)] += 1
            self.misses.append((question.text, question.intent, read_as))


def load_check(path: Path = CHECK_FILE) -> list[LabelledQuestion]:
    """The labelled questions; an unknown intent is an error naming the file and the question."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    out = []
    for row in rows:
        try:
            out.append(LabelledQuestion(str(row["q"]), Intent(row["intent"])))
        except ValueError:
            raise ValueError(f"{path.name}: unknown intent '{row['intent']}' for '{row['q']}'") from None
    return out


def score_intents(
    ctx: ToolContext, questions: list[LabelledQuestion], *, half: Half | None = None
) -> IntentReport:
    """Read every question (of one half, or all) as the planner does in this context, and score it."""
    report = IntentReport()
    for question in questions:
        if half is None or question.half is half:
            report.add(question, understand(question.text, ctx).intent)
    return report
