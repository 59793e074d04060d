"""After approval: claim once, re-read and re-check the interlocks, write, read back, verify feedback."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog

from commands.desk import CommandDesk, CommandOutcome, Outcome
from commands.plantio import PlantUnreachable
from commands.store import CommandRecord, CommandStatus
from commands.summary import condition_lines
from commands.verdict import verdict_text, watch_feedback
from lockpilot.language import Language
from lockpilot.plant import DataType, Plant
from lockpilot.plant.commands import CommandSpec
from lockpilot.samples import Sample

log = structlog.get_logger(__name__)
UNCONFIRMED_ALARM = "comando_nao_confirmado"  # rules.yaml `events`: written, the field did not confirm
CHANGE_SHARE_OF_RANGE = 0.02  # a real interlock moved more than 2 % of its range: the situation changed

_FINAL_OUTCOME = {
    CommandStatus.VERIFIED: Outcome.VERIFIED,
    CommandStatus.FAILED: Outcome.FAILED,
    CommandStatus.ABORTED: Outcome.ABORTED,
    CommandStatus.REJECTED: Outcome.REJECTED,
    CommandStatus.EXPIRED: Outcome.EXPIRED,
}


def changed_interlocks(plant: Plant, snapshot: dict[str, Any], samples: dict[str, Sample]) -> dict[str, Any]:
    """Interlock tags whose value differs from the one seen at request time (reals beyond a tolerance)."""
    changes: dict[str, Any] = {}
    for tag, before in snapshot.items():
        sample = samples.get(tag)
        now = None if sample is None or not sample.quality.trusted else sample.value
        meta = plant.tag(tag)
        if meta.type is DataType.REAL and before is not None and now is not None:
            span = (meta.range[1] - meta.range[0]) if meta.range else 1.0
            if abs(float(now) - float(before)) <= CHANGE_SHARE_OF_RANGE * span:
                continue
        elif now == before:
            continue
        changes[tag] = {"at_request": before, "now": now}
    return changes


def _finish(
    desk: CommandDesk, record: CommandRecord, status: CommandStatus, result: dict[str, Any], action: str
) -> CommandOutcome:
    desk.store.transition(
        record.id, from_=CommandStatus.EXECUTING, to=status, finished_at=desk.clock.now(), result=result
    )
    desk.store.audit(
        when=desk.clock.now(),
        actor="copilot",
        action=action,
        target=record.command,
        details={"command_id": record.id, **result},
    )
    return CommandOutcome(
        outcome=_FINAL_OUTCOME[status],
        command=record.command,
        command_id=record.id,
        details=result,
        summary=record.summary,
    )


def _not_claimed(desk: CommandDesk, record: CommandRecord) -> CommandOutcome:
    """What happened to a command this call did not claim (already run, rejected, expired...)."""
    current = desk.store.get(record.id) or record
    return CommandOutcome(
        outcome=_FINAL_OUTCOME.get(current.status, Outcome.ALREADY_DONE),
        command=record.command,
        command_id=record.id,
        details=current.result or {},
        summary=record.summary,
    )


def _write_and_verify(
    desk: CommandDesk,
    record: CommandRecord,
    spec: CommandSpec,
    *,
    poll_s: float,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> CommandOutcome:
    """Write through the collector path, audit it, then check read-back and field feedback."""
    feedback_tags = spec.feedback.tags if spec.feedback else []
    before = {t: s.value for t, s in desk.io.read(feedback_tags).items() if s.quality.trusted}
    written = desk.io.write(record.tag, record.value)
    desk.store.audit(
        when=desk.clock.now(),
        actor="copilot",
        action="command_written",
        target=record.command,
        details={
            "command_id": record.id,
            "tag": record.tag,
            "value": record.value,
            "read_back": written.read_back,
            "read_back_ok": written.verified,
        },
    )
    pulse = desk.plant.tag(record.tag).writable.pulse  # type: ignore[union-attr]
    feedback = watch_feedback(
        desk.io, spec, before, written=record.value, poll_s=poll_s, sleep=sleep, monotonic=monotonic
    )
    ok = (written.verified or pulse) and feedback.get("ok", True)
    result: dict[str, Any] = {
        "read_back": written.read_back,
        "read_back_ok": written.verified,
        "pulse": pulse,
        "feedback": feedback,
        "verdict_pt": verdict_text(desk.plant, feedback, Language.PT),
        "verdict_en": verdict_text(desk.plant, feedback, Language.EN),
    }
    status, action = (
        (CommandStatus.VERIFIED, "command_verified") if ok else (CommandStatus.FAILED, "command_failed")
    )
    outcome = _finish(desk, record, status, result, action)
    if not ok:
        _report_unconfirmed(desk, record, result)
    return outcome


def _report_unconfirmed(desk: CommandDesk, record: CommandRecord, result: dict[str, Any]) -> None:
    """Raise `comando_nao_confirmado` with the command id, through the hook the composition root gave."""
    if desk.on_unconfirmed is None:
        return
    values = {
        "command_id": record.id,
        "command": record.command,
        "verdict_pt": result["verdict_pt"],
        "verdict_en": result["verdict_en"],
    }
    try:
        desk.on_unconfirmed(UNCONFIRMED_ALARM, values)
    except Exception:  # the verdict is stored and told either way; the alarm path must not hide it
        log.exception("unconfirmed_alarm_not_raised", command_id=record.id)


def execute(
    desk: CommandDesk,
    command_id: str,
    *,
    poll_s: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> CommandOutcome:
    """Run an approved command exactly once; any other state returns what happened without writing."""
    record = desk.store.get(command_id)
    if record is None:
        return CommandOutcome(outcome=Outcome.NOT_FOUND, command_id=command_id)
    if not desk.store.transition(command_id, from_=CommandStatus.APPROVED, to=CommandStatus.EXECUTING):
        return _not_claimed(desk, record)
    spec = desk.book.get(record.command)
    assert spec is not None, f"command {record.command} left the allow-list"
    try:
        samples = desk.io.read(list(record.snapshot))
    except PlantUnreachable as exc:  # the interlocks cannot be re-checked: never write blind
        return _finish(desk, record, CommandStatus.ABORTED, {"plc_unreachable": str(exc)}, "command_aborted")
    checks = condition_lines(desk.plant, spec.preconditions, samples)
    changes = changed_interlocks(desk.plant, record.snapshot, samples)
    if changes or not all(c["passed"] for c in checks):
        return _finish(
            desk,
            record,
            CommandStatus.ABORTED,
            {"changed": changes, "preconditions": checks},
            "command_aborted",
        )
    try:
        return _write_and_verify(desk, record, spec, poll_s=poll_s, sleep=sleep, monotonic=monotonic)
    except PlantUnreachable as exc:  # the link dropped during the write: its effect is unknown, say so
        result = {"plc_unreachable": str(exc), "written": "unknown"}
        return _finish(desk, record, CommandStatus.FAILED, result, "command_failed")
