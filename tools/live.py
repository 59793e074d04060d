"""Live tools: read current tag values (never passing stale or bad data off as current) and find tags."""

from __future__ import annotations

from collections.abc import Sequence

from lockpilot.language import Language
from lockpilot.samples import Quality
from storage.current import CurrentValue
from tools.context import ToolContext
from tools.models import (
    Citation,
    CitationKind,
    Freshness,
    ReadTagResult,
    SearchTagsResult,
    TagMatch,
    TagReading,
)

MAX_TAGS_PER_READ = 20


def freshness_of(current: CurrentValue | None, *, stale_after_s: float) -> Freshness:
    """Classify a stored value: current only when its quality is good and it is recent enough."""
    if current is None or current.value is None:
        return Freshness.MISSING
    if current.quality is not Quality.GOOD:
        return Freshness.BAD
    return Freshness.STALE if current.age_s > stale_after_s else Freshness.CURRENT


def reading_of(
    ctx: ToolContext, name: str, current: CurrentValue | None, *, language: Language = Language.PT
) -> TagReading:
    """Build the reading of one tag from its stored value."""
    tag = ctx.plant.tag(name)
    description = tag.description.pt if language is Language.PT else tag.description.en
    if current is None:
        return TagReading(
            tag=name,
            description=description,
            unit=tag.unit,
            value=None,
            time=None,
            quality=None,
            age_s=None,
            freshness=Freshness.MISSING,
        )
    value = current.value
    if tag.type.value == "bool" and value is not None:
        value = bool(value)
    return TagReading(
        tag=name,
        description=description,
        unit=tag.unit,
        value=value,
        time=current.time,
        quality=current.quality,
        age_s=round(current.age_s, 1),
        freshness=freshness_of(current, stale_after_s=ctx.stale_after_s),
    )


def _suspect_by(ctx: ToolContext) -> tuple[dict[str, list[str]], set[str]]:
    """Tag -> the active alarms (frozen or diverging transmitters, a lost link) that make its reading
    suspect; and which of those alarms are a whole device's (its link: every tag of it alike)."""
    if ctx.alarms is None:
        return {}, set()
    out: dict[str, list[str]] = {}
    device_wide: set[str] = set()
    try:
        active = ctx.alarms.active()
    except Exception:  # the alarm store being down never stops a reading
        return {}, set()
    for alarm in active:
        rule = ctx.alarms.rule(alarm.rule_id)
        if rule is not None and rule.suspect_device is not None:
            device_wide.add(alarm.id)
        for tag in rule.suspect_tags if rule else ():
            out.setdefault(tag, []).append(alarm.id)
    return out, device_wide


def _citations(readings: list[TagReading]) -> list[Citation]:
    """Each tag read; for a suspect one, the alarm that makes it so and the redundant transmitter."""
    cites = [Citation(kind=CitationKind.TAG, id=r.tag) for r in readings]
    for r in readings:
        cites += [Citation(kind=CitationKind.RULE, id=alarm) for alarm in r.suspect_by]
        cites += [Citation(kind=CitationKind.ALARM, id=alarm) for alarm in r.suspect_by]
        if r.redundant is not None:
            cites.append(Citation(kind=CitationKind.TAG, id=r.redundant.tag))
    return list(dict.fromkeys(cites))


def read_tag(
    ctx: ToolContext,
    tags: Sequence[str],
    *,
    language: Language = Language.PT,
    limit: int = MAX_TAGS_PER_READ,
) -> ReadTagResult:
    """Read the current value, unit, time, quality and age of up to 20 tags; flag suspect readings."""
    known = [t for t in dict.fromkeys(tags) if t in ctx.plant.tags][:limit]
    unknown = [t for t in tags if t not in ctx.plant.tags]
    suspect, device_wide = _suspect_by(ctx)
    others = [ctx.plant.tags[t].redundant for t in known if t in suspect and ctx.plant.tags[t].redundant]
    stored = ctx.current([*known, *(o for o in others if o)]) if known else {}
    readings = [reading_of(ctx, name, stored.get(name), language=language) for name in known]
    for r in readings:
        r.suspect_by = suspect.get(r.tag, [])
        other = ctx.plant.tags[r.tag].redundant
        cross_check = other is not None and not set(r.suspect_by) <= device_wide & set(suspect.get(other, []))
        if r.suspect_by and other is not None and cross_check:  # a lost link takes both transmitters
            r.redundant = reading_of(ctx, other, stored.get(other), language=language)
            r.redundant.suspect_by = suspect.get(other, [])
    return ReadTagResult(
        readings=readings,
        unknown=unknown,
        citations=_citations(readings),
        error=f"unknown tags: {', '.join(unknown)}" if unknown else None,
    )


def search_tags(ctx: ToolContext, query: str, *, limit: int = 5) -> SearchTagsResult:
    """Find tags by name, description (pt or en) or equipment."""
    found = ctx.tag_index.search(query, limit=limit)
    matches = [
        TagMatch(
            tag=t.name,
            score=round(score, 3),
            unit=t.unit,
            equipment=t.equipment,
            description_pt=t.description.pt,
            description_en=t.description.en,
            writable=t.is_writable,
        )
        for t, score in found
    ]
    return SearchTagsResult(
        matches=matches, citations=[Citation(kind=CitationKind.TAG, id=m.tag) for m in matches]
    )
