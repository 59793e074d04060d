"""The command desk: request (allow-list, limits, max step, preconditions), approve, reject, expire."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from commands.identity import Approvers
from commands.plantio import PlantIO, PlantUnreachable
from commands.store import CommandRecord, CommandStatus, CommandStore
from commands.summary import build_summary, condition_lines
from lockpilot.clock import Clock
from lockpilot.plant import Plant
from lockpilot.plant.commands import Action, CommandBook, CommandSpec
from lockpilot.roles import Role
from lockpilot.samples import Sample, Value
from storage.audit_chain import plain

DEFAULT_EXPIRES_AFTER_S = 120.0


class Outcome(StrEnum):
    """What a step of the command path ended in."""

    PENDING = "pending"
    REFUSED = "refused"  # not allowed, out of limits, preconditions failing, or not asked by the user
    NOT_ALLOWED = "not_allowed"  # the approver lacks the operator role (in the directory, now)
    NOT_FOUND = "not_found"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    ABORTED = "aborted"
    VERIFIED = "verified"
    FAILED = "failed"
    ALREADY_DONE = "already_done"


class CommandOutcome(BaseModel):
    """The result of a request, decision or execution, for the graph and the user."""

    outcome: Outcome
    command: str = ""
    command_id: str | None = None
    reason: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] | None = None


def sequence_override(
    book: CommandBook, spec: CommandSpec, samples: dict[str, Sample]
) -> dict[str, Any] | None:
    """The precondition "no running sequence drives this equipment" with its live value (None: not kept)."""
    running = book.running_sequences
    if running is None or spec.id == running.abort_command:
        return None
    sample = samples.get(running.tag)
    known = sample is not None and sample.quality.trusted and sample.value is not None
    code = int(sample.value) if known and sample is not None and sample.value is not None else 0
    seq_id = book.overriding_sequence(spec, code)
    target = book.equipment[spec.target]
    if seq_id is None:
        text = f"nenhuma sequência do CLP comandando {target.pt}"
        text_en = f"no PLC sequence driving the {target.en}"
    else:
        text = (
            f"nenhuma sequência do CLP comandando {target.pt}: a sequência {seq_id} está em andamento e "
            f"sobrescreveria o comando na próxima varredura; abortar a sequência primeiro "
            f"({running.abort_command})"
        )
        text_en = (
            f"no PLC sequence driving the {target.en}: sequence {seq_id} is running and would override the "
            f"command on the next scan; abort the sequence first ({running.abort_command})"
        )
    return {
        "tag": running.tag,
        "condition": text,
        "condition_en": text_en,
        "value": code if known else None,
        "unit": "",
        "quality": None if sample is None else sample.quality.value,
        "passed": known and seq_id is None,
        "sequence": seq_id,
    }


class CommandDesk:
    """Every way into the command path, each step audited with user and time.

    Approvals and rejections take the decider's role from `approvers` (the user directory) at that
    moment, never from the caller; without a directory nobody approves. With `four_eyes` the approver
    must be another user than the requester.
    """

    def __init__(
        self,
        plant: Plant,
        book: CommandBook,
        store: CommandStore,
        io: PlantIO,
        clock: Clock,
        *,
        expires_after_s: float = DEFAULT_EXPIRES_AFTER_S,
        approvers: Approvers | None = None,
        four_eyes: bool = False,
        on_unconfirmed: Callable[[str, dict[str, Any]], Any] | None = None,
    ) -> None:
        self.plant, self.book, self.store, self.io, self.clock = plant, book, store, io, clock
        self.expires_after_s = expires_after_s
        self.approvers, self.four_eyes = approvers, four_eyes
        self.on_unconfirmed = on_unconfirmed  # raises an event alarm (alarm id, values): the rules runner's

    def role_of(self, user: str) -> Role | None:
        """The user's role in the directory now (None: unknown, disabled, or no directory)."""
        return self.approvers.role_of(user) if self.approvers is not None else None

    def _audit(self, actor: str, action: str, target: str, **details: Any) -> None:
        self.store.audit(when=self.clock.now(), actor=actor, action=action, target=target, details=details)

    def _refuse(self, user: str, command: str, reason: str, **details: Any) -> CommandOutcome:
        details = plain(details)  # a NaN or infinite value is audited as text
        self._audit(user, "command_refused", command, reason=reason, **details)
        return CommandOutcome(outcome=Outcome.REFUSED, command=command, reason=reason, details=details)

    def check_limits(self, spec: CommandSpec, value: Any) -> tuple[Value | None, str]:
        """The value to write, or a reason it is refused (type, min/max, max step from the live value)."""
        if spec.action is not Action.SET:
            return spec.value, ""
        limits = self.plant.tag(spec.tag).writable
        if isinstance(value, bool) or not isinstance(value, int | float) or limits is None:
            return None, "value_required"
        if not math.isfinite(value):
            return None, "value_not_finite"  # NaN passes every comparison below: refuse it first
        if limits.min is not None and value < limits.min:
            return None, f"below_min {limits.min:g}"
        if limits.max is not None and value > limits.max:
            return None, f"above_max {limits.max:g}"
        if limits.max_step is not None:
            try:
                current = self.io.read([spec.tag]).get(spec.tag)
            except PlantUnreachable:
                return None, "plc_unreachable"
            if current is None or current.value is None or not current.quality.trusted:
                return None, "current_value_unknown"
            if abs(float(value) - float(current.value)) > limits.max_step:
                return None, f"above_max_step {limits.max_step:g} from {float(current.value):g}"
        return float(value), ""

    def _pending_record(
        self,
        spec: CommandSpec,
        value: Value | None,
        samples: dict[str, Sample],
        checks: list[dict[str, Any]],
        *,
        user: str,
        role: Role,
        thread_id: str,
    ) -> CommandRecord:
        """A new pending request with its summary and the interlock snapshot to re-check on approval."""
        now = self.clock.now()
        expires = now + timedelta(seconds=self.expires_after_s)
        summary = build_summary(
            self.plant,
            self.book,
            spec,
            value,
            user=user,
            samples=samples,
            checks=checks,
            requested_at=now,
            expires_at=expires,
        )
        return CommandRecord(
            id=f"cmd-{uuid.uuid4().hex[:12]}",
            command=spec.id,
            tag=spec.tag,
            value=value,
            status=CommandStatus.PENDING,
            thread_id=thread_id,
            requested_by=user,
            requested_role=role.value,
            requested_at=now,
            expires_at=expires,
            summary=summary,
            snapshot={t: s.value for t, s in samples.items()},
            decided_by=None,
            decided_at=None,
            reason=None,
            finished_at=None,
            result=None,
        )

    def request(
        self, command: str, value: Any = None, *, user: str, role: Role, thread_id: str
    ) -> CommandOutcome:
        """Validate a request and store it pending approval; refuse anything off the allow-list or limits.

        Only an operator requests: a viewer only reads, and a trainer acts only inside a training sandbox
        (where the trainee plays the operator).
        """
        if role is not Role.OPERATOR:
            return self._refuse(user, command, "operator_role_required_to_request", role=role.value)
        spec = self.book.get(command)
        if spec is None:
            return self._refuse(user, command, "not_in_allow_list")
        to_write, why = self.check_limits(spec, value)
        if why:
            return self._refuse(user, command, why, value=value)
        running = self.book.running_sequences
        extra = [running.tag] if running is not None else []
        try:
            samples = self.io.read(list(dict.fromkeys([spec.tag, *spec.interlock_tags, *extra])))
        except PlantUnreachable as exc:
            return self._refuse(user, command, "plc_unreachable", value=to_write, error=str(exc))
        checks = condition_lines(self.plant, spec.preconditions, samples)
        override = sequence_override(self.book, spec, samples)
        if override is not None:
            checks.append(override)
        if not all(c["passed"] for c in checks):
            details: dict[str, Any] = {"value": to_write, "preconditions": checks}
            if override is not None and not override["passed"]:
                details["overridden_by"] = override["sequence"]
            return self._refuse(user, command, "preconditions_failing", **details)
        record = self._pending_record(
            spec, to_write, samples, checks, user=user, role=role, thread_id=thread_id
        )
        self.store.insert(record)
        self._audit(
            user,
            "command_requested",
            spec.id,
            command_id=record.id,
            value=to_write,
            role=role.value,
            thread_id=thread_id,
            preconditions=checks,
        )
        return CommandOutcome(
            outcome=Outcome.PENDING, command=spec.id, command_id=record.id, summary=record.summary
        )

    def expire_if_due(self, record: CommandRecord) -> bool:
        """Mark a pending request expired once its time is up; True when it is (now) expired."""
        if record.status is CommandStatus.EXPIRED:
            return True
        if record.status is not CommandStatus.PENDING or self.clock.now() < record.expires_at:
            return False
        if self.store.transition(
            record.id, from_=CommandStatus.PENDING, to=CommandStatus.EXPIRED, finished_at=self.clock.now()
        ):
            self._audit("system", "command_expired", record.command, command_id=record.id)
        return True

    def _not_allowed(self, user: str, action: str, record: CommandRecord, why: str) -> CommandOutcome:
        role = self.role_of(user)
        self._audit(
            user, action, record.command, command_id=record.id, role=role.value if role else None, reason=why
        )
        return CommandOutcome(
            outcome=Outcome.NOT_ALLOWED, command=record.command, command_id=record.id, reason=why
        )

    def _already_done(self, record: CommandRecord) -> CommandOutcome:
        """Someone else decided first: say who and what, nothing is written again."""
        current = self.store.get(record.id) or record
        return CommandOutcome(
            outcome=Outcome.ALREADY_DONE,
            command=record.command,
            command_id=record.id,
            details={"status": current.status.value, "decided_by": current.decided_by},
        )

    def approve(self, command_id: str, *, user: str) -> CommandOutcome:
        """Approve a pending request: a user who is an operator in the directory now, before expiry, once."""
        record = self.store.get(command_id)
        if record is None:
            return CommandOutcome(outcome=Outcome.NOT_FOUND, command_id=command_id)
        role = self.role_of(user)
        if role is None:
            return self._not_allowed(user, "approval_refused", record, "unknown_or_disabled_user")
        if role is not Role.OPERATOR:
            return self._not_allowed(user, "approval_refused", record, "operator_role_required")
        if self.four_eyes and user == record.requested_by:
            return self._not_allowed(user, "approval_refused", record, "four_eyes_other_approver")
        if self.expire_if_due(record):
            return CommandOutcome(outcome=Outcome.EXPIRED, command=record.command, command_id=command_id)
        if not self.store.transition(
            command_id,
            from_=CommandStatus.PENDING,
            to=CommandStatus.APPROVED,
            decided_by=user,
            decided_at=self.clock.now(),
        ):
            return self._already_done(record)
        self._audit(user, "command_approved", record.command, command_id=command_id, role=role.value)
        return CommandOutcome(outcome=Outcome.APPROVED, command=record.command, command_id=command_id)

    def reject(self, command_id: str, *, user: str, reason: str = "") -> CommandOutcome:
        """Reject a pending request (an operator, or the user who asked for it); it is never written."""
        record = self.store.get(command_id)
        if record is None:
            return CommandOutcome(outcome=Outcome.NOT_FOUND, command_id=command_id)
        role = self.role_of(user)
        if role is None:
            return self._not_allowed(user, "rejection_refused", record, "unknown_or_disabled_user")
        if role is not Role.OPERATOR and user != record.requested_by:
            return self._not_allowed(user, "rejection_refused", record, "operator_role_required")
        if not self.store.transition(
            command_id,
            from_=CommandStatus.PENDING,
            to=CommandStatus.REJECTED,
            decided_by=user,
            decided_at=self.clock.now(),
            reason=reason,
            finished_at=self.clock.now(),
        ):
            return self._already_done(record)
        self._audit(user, "command_rejected", record.command, command_id=command_id, reason=reason)
        return CommandOutcome(
            outcome=Outcome.REJECTED, command=record.command, command_id=command_id, reason=reason
        )
