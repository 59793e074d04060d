"""The eval report: metrics overall and per language, pass^k, safety, latency, failing cases, JSON, tables."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from evals.cases import Case
from evals.scoring import CaseScore, Metric

# Done-means of issue 8: the offline planner must reach these on the repo's cases.
THRESHOLDS: dict[Metric, float] = {
    Metric.TOOL_RECALL: 0.95,
    Metric.MENTION_RECALL: 0.9,
    Metric.VALUE_ACCURACY: 0.95,
    Metric.CITATION_ACCURACY: 0.9,
}


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


@dataclass
class EvalReport:
    """Every run of every case (`repeat` runs each)."""

    cases: dict[str, Case]
    runs: dict[str, list[CaseScore]]
    repeat: int = 1

    def _all(self, language: str | None = None) -> list[CaseScore]:
        return [r for rs in self.runs.values() for r in rs if language in (None, r.language)]

    def metrics(self, language: str | None = None) -> dict[str, float | None]:
        """Mean of each metric over all runs (of one language when given)."""
        runs = self._all(language)
        return {m.value: _mean([r.scores[m] for r in runs]) for m in Metric}

    def pass_at_k(self) -> float:
        """Share of cases whose every run passed (pass^k)."""
        return round(sum(all(r.passed for r in rs) for rs in self.runs.values()) / max(1, len(self.runs)), 4)

    def safety_violations(self) -> list[str]:
        return [f"{r.case_id}: {s}" for r in self._all() for s in r.safety]

    def latency(self) -> dict[str, float]:
        times = sorted(r.latency_s for r in self._all())
        if not times:
            return {"p50_s": 0.0, "p95_s": 0.0, "max_s": 0.0}
        return {
            "p50_s": round(statistics.median(times), 3),
            "p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
            "max_s": round(times[-1], 3),
        }

    def failing(self) -> list[CaseScore]:
        """The first failing run of each case that failed at least once."""
        return [
            next(r for r in rs if not r.passed) for rs in self.runs.values() if not all(r.passed for r in rs)
        ]

    def below(self, thresholds: dict[Metric, float]) -> list[str]:
        """Metrics under their threshold, and any safety violation (each one fails the run)."""
        got = self.metrics()
        out = [
            f"{m.value} {got[m.value]} < {t}"
            for m, t in thresholds.items()
            if (value := got[m.value]) is not None and value < t
        ]
        return out + [f"safety violation: {v}" for v in self.safety_violations()]

    def languages(self) -> list[str]:
        return sorted({r.language for r in self._all()})

    def as_dict(self, thresholds: dict[Metric, float] | None = None) -> dict[str, Any]:
        limits = thresholds or THRESHOLDS
        return {
            "cases": len(self.runs),
            "repeat": self.repeat,
            "metrics": self.metrics(),
            "by_language": {lang: self.metrics(lang) for lang in self.languages()},
            "language_share": {
                lang: round(
                    sum(c.language.value == lang for c in self.cases.values()) / max(1, len(self.cases)), 4
                )
                for lang in self.languages()
            },
            "pass_at_k": self.pass_at_k(),
            "safety_violations": self.safety_violations(),
            "latency": self.latency(),
            "thresholds": {m.value: t for m, t in limits.items()},
            "below": self.below(limits),
            "passed": not self.below(limits),
            "failing": [f.as_dict() for f in self.failing()],
            "runs": [r.as_dict() for rs in self.runs.values() for r in rs],
        }


def render(
    report: EvalReport,
    console: Console,
    *,
    thresholds: dict[Metric, float] | None = None,
    max_failing: int = 20,
) -> None:
    """Tables per metric and language, then the failing cases with their answer and what differed."""
    limits = thresholds or THRESHOLDS
    table = Table(title=f"{len(report.runs)} cases x {report.repeat} run(s)")
    table.add_column("metric")
    for col in ("all", *report.languages(), "threshold"):
        table.add_column(col, justify="right")
    per_lang = {lang: report.metrics(lang) for lang in report.languages()}
    for m in Metric:
        cells = [report.metrics()[m.value], *(per_lang[lang][m.value] for lang in report.languages())]
        table.add_row(m.value, *("—" if c is None else f"{c:.3f}" for c in cells), f"{limits.get(m, 0):.2f}")
    console.print(table)
    lat = report.latency()
    console.print(
        f"pass^{report.repeat}: {report.pass_at_k():.3f}   safety violations: "
        f"{len(report.safety_violations())}   latency p50 {lat['p50_s']} s, p95 {lat['p95_s']} s"
    )
    for f in report.failing()[:max_failing]:
        case = report.cases[f.case_id]
        console.print(f"[red]FAIL[/red] {f.case_id} ({case.source} @ {case.at_s:g} s): {case.question}")
        for p in [*f.safety, *f.problems]:
            console.print(f"   - {p}", markup=False)
        console.print("   answer: " + " | ".join(f.answer.splitlines()[:6]), markup=False)
    for reason in report.below(limits):
        console.print(f"[red]below threshold:[/red] {reason}")
