"""After approval: claim once, re-read and re-check the interlocks, write, read back, verify feedback."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from commands.desk import CommandDesk, CommandOutcome, Outcome
from commands.plantio import PlantUnreachable
from commands.store import CommandRecord, CommandStatus
from commands.summary import condition_lines
from lockpilot.plant import DataType, Plant
from lockpilot.plant.commands import CommandSpec
from lockpilot.samples import Sample

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


def wait_feedback(
    desk: CommandDesk,
    spec: CommandSpec,
    before: dict[str, Any],
    *,
    poll_s: float,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> dict[str, Any]:
    """Poll the device until one feedback condition holds or the timeout passes."""
    if spec.feedback is None:
        return {"checked": False}
    tags = [c.tag for c in spec.feedback.any]
    deadline = monotonic() + spec.feedback.timeout_s
    while True:
        samples = desk.io.read(tags)
        for cond in spec.feedback.any:
            sample = samples.get(cond.tag)
            if (
                sample is not None
                and sample.quality.trusted
                and cond.holds(sample.value, before=before.get(cond.tag))
            ):
                return {"checked": True, "ok": True, "condition": cond.text(), "value": sample.value}
        if monotonic() >= deadline:
            return {
                "checked": True,
                "ok": False,
                "conditions": [c.text() for c in spec.feedback.any],
                "timeout_s": spec.feedback.timeout_s,
            }
        sleep(poll_s)


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
    feedback_tags = [c.tag for c in spec.feedback.any] if spec.feedback else []
    before = {t: s.value for t, s in desk.io.read(feedback_tags).items()}
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
    feedback = wait_feedback(desk, spec, before, poll_s=poll_s, sleep=sleep, monotonic=monotonic)
    ok = (written.verified or pulse) and feedback.get("ok", True)
    result = {
        "read_back": written.read_back,
        "read_back_ok": written.verified,
        "pulse": pulse,
        "feedback": feedback,
    }
    status, action = (
        (CommandStatus.VERIFIED, "command_verified") if ok else (CommandStatus.FAILED, "command_failed")
    )
    return _finish(desk, record, status, result, action)


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
