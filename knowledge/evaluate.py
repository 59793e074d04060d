"""Retrieval eval: recall@k and MRR per search mode, and search latency, over a YAML question set."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import yaml

from knowledge.search import KnowledgeBase, SearchMode

RECALL_AT = 3
MRR_DEPTH = 10


class EvalHalf(StrEnum):
    """Which questions to score: fusion weights are tuned on one half and reported on the other."""

    ALL = "all"
    TUNING = "tuning"  # 1st, 3rd, 5th... question: alternate, so each half spans every topic
    HELD_OUT = "held-out"  # 2nd, 4th, 6th...


@dataclass(frozen=True)
class EvalQuestion:
    """A question and the passage ids that answer it."""

    text: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class ModeScore:
    """Retrieval quality of one mode."""

    mode: SearchMode
    recall_at_k: float
    mrr: float
    misses: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class EvalReport:
    """Scores per mode and the latency of searches."""

    questions: int
    k: int
    scores: tuple[ModeScore, ...]
    latency_p50_ms: float
    latency_p95_ms: float

    def score(self, mode: SearchMode) -> ModeScore:
        """Return the score of one mode."""
        return next(s for s in self.scores if s.mode is mode)


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read the eval set: a `questions` list of {q, expected}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = [EvalQuestion(str(item["q"]), tuple(item["expected"])) for item in data["questions"]]
    if any(not q.expected for q in questions):
        raise ValueError(f"{path}: every question needs at least one expected passage id")
    return questions


def select_half(questions: list[EvalQuestion], half: EvalHalf) -> list[EvalQuestion]:
    """Return the questions of one half of the eval set (or all of them)."""
    if half is EvalHalf.ALL:
        return list(questions)
    return questions[0 if half is EvalHalf.TUNING else 1 :: 2]


def unknown_ids(questions: list[EvalQuestion], known: set[str]) -> list[str]:
    """Return expected ids that no indexed passage has (a stale eval set)."""
    return sorted({pid for q in questions for pid in q.expected if pid not in known})


def _first_rank(ranked: list[str], expected: tuple[str, ...]) -> int | None:
    """Return the 1-based rank of the first relevant passage, if any."""
    return next((i for i, pid in enumerate(ranked, start=1) if pid in expected), None)


def score_mode(
    kb: KnowledgeBase, questions: list[EvalQuestion], mode: SearchMode, *, k: int = RECALL_AT
) -> tuple[ModeScore, list[float]]:
    """Score one mode; also return each search's latency in ms."""
    found, reciprocal, latencies, misses = 0, 0.0, [], []
    for question in questions:
        started = time.perf_counter()
        ranked = kb.ranked_ids(question.text, mode=mode, limit=MRR_DEPTH)
        latencies.append((time.perf_counter() - started) * 1000.0)
        rank = _first_rank(ranked, question.expected)
        if rank is not None and rank <= k:
            found += 1
        else:
            misses.append(question.text)
        reciprocal += 1.0 / rank if rank is not None else 0.0
    n = len(questions)
    return ModeScore(mode, found / n, reciprocal / n, tuple(misses)), latencies


def run_eval(kb: KnowledgeBase, questions: list[EvalQuestion], *, k: int = RECALL_AT) -> EvalReport:
    """Score every mode side by side; latency is that of hybrid searches (the agent's default)."""
    kb.ranked_ids("aquecimento", mode=SearchMode.HYBRID)  # load the corpus cache and the model first
    scores, hybrid_latencies = [], []
    for mode in (SearchMode.VECTOR, SearchMode.FULLTEXT, SearchMode.HYBRID):
        score, latencies = score_mode(kb, questions, mode, k=k)
        scores.append(score)
        if mode is SearchMode.HYBRID:
            hybrid_latencies = latencies
    lat = np.asarray(hybrid_latencies)
    return EvalReport(
        len(questions), k, tuple(scores), float(np.percentile(lat, 50)), float(np.percentile(lat, 95))
    )
