"""What is going on at the lock, as far as it helps read an ambiguous question.

"O transmissor B" during a chamber-level divergence is the chamber's B; "a válvula 2" while filling is the
filling valve 2. The situation is read only when a question's words leave a tie between tags.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from tools.context import ToolContext

log = structlog.get_logger(__name__)

SEQUENCE_TAG = "sequencia_ativa"


@dataclass(frozen=True, slots=True)
class Situation:
    """The tags the active alarms read, the words of the running sequence's id, and the active alarms."""

    alarm_tags: frozenset[str] = frozenset()
    sequence_words: frozenset[str] = frozenset()
    active: frozenset[str] = frozenset()  # ids of the active alarms

    def weight(self, tag: str) -> int:
        """How much the situation points at this tag (0: not at all)."""
        parts = set(tag.split("_"))
        return 2 * (tag in self.alarm_tags) + bool(parts & self.sequence_words)

    def prefer(self, tags: list[str]) -> list[str]:
        """The tags the situation points at most, first (stable otherwise)."""
        return sorted(tags, key=lambda t: -self.weight(t))

    def single_out(self, tags: list[str]) -> str | None:
        """The one tag of a tie the situation points at more than at any other, if there is one."""
        if not tags:
            return None
        ranked = sorted(((self.weight(t), t) for t in tags), reverse=True)
        best = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0
        if best[0] > runner_up:
            return best[1]
        top = sorted(t for w, t in ranked if w == best[0] and w > 0)
        if len(top) == 2 and top[1] == f"{top[0]}_2":  # a transmitter pair: A, its B is the redundant one
            return top[0]
        return None


def situation_of(ctx: ToolContext) -> Situation:
    """The situation from the alarm store and the sequence tag; empty when either is unavailable."""
    tags: set[str] = set()
    sequence_words: frozenset[str] = frozenset()
    active: set[str] = set()
    try:
        if ctx.alarms is not None:
            for alarm in ctx.alarms.active():
                active.add(alarm.id)
                rule = ctx.alarms.rule(alarm.rule_id)
                tags |= set(alarm.values) | set(rule.tags if rule else ())
                tags |= {t.redundant for t in map(ctx.plant.tags.get, list(tags)) if t and t.redundant}
        reading = ctx.current([SEQUENCE_TAG]).get(SEQUENCE_TAG)
        code = int(reading.value) if reading is not None and reading.value else 0
        running = next((s for s in ctx.bundle.sequences.values() if s.code == code), None) if code else None
        if running is not None:
            sequence_words = frozenset(running.id.split("_")) - {"abertura"}
    except Exception as exc:
        log.warning("planner_situation_unavailable", error=str(exc))
    return Situation(frozenset(tags), sequence_words, frozenset(active))
