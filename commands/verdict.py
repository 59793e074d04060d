"""What the field did after a write, watched against the command's feedback, and the verdict as said.

`watch_feedback` polls until the end state holds ("executado e verificado"), the watched value moves the
wrong way ("a posição subiu de 95,9 % para 100 %"), or the timeout passes; `verdict_text` says exactly what
was seen. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from lockpilot.formatting import number, quantity
from lockpilot.language import Language
from lockpilot.plant import Plant
from lockpilot.plant.commands import CommandSpec, Feedback
from lockpilot.samples import Sample


class Reader(Protocol):
    def read(self, tags: Sequence[str]) -> dict[str, Sample]: ...


def _trusted(samples: dict[str, Sample], tag: str) -> Any:
    sample = samples.get(tag)
    return sample.value if sample is not None and sample.quality.trusted else None


def _end_state(feedback: Feedback, samples: dict[str, Sample], written: Any) -> str | None:
    """The condition that proves the end state, as text, or None while it is not reached."""
    for cond in feedback.any:
        if cond.holds(_trusted(samples, cond.tag)):
            return cond.text()
    tracked = feedback.tracks
    if tracked is not None and isinstance(written, int | float) and not isinstance(written, bool):
        now = _trusted(samples, tracked.tag)
        if now is not None and abs(float(now) - float(written)) <= tracked.tolerance:
            return f"|{tracked.tag} - {number(float(written))}| <= {number(tracked.tolerance)}"
    return None


def watch_feedback(
    io: Reader,
    spec: CommandSpec,
    before: dict[str, Any],
    *,
    written: Any,
    poll_s: float,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
) -> dict[str, Any]:
    """Poll the device until the end state holds, the value goes the wrong way, or the timeout passes."""
    feedback = spec.feedback
    if feedback is None:
        return {"checked": False}
    tags = feedback.tags
    started = monotonic()
    deadline = started + feedback.timeout_s + feedback.hold_s
    reached_at: float | None = None
    while True:
        samples = io.read(tags)
        values = {t: _trusted(samples, t) for t in tags}
        found = _end_state(feedback, samples, written)
        now = monotonic()
        reached_at = (reached_at if reached_at is not None else now) if found is not None else None
        held = reached_at is not None and now - reached_at >= feedback.hold_s
        proof = found if held else None
        wrong_way = _wrong_way(feedback, before, values)
        timed_out = now >= deadline
        if proof is not None or wrong_way or timed_out:
            result: dict[str, Any] = {
                "checked": True,
                "ok": proof is not None,
                "expect_pt": feedback.expect.pt,
                "expect_en": feedback.expect.en,
                "timeout_s": feedback.timeout_s,
                "elapsed_s": round(monotonic() - started, 1),
                "before": {t: before.get(t) for t in tags},
                "after": values,
            }
            if proof is not None:
                result["condition"] = proof
            else:
                result["why"] = "wrong_direction" if wrong_way else "timeout"
            if feedback.moves is not None:
                result["moves"] = {"tag": feedback.moves.tag, "changes": feedback.moves.changes.value}
            if feedback.tracks is not None:
                result["tracks"] = {"tag": feedback.tracks.tag, "written": written}
            return result
        sleep(poll_s)


def _wrong_way(feedback: Feedback, before: dict[str, Any], values: dict[str, Any]) -> bool:
    moves = feedback.moves
    if moves is None:
        return False
    start, now = before.get(moves.tag), values.get(moves.tag)
    if start is None or now is None:
        return False
    return moves.moved(float(start), float(now)) <= -moves.by


def _movement_phrase(plant: Plant, tag: str, start: Any, end: Any, language: Language) -> str:
    """ "posição da válvula de enchimento 1 subiu de 95,9 % para 100 %" (or stayed at)."""
    meta = plant.tag(tag)
    what = meta.description.pt if language is Language.PT else meta.description.en
    what = what[:1].lower() + what[1:]
    if isinstance(start, bool) or isinstance(end, bool) or start is None or end is None:
        shown = quantity(end, meta.unit, decimals=1, language=language)
        return f"{what} {'ficou em' if language is Language.PT else 'stayed at'} {shown}"
    a, b = (
        quantity(float(start), meta.unit, decimals=1, language=language),
        quantity(float(end), meta.unit, decimals=1, language=language),
    )
    if a == b:
        return f"{what} {'ficou em' if language is Language.PT else 'stayed at'} {b}"
    rose = float(end) > float(start)
    if language is Language.PT:
        return f"{what} {'subiu' if rose else 'desceu'} de {a} para {b}"
    return f"{what} {'rose' if rose else 'fell'} from {a} to {b}"


def verdict_text(plant: Plant, feedback: dict[str, Any], language: Language) -> str:
    """What the field did, in the user's words; empty when the command has no field feedback."""
    if not feedback.get("checked"):
        return ""
    pt = language is Language.PT
    expect = feedback["expect_pt" if pt else "expect_en"]
    before, after = feedback.get("before", {}), feedback.get("after", {})
    watched = (feedback.get("moves") or feedback.get("tracks") or {}).get("tag")
    if watched is None:  # bits only: the first end-state tag
        watched = next(iter(after), None)
    seen = (
        _movement_phrase(plant, watched, before.get(watched), after.get(watched), language) if watched else ""
    )
    seconds = number(feedback.get("elapsed_s"), decimals=0, language=language)
    if feedback.get("ok"):
        if pt:
            return f"executado e verificado: {expect} em {seconds} s ({seen})."
        return f"written and verified: {expect} within {seconds} s ({seen})."
    timeout = number(feedback.get("timeout_s"), decimals=0, language=language)
    wrong = feedback.get("why") == "wrong_direction"
    if pt:
        why = (
            f", no sentido contrário ao esperado ({expect})"
            if wrong
            else f" (esperado: {expect} em até {timeout} s)"
        )
        return f"escrito, mas o campo não confirmou: {seen}{why}."
    why = (
        f", the opposite way to the expected ({expect})"
        if wrong
        else f" (expected: {expect} within {timeout} s)"
    )
    return f"written, but the field did not confirm: {seen}{why}."
