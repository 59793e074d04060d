"""Status tool: what the lock is doing now — the running sequence, its step, progress and time left, the
active alarms by priority with the first-out, and readings that cannot be trusted."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, Field

from lockpilot.language import Bilingual, Language
from rules.compile import EvalContext, ExprError, compile_leaf
from rules.lifecycle import STANDING_STATES
from rules.model import SequenceDef, Step
from tools.conditions import condition_reads
from tools.context import ToolContext
from tools.estimates import Basis, equalise_s, gate_stroke_s
from tools.live import priority_rank, read_tag
from tools.models import Citation, CitationKind, TagReading, ToolResult, alarm_citations
from tools.ports import AlarmView

LEVELS = ("nivel_reservatorio_montante", "nivel_camara", "nivel_jusante")
SEQUENCE_TAGS = ("sequencia_ativa", "passo_sequencia", "sequencia_em_falha", "modo_operacao")
MOTION_TAGS = ("taxa_variacao_nivel_camara", "posicao_comporta_montante", "posicao_comporta_jusante")
# Where each level-changing sequence is headed: the level it equalises the chamber with.
TARGETS = {"enchimento": "nivel_reservatorio_montante", "esvaziamento": "nivel_jusante"}
GATES = {
    "abertura_comporta_montante": "posicao_comporta_montante",
    "abertura_comporta_jusante": "posicao_comporta_jusante",
}
MAX_PROBLEMS = 8
LAST_SEQUENCE_LOOK_BACK_S = 3600.0


class LastSequence(BaseModel):
    """The sequence that ran last, within the look-back, and when it stopped running."""

    sequence_id: str
    name: Bilingual
    ended: datetime
    completed: bool | None = None  # its postconditions hold now; None: it has none, or a tag is not current
    reached: list[Bilingual] = Field(default_factory=list)  # the postconditions that hold, as the plant says


class StepCondition(BaseModel):
    """One condition of the feedback that ends the running step, with its live value and threshold."""

    condition: str
    reads: str  # what it compares ("diferença nivel_reservatorio_montante − nivel_camara", or the tag)
    names: list[str]  # the descriptions of the tags it reads, as it names them, in the user's language
    tags: list[str]
    operator: str = ""
    value: Any = None
    threshold: Any = None
    unit: str = ""
    met: bool | None = None  # None: a tag it reads is not current


class SequenceProgress(BaseModel):
    """The sequence the PLC is running, where it is and how long it has left."""

    sequence_id: str
    name: Bilingual
    step: int | None = None
    steps: int = 0
    step_name: Bilingual | None = None
    target_tag: str | None = None  # the level or position it is driving towards
    level_gap_m: float | None = None  # a level-changing sequence: the chamber's distance to its target level
    progress_pct: float | None = None
    remaining_s: float | None = None
    basis: Basis | None = None
    failed: bool = False
    waiting_for: list[StepCondition] = Field(default_factory=list)  # the feedback that ends this step
    waiting_all: bool = True  # every condition must hold (else any one of them)


class PlantStatusResult(ToolResult):
    sequence: SequenceProgress | None = None  # None: no sequence is running
    mode: int | None = None
    readings: list[TagReading] = Field(default_factory=list)  # levels, rate, gate positions, sequence words
    alarms: list[AlarmView] = Field(default_factory=list)  # active, most urgent first
    first_out: AlarmView | None = None
    untrusted: list[TagReading] = Field(default_factory=list)  # PLC readings not current, or suspect
    sequence_unknown: TagReading | None = None  # the sequence word is not current: what ran last, and when
    last_sequence: LastSequence | None = None  # with none running: the one that stopped last (the last hour)


def _values(readings: list[TagReading], standing: set[str]) -> dict[str, Any]:
    """Trusted values by tag: current, and suspect by no alarm whose condition still holds (`standing`; a
    link loss that has returned no longer makes the PLC's words doubtful); a suspect transmitter gives way
    to its redundant one when less suspect."""
    out: dict[str, Any] = {}
    for r in readings:
        doubted = standing.intersection(r.suspect_by)
        if r.is_current and not doubted:
            out[r.tag] = r.value
        elif (
            r.redundant is not None
            and r.redundant.is_current
            and len(standing.intersection(r.redundant.suspect_by)) < len(doubted)
        ):
            out[r.tag] = r.redundant.value
    return out


def _progress(
    ctx: ToolContext, code: int, step: int | None, values: dict[str, Any], *, language: Language
) -> SequenceProgress | None:
    seq = next((s for s in ctx.bundle.sequences.values() if s.code == code), None)
    if seq is None:
        return None
    step_def = next((s for s in seq.steps if s.step == step), None)
    out = SequenceProgress(
        sequence_id=seq.id,
        name=seq.name,
        step=step,
        steps=len(seq.steps),
        step_name=step_def.name if step_def else None,
        failed=bool(values.get("sequencia_em_falha")),
    )
    if step_def is not None:
        out.waiting_for, out.waiting_all = step_conditions(ctx, step_def, language=language)
    params, chamber = ctx.bundle.parameters, values.get("nivel_camara")
    target = TARGETS.get(seq.id)
    if target is not None and chamber is not None and values.get(target) is not None:
        out.target_tag = target
        start = values.get("nivel_jusante" if seq.id == "enchimento" else "nivel_reservatorio_montante")
        head = float(values[target]) - float(chamber)
        out.level_gap_m = round(abs(head), 2)
        if start is not None and float(values[target]) != float(start):
            done = (float(chamber) - float(start)) / (float(values[target]) - float(start))
            out.progress_pct = round(min(max(done, 0.0), 1.0) * 100.0, 1)
        out.remaining_s, out.basis = equalise_s(head, values.get("taxa_variacao_nivel_camara"), params)
        out.remaining_s = round(out.remaining_s + params.get("estabilizacao_s", 30.0), 0)
    gate = GATES.get(seq.id)
    if gate is not None and values.get(gate) is not None:
        out.target_tag, out.basis = gate, Basis.GATE_STROKE
        out.progress_pct = round(float(values[gate]), 1)
        out.remaining_s = round(gate_stroke_s(float(values[gate]), opening=True, params=params), 0)
    return out


def _leaves(feedback: Any) -> tuple[list[str], bool]:
    """The conditions of a step's feedback, and whether all must hold: a condition, or all/any of them."""
    if isinstance(feedback, str):
        return [feedback], True
    ((key, children),) = feedback.items()
    if key == "not":  # a negated condition is not said as something to wait for
        return [], True
    leaves = [leaf for child in children for leaf in _leaves(child)[0]]
    return leaves, key != "any"


def _in_order(text: str, tags: list[str]) -> list[str]:
    """The tags as the condition names them, first to last."""
    return sorted(tags, key=lambda t: re.search(rf"\b{t}\b", text).start())  # type: ignore[union-attr]


def step_conditions(ctx: ToolContext, step: Step, *, language: Language) -> tuple[list[StepCondition], bool]:
    """What the step waits for: each condition of its feedback on the tags it reads, read now."""
    texts, every = _leaves(step.feedback)
    eval_ctx = EvalContext()
    leaves = []
    for text in texts:
        try:
            leaves.append(compile_leaf(text, ctx=eval_ctx, tags=ctx.plant.tags, params=ctx.bundle.parameters))
        except ExprError:
            continue
    read = sorted({t for leaf in leaves for t in leaf.tags})  # every condition's tags, read once
    readings = read_tag(ctx, read, language=language, with_alarms=False).readings if read else []
    current = {r.tag: r.value for r in readings if r.is_current and r.value is not None}
    eval_ctx.values.update(current)
    out: list[StepCondition] = []
    for leaf in leaves:
        text, tags = leaf.text, sorted(leaf.tags)
        known = all(t in current for t in tags)
        value, threshold = leaf.describe() if known else (None, None)
        reads, operator = condition_reads(text, tuple(tags))
        unit = ctx.plant.tags[tags[0]].unit if tags else ""
        named = [ctx.plant.tags[t].description.in_(language) for t in _in_order(text, tags)]
        out.append(
            StepCondition(
                condition=text,
                reads=reads,
                names=named,
                tags=tags,
                operator=operator,
                value=round(value, 4) if isinstance(value, float) else value,
                threshold=round(threshold, 4) if isinstance(threshold, float) else threshold,
                unit=unit,
                met=bool(leaf.evaluate(False)) if known else None,
            )
        )
    return out, every


def _untrusted(ctx: ToolContext, *, language: Language) -> list[TagReading]:
    """PLC sensor readings that are missing, stale, bad, or flagged by an instrument alarm."""
    sensors = [t.name for t in ctx.plant.plc_tags if t.group.value in ("sensor", "diagnostic")]
    readings = read_tag(ctx, sensors, language=language, limit=len(sensors), with_alarms=False).readings
    return [r for r in readings if not r.is_current or r.suspect_by][:MAX_PROBLEMS]


def last_sequence(ctx: ToolContext, *, look_back_s: float = LAST_SEQUENCE_LOOK_BACK_S) -> LastSequence | None:
    """The sequence that ran last in the look-back and when its code went back to 0, from the history."""
    if ctx.history is None:
        return None
    end = ctx.clock.now()
    try:
        rows = ctx.history.raw(
            "sequencia_ativa", start=end - timedelta(seconds=look_back_s), end=end, limit=5000
        )
    except Exception:  # the history store being down never stops the status
        return None
    ran: tuple[int, datetime] | None = None
    for earlier, later in pairwise(rows):
        if earlier.value and not later.value:
            ran = (int(earlier.value), later.time)
    if ran is None:
        return None
    seq = next((s for s in ctx.bundle.sequences.values() if s.code == ran[0]), None)
    if seq is None:
        return None
    completed, reached = _end_state(ctx, seq)
    return LastSequence(sequence_id=seq.id, name=seq.name, ended=ran[1], completed=completed, reached=reached)


def _end_state(ctx: ToolContext, seq: SequenceDef) -> tuple[bool | None, list[Bilingual]]:
    """Whether a sequence that stopped left the lock as it should (each postcondition on current values),
    and the postconditions that hold; None when it has none, or one cannot be read."""
    eval_ctx = EvalContext()
    leaves = []
    for check in seq.postconditions:
        try:
            leaves.append(
                (
                    check,
                    compile_leaf(
                        check.condition, ctx=eval_ctx, tags=ctx.plant.tags, params=ctx.bundle.parameters
                    ),
                )
            )
        except ExprError:
            return None, []
    read = sorted({t for _, leaf in leaves for t in leaf.tags})
    readings = read_tag(ctx, read, with_alarms=False).readings if read else []
    current = {r.tag: r.value for r in readings if r.is_current and not r.suspect_by and r.value is not None}
    if not leaves or not all(t in current for t in read):
        return None, []
    eval_ctx.values.update(current)
    met = [check.sentence for check, leaf in leaves if leaf.evaluate(False)]
    return len(met) == len(leaves), met


def plant_status(ctx: ToolContext, *, language: Language = Language.PT) -> PlantStatusResult:
    """The lock now: running sequence with step, progress and time left; alarms; untrusted readings."""
    active = ctx.alarms.active() if ctx.alarms is not None else []
    readings = read_tag(
        ctx, [*SEQUENCE_TAGS, *LEVELS, *MOTION_TAGS], language=language, active=active, with_alarms=False
    ).readings
    standing = {a.id for a in active if a.state in STANDING_STATES}
    values = _values(readings, standing)
    code = values.get("sequencia_ativa")
    step = values.get("passo_sequencia")
    sequence = (
        _progress(ctx, int(code), int(step) if step else None, values, language=language) if code else None
    )
    alarms = sorted(active, key=priority_rank)
    first_out = next((a for a in alarms if a.first_out), None)
    cites = [Citation(kind=CitationKind.TAG, id=r.tag) for r in readings]
    if sequence is not None:
        cites.insert(0, Citation(kind=CitationKind.SEQUENCE, id=sequence.sequence_id))
    cites += alarm_citations(alarms)
    word = next((r for r in readings if r.tag == "sequencia_ativa"), None)
    blind = word is not None and (not word.is_current or bool(standing.intersection(word.suspect_by)))
    unknown = word if blind else None  # not current, or the link to the PLC lost right now
    return PlantStatusResult(
        sequence=sequence,
        sequence_unknown=unknown,
        last_sequence=last_sequence(ctx) if sequence is None and unknown is None else None,
        mode=int(values["modo_operacao"]) if values.get("modo_operacao") is not None else None,
        readings=readings,
        alarms=alarms,
        first_out=first_out,
        untrusted=_untrusted(ctx, language=language),
        citations=list(dict.fromkeys(cites)),
        error=None if ctx.alarms is not None else "the rules and alarm store are not available",
    )
