"""The eval report: metrics overall, per half, language and style, pass^k, safety, latency, failing cases."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evals.cases import Case, Half
from evals.scoring import CaseScore, Metric

# Done-means of issue 11 (test half, offline planner): these, pass^1 >= PASS_THRESHOLD, no safety violation.
THRESHOLDS: dict[Metric, float] = {
    Metric.TOOL_RECALL: 0.95,
    Metric.MENTION_RECALL: 0.9,
    Metric.VALUE_ACCURACY: 0.95,
    Metric.CITATION_ACCURACY: 0.9,
}
PASS_THRESHOLD = 0.9


def _pct(sorted_values: list[float], q: float) -> float:
    """The q-quantile of sorted values (the median for 0.5), rounded to the millisecond."""
    if q == 0.5:
        return round(statistics.median(sorted_values), 3)
    return round(sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))], 3)


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


@dataclass
class EvalReport:
    """Every run of every case (`repeat` runs each)."""

    cases: dict[str, Case]
    runs: dict[str, list[CaseScore]]
    repeat: int = 1

    def select(self, keep: Callable[[Case], bool]) -> EvalReport:
        """The same report over the cases `keep` accepts."""
        ids = [i for i in self.runs if keep(self.cases[i])]
        return EvalReport({i: self.cases[i] for i in ids}, {i: self.runs[i] for i in ids}, self.repeat)

    def half(self, half: Half) -> EvalReport:
        return self.select(lambda c: c.half is half)

    def of_language(self, language: str) -> EvalReport:
        return self.select(lambda c: c.language.value == language)

    def of_style(self, style: str) -> EvalReport:
        return self.select(lambda c: c.style == style)

    def _all(self, language: str | None = None) -> list[CaseScore]:
        return [r for rs in self.runs.values() for r in rs if language in (None, r.language)]

    def metrics(self, language: str | None = None) -> dict[str, float | None]:
        """Mean of each metric over all runs (of one language when given)."""
        runs = self._all(language)
        return {m.value: _mean([r.scores[m] for r in runs]) for m in Metric}

    def pass_at_k(self) -> float:
        """Share of cases whose every run passed (pass^k; pass^1 with one run)."""
        return round(sum(all(r.passed for r in rs) for rs in self.runs.values()) / max(1, len(self.runs)), 4)

    def behaviour(self) -> float | None:
        """Share of the abstain/clarify turns whose behaviour was right."""
        met = [t.behaviour for r in self._all() for t in r.turns if t.behaviour is not None]
        return _mean([float(b) for b in met])

    def safety_violations(self) -> list[str]:
        return [f"{r.case_id}: {s}" for r in self._all() for s in r.safety]

    def latency(self) -> dict[str, float]:
        """Per question (each turn of a conversation counts once); first text too when it was streamed."""
        times = sorted(t.latency_s for r in self._all() for t in r.turns)
        if not times:
            return {"p50_s": 0.0, "p95_s": 0.0, "max_s": 0.0}
        out = {"p50_s": _pct(times, 0.5), "p95_s": _pct(times, 0.95), "max_s": round(times[-1], 3)}
        firsts = sorted(t.first_token_s for r in self._all() for t in r.turns if t.first_token_s is not None)
        if firsts:
            out |= {"first_token_p50_s": _pct(firsts, 0.5), "first_token_p95_s": _pct(firsts, 0.95)}
        return out

    def failing(self) -> list[CaseScore]:
        """The first failing run of each case that failed at least once."""
        return [
            next(r for r in rs if not r.passed) for rs in self.runs.values() if not all(r.passed for r in rs)
        ]

    def below(self, thresholds: dict[Metric, float], *, min_pass: float | None = None) -> list[str]:
        """Metrics under their threshold, pass^k under `min_pass`, and any safety violation."""
        got = self.metrics()
        out = [
            f"{m.value} {got[m.value]} < {t}"
            for m, t in thresholds.items()
            if (value := got[m.value]) is not None and value < t
        ]
        if min_pass is not None and self.runs and self.pass_at_k() < min_pass:
            out.append(f"pass^{self.repeat} {self.pass_at_k()} < {min_pass}")
        return out + [f"safety violation: {v}" for v in self.safety_violations()]

    def languages(self) -> list[str]:
        return sorted({r.language for r in self._all()})

    def styles(self) -> list[str]:
        return sorted({c.style for c in self.cases.values()})

    def counts(self) -> dict[str, int]:
        """Cases, conversations and questions (turns) in the report."""
        conversations = sum(c.is_conversation for c in self.cases.values())
        return {
            "cases": len(self.cases),
            "single": len(self.cases) - conversations,
            "conversations": conversations,
            "questions": sum(len(c.steps) for c in self.cases.values()),
        }

    def summary(self) -> dict[str, Any]:
        """The figures of this (sub)set: counts, metrics, pass^k, abstain/clarify, safety count."""
        return {
            **self.counts(),
            "metrics": self.metrics(),
            "pass_at_k": self.pass_at_k(),
            "behaviour": self.behaviour(),
            "safety_violations": len(self.safety_violations()),
        }

    def as_dict(
        self, thresholds: dict[Metric, float] | None = None, *, min_pass: float | None = PASS_THRESHOLD
    ) -> dict[str, Any]:
        limits = thresholds or THRESHOLDS
        return {
            **self.counts(),
            "repeat": self.repeat,
            "metrics": self.metrics(),
            "by_half": {h.value: self.half(h).summary() for h in Half},
            "by_language": {lang: self.of_language(lang).summary() for lang in self.languages()},
            "by_style": {s: self.of_style(s).summary() for s in self.styles()},
            "language_share": {
                lang: round(
                    sum(c.language.value == lang for c in self.cases.values()) / max(1, len(self.cases)), 4
                )
                for lang in self.languages()
            },
            "pass_at_k": self.pass_at_k(),
            "behaviour": self.behaviour(),
            "safety_violations": self.safety_violations(),
            "latency": self.latency(),
            "thresholds": {m.value: t for m, t in limits.items()},
            "min_pass": min_pass,
            "below": self.below(limits, min_pass=min_pass),
            "passed": not self.below(limits, min_pass=min_pass),
            "failing": [f.as_dict() for f in self.failing()],
            "runs": [r.as_dict() for rs in self.runs.values() for r in rs],
        }


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


_COLUMNS = {
    "tool_recall": "tool",
    "mention_recall": "ment",
    "value_accuracy": "val",
    "citation_accuracy": "cit",
}


def _table(title: str, groups: dict[str, EvalReport], limits: dict[Metric, float], k: int) -> Table:
    """One row per group (half, language or style), one column per figure; the last row the thresholds."""
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1))
    for col in ("", "cases", "conv", "qs", *_COLUMNS.values(), f"pass^{k}", "a/c", "unsafe"):
        table.add_column(col, justify="left" if not col else "right", no_wrap=not col)
    for name, group in groups.items():
        s = group.summary()
        table.add_row(
            name,
            str(s["cases"]),
            str(s["conversations"]),
            str(s["questions"]),
            *(_cell(s["metrics"][m]) for m in _COLUMNS),
            _cell(s["pass_at_k"]),
            _cell(s["behaviour"]),
            str(s["safety_violations"]),
        )
    table.add_row(
        "threshold",
        "",
        "",
        "",
        *(f"{limits[Metric(m)]:.2f}" for m in _COLUMNS),
        f"{PASS_THRESHOLD:.2f}",
        "",
        "0",
    )
    return table


def render(
    report: EvalReport,
    console: Console,
    *,
    thresholds: dict[Metric, float] | None = None,
    min_pass: float | None = PASS_THRESHOLD,
    max_failing: int = 20,
) -> None:
    """Tables per half, language and style, then the failing cases with their answer and what differed."""
    limits = thresholds or THRESHOLDS
    k = report.repeat
    halves = {"all": report, **{h.value: report.half(h) for h in Half if report.half(h).runs}}
    langs = {lang: report.of_language(lang) for lang in report.languages()}
    styles = {s: report.of_style(s) for s in report.styles()}
    console.print(_table(f"{len(report.runs)} cases x {k} run(s): all and by half", halves, limits, k))
    console.print(_table("by language", langs, limits, k))
    console.print(_table("by style", styles, limits, k))
    lat = report.latency()
    console.print(
        f"pass^{k}: {report.pass_at_k():.3f}   safety violations: {len(report.safety_violations())}"
        f"   latency per question p50 {lat['p50_s']} s, p95 {lat['p95_s']} s"
        + (
            f"   first text p50 {lat['first_token_p50_s']} s, p95 {lat['first_token_p95_s']} s"
            if "first_token_p50_s" in lat
            else ""
        )
    )
    for f in report.failing()[:max_failing]:
        case = report.cases[f.case_id]
        where = f"{case.source} @ {case.start_s:g} s"
        console.print(f"[red]FAIL[/red] {escape(f'{f.case_id} ({where}): {case.first_question}')}")
        for p in [*f.safety, *f.problems]:
            console.print(f"   - {p}", markup=False)
        console.print("   answer: " + " | ".join(f.answer.splitlines()[:6]), markup=False)
    for reason in report.below(limits, min_pass=min_pass):
        console.print(f"[red]below threshold:[/red] {reason}")
