"""`lockpilot bench ui`: time to the first token of offline-planner answers in the browser (p50/p95)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.browser import ask_timed, chromium_page, login

QUESTIONS = (
    "qual o nível da câmara?",
    "qual a pressão do sistema?",
    "a bomba principal está ligada?",
    "qual a temperatura do óleo da HPU?",
    "qual o nível de montante?",
    "qual o nível de jusante?",
    "qual a vibração da bomba?",
    "qual a posição da comporta de montante?",
    "quais alarmes estão ativos?",
    "what is the chamber level?",
)
TARGET_FIRST_TOKEN_MS = 1000.0


@dataclass(frozen=True, slots=True)
class UiBench:
    """First-token latencies in ms over `count` questions."""

    count: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    samples_ms: tuple[float, ...]

    @property
    def within_target(self) -> bool:
        return self.p95_ms < TARGET_FIRST_TOKEN_MS


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share in 0..1)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def run_ui_bench(
    base_url: str, *, username: str, password: str, questions: int = 20, chat_path: str = "/chat"
) -> UiBench:
    """Log in once, ask `questions` questions, time each answer's first text in the page."""
    times: list[float] = []
    with chromium_page() as page:
        login(page, base_url, username=username, password=password, chat_path=chat_path)
        for i in range(questions):
            times.append(ask_timed(page, QUESTIONS[i % len(QUESTIONS)]))
            page.wait_for_timeout(150)  # let the rest of the answer land before the next question
    return UiBench(
        count=len(times),
        p50_ms=statistics.median(times),
        p95_ms=percentile(times, 0.95),
        max_ms=max(times),
        samples_ms=tuple(round(t, 1) for t in times),
    )
