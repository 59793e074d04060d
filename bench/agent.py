"""`lockpilot bench agent`: offline planner over fixed questions, p50/p95 per question and per tool."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from agent.service import Copilot
from lockpilot.roles import Role

QUESTIONS = (
    "qual o nível da câmara?",
    "what is the chamber level?",
    "a bomba principal está ligada?",
    "por que a bomba principal parou?",
    "posso abrir a comporta de montante?",
    "can I open the downstream gate?",
    "mostre a pressão do sistema na última hora",
    "show the pump vibration over the last 10 minutes",
    "o que faço em caso de cavitação?",
    "quais alarmes estão ativos?",
    "which alarms are active?",
    "qual a temperatura do oleo da hpu?",
    "kpis de alarmes nas últimas 24 horas",
    "nivle da camra",
)
TARGET_P95_S = 0.300


@dataclass(frozen=True, slots=True)
class Latency:
    name: str
    count: int
    p50_s: float
    p95_s: float


@dataclass(frozen=True, slots=True)
class BenchReport:
    questions: list[Latency]
    tools: list[Latency]
    overall: Latency

    @property
    def meets_target(self) -> bool:
        return self.overall.p95_s <= TARGET_P95_S


def _latency(name: str, samples: list[float]) -> Latency:
    arr = np.asarray(samples)
    return Latency(name, len(samples), float(np.percentile(arr, 50)), float(np.percentile(arr, 95)))


def run_agent_bench(
    copilot: Copilot,
    tool_times: dict[str, list[float]],
    *,
    repeats: int = 10,
    questions: tuple[str, ...] = QUESTIONS,
) -> BenchReport:
    """Ask every question `repeats` times (fresh threads, after one warm-up round); collect latencies.

    `tool_times` is the dict the copilot's on_tool_time callback appends to.
    """
    for question in questions:
        copilot.ask(question, user="bench", role=Role.VIEWER, thread_id=f"bench:{uuid.uuid4().hex}")
    tool_times.clear()
    per_question: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            copilot.ask(question, user="bench", role=Role.VIEWER, thread_id=f"bench:{uuid.uuid4().hex}")
            per_question[question].append(time.perf_counter() - started)
    everything = [t for times in per_question.values() for t in times]
    return BenchReport(
        questions=[_latency(q, per_question[q]) for q in questions],
        tools=[_latency(name, times) for name, times in sorted(tool_times.items())],
        overall=_latency("all questions", everything),
    )
