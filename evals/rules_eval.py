"""`lockpilot eval rules`: the rules engine replayed over every incident, scored against the truth."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from evals.incident import Incident
from evals.replay import Cursor
from rules.alarms import AlarmKind
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.lifecycle import AlarmEvent, EventKind

MAX_DELAY_P95_S = 2.0


@dataclass
class IncidentScore:
    """How the engine did on one incident."""

    incident: str
    root_cause: str | None
    signature_s: float | None
    detected_s: float | None = None
    delay_s: float | None = None
    first_out: bool | None = None
    first_out_alarm: str | None = None
    probable_cause: str | None = None
    false_alarms: list[str] = field(default_factory=list)
    advisories: int = 0

    @property
    def ok(self) -> bool:
        """Root cause found as first-out within the delay target, and no false alarm."""
        if self.root_cause is None:
            return not self.false_alarms
        return (
            bool(self.first_out)
            and self.delay_s is not None
            and self.delay_s <= MAX_DELAY_P95_S
            and not self.false_alarms
        )


@dataclass
class RulesReport:
    """Scores over the library and the figures the done-means names."""

    incidents: list[IncidentScore]

    def figures(self) -> dict[str, Any]:
        faulty = [s for s in self.incidents if s.root_cause is not None]
        delays = sorted(s.delay_s for s in faulty if s.delay_s is not None)
        return {
            "incidents": len(self.incidents),
            "with_fault": len(faulty),
            "detected": sum(s.detected_s is not None for s in faulty),
            "first_out_accuracy": _ratio(sum(bool(s.first_out) for s in faulty), len(faulty)),
            "delay_p50_s": percentile(delays, 50),
            "delay_p95_s": percentile(delays, 95),
            "delay_max_s": delays[-1] if delays else None,
            "false_alarms": sum(len(s.false_alarms) for s in self.incidents),
            "advisories": sum(s.advisories for s in self.incidents),
        }

    def passed(self) -> bool:
        f = self.figures()
        return (
            f["first_out_accuracy"] == 1.0
            and f["false_alarms"] == 0
            and (f["delay_p95_s"] is None or f["delay_p95_s"] <= MAX_DELAY_P95_S)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "figures": self.figures(),
            "passed": self.passed(),
            "incidents": [asdict(s) for s in self.incidents],
        }


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return round(sorted_values[rank - 1], 3)


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def replay_events(incident: Incident, engine: RulesEngine) -> list[AlarmEvent]:
    """Every alarm event the engine raises over the whole incident."""
    events: list[AlarmEvent] = []
    for when, batch in Cursor(incident).advance_to(incident.duration_s):
        events += engine.evaluate(batch, when)
    return events


def score_incident(incident: Incident, events: Iterable[AlarmEvent], engine: RulesEngine) -> IncidentScore:
    """Detection delay, first-out and false alarms of one replay."""
    truth = incident.scenario.truth
    root = truth.root_cause if truth else None
    signature = incident.signature_s()
    score = IncidentScore(incident.id, root, signature)
    first_fault_s = min(
        (s.at_s for s in incident.scenario.timeline if s.inject is not None), default=math.inf
    )
    for e in events:
        if e.kind is not EventKind.ACTIVATED:
            continue
        t_s = (e.time - incident.start).total_seconds()
        if engine.catalog.get(e.alarm_id).kind is not AlarmKind.RULE:
            score.advisories += 1
            continue
        if e.first_out and score.first_out_alarm is None and t_s >= first_fault_s:
            score.first_out_alarm = e.alarm_id
        if e.alarm_id == root and score.detected_s is None:
            score.detected_s, score.first_out = t_s, e.first_out
            score.delay_s = round(t_s - signature, 3) if signature is not None else None
            incident_record = engine.book.correlator.incident(e.incident_id or "")
            score.probable_cause = incident_record.probable_cause if incident_record else None
        if t_s < first_fault_s:
            score.false_alarms.append(f"{e.alarm_id}@{t_s:g}")
    return score


def evaluate_rules(
    bundle: PlantBundle, incidents: Iterable[Incident], *, progress: Callable[[str], None] | None = None
) -> RulesReport:
    """Replay a fresh engine over each incident and score it."""
    scores = []
    for incident in incidents:
        engine = RulesEngine.for_bundle(bundle)
        scores.append(score_incident(incident, replay_events(incident, engine), engine))
        if progress is not None:
            progress(incident.id)
    return RulesReport(scores)
