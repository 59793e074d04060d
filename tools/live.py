"""Live tools: read current tag values (never passing stale or bad data off as current) and find tags."""

from __future__ import annotations

from collections.abc import Sequence

from lockpilot.language import Language
from lockpilot.plant import Tag
from lockpilot.samples import Quality
from storage.current import CurrentValue
from tools.context import ToolContext
from tools.models import (
    Citation,
    CitationKind,
    Freshness,
    ReadTagResult,
    SearchTagsResult,
    TagLimit,
    TagMatch,
    TagReading,
    alarm_citations,
)
from tools.ports import AlarmView, RuleView

MAX_TAGS_PER_READ = 20
NEAR_SHARE = 0.05  # of a limit's value (of the range for a zero limit): this close is near it (a pre-alarm)


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
        nominal=tag.nominal,
        state=_state_name(tag, value, language),
    )


def _state_name(tag: Tag, value: float | int | bool | None, language: Language) -> str | None:
    """What the tag map calls this value (a bool's 0/1, an int's code), in the user's language."""
    if value is None or not tag.states or not float(value).is_integer():
        return None
    name = tag.states.get(int(value))
    return None if name is None else name.pt if language is Language.PT else name.en


def _rules(ctx: ToolContext) -> list[RuleView]:
    """The rules, or none when the alarm store does not answer."""
    if ctx.alarms is None:
        return []
    try:
        return ctx.alarms.rules()
    except Exception:  # the alarm store being down never stops a reading
        return []


def active_alarms(ctx: ToolContext) -> list[AlarmView]:
    """The active alarms, or none when the alarm store does not answer (that never stops a reading)."""
    if ctx.alarms is None:
        return []
    try:
        return ctx.alarms.active()
    except Exception:
        return []


def _suspect_by(ctx: ToolContext, active: list[AlarmView]) -> tuple[dict[str, list[str]], set[str]]:
    """Tag -> the active alarms (frozen or diverging transmitters, a lost link) that make its reading
    suspect; and which of those alarms are a whole device's (its link: every tag of it alike)."""
    if ctx.alarms is None:
        return {}, set()
    out: dict[str, list[str]] = {}
    device_wide: set[str] = set()
    for alarm in active:
        rule = ctx.alarms.rule(alarm.rule_id)
        if rule is not None and rule.suspect_device is not None:
            device_wide.add(alarm.id)
        for tag in rule.suspect_tags if rule else ():
            out.setdefault(tag, []).append(alarm.id)
    return out, device_wide


def _span(ctx: ToolContext, tag: str) -> float | None:
    rng = ctx.plant.tags[tag].range
    return None if rng is None else float(rng[1] - rng[0])


def limits_of(
    ctx: ToolContext, tag: str, value: object, *, active_rules: set[str], language: Language
) -> list[TagLimit]:
    """The fault rules' limits on a numeric value of `tag`, lowest first, each with whether it is crossed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    span = _span(ctx, tag)
    out = []
    for limit in ctx.bundle.limits.get(tag, ()):
        crossed = limit.crossed_by(float(value))
        margin = NEAR_SHARE * (abs(limit.value) or span or 0.0)
        name = ctx.bundle.rules.rule(limit.rule_id).defn.name
        out.append(
            TagLimit(
                rule=limit.rule_id,
                name=name.pt if language is Language.PT else name.en,
                side=limit.side.value,
                value=round(limit.value, 3),
                crossed=crossed,
                near=crossed or abs(float(value) - limit.value) <= margin,
                active=limit.rule_id in active_rules,
            )
        )
    return out


def _citations(readings: list[TagReading]) -> list[Citation]:
    """Each tag read; for a suspect one, the alarm that makes it so and the redundant transmitter."""
    cites = [Citation(kind=CitationKind.TAG, id=r.tag) for r in readings]
    for r in readings:
        cites += [Citation(kind=CitationKind.RULE, id=alarm) for alarm in r.suspect_by]
        cites += [Citation(kind=CitationKind.ALARM, id=alarm) for alarm in r.suspect_by]
        if r.redundant is not None:
            cites.append(Citation(kind=CitationKind.TAG, id=r.redundant.tag))
        cites += [Citation(kind=CitationKind.RULE, id=x.rule) for x in r.limits if x.crossed or x.active]
    return list(dict.fromkeys(cites))


def read_tag(
    ctx: ToolContext,
    tags: Sequence[str],
    *,
    language: Language = Language.PT,
    limit: int = MAX_TAGS_PER_READ,
    active: list[AlarmView] | None = None,
    with_alarms: bool = True,
) -> ReadTagResult:
    """Read the current value, unit, time, quality and age of up to 20 tags; flag suspect readings
    (`active`: the active alarms when the caller already has them, else they are fetched) and, unless
    `with_alarms` is off, say the alarms active on what was read."""
    known = [t for t in dict.fromkeys(tags) if t in ctx.plant.tags][:limit]
    unknown = [t for t in tags if t not in ctx.plant.tags]
    active = active_alarms(ctx) if active is None else active
    active_rules = {a.rule_id for a in active}
    suspect, device_wide = _suspect_by(ctx, active)
    others = [ctx.plant.tags[t].redundant for t in known if t in suspect and ctx.plant.tags[t].redundant]
    stored = ctx.current([*known, *(o for o in others if o)]) if known else {}
    readings = [reading_of(ctx, name, stored.get(name), language=language) for name in known]
    for r in readings:
        r.suspect_by = suspect.get(r.tag, [])
        r.limits = limits_of(ctx, r.tag, r.value, active_rules=active_rules, language=language)
        other = ctx.plant.tags[r.tag].redundant
        cross_check = other is not None and not set(r.suspect_by) <= device_wide & set(suspect.get(other, []))
        if r.suspect_by and other is not None and cross_check:  # a lost link takes both transmitters
            r.redundant = reading_of(ctx, other, stored.get(other), language=language)
            r.redundant.suspect_by = suspect.get(other, [])
    on_them = _alarms_on(ctx, known, active) if with_alarms else []
    beside = _alarm_readings(ctx, on_them, set(known), language=language, active=active) if on_them else {}
    return ReadTagResult(
        readings=readings,
        unknown=unknown,
        alarms=on_them,
        alarm_readings=beside,
        citations=list(dict.fromkeys(_citations(readings) + alarm_citations(on_them))),
        error=f"unknown tags: {', '.join(unknown)}" if unknown else None,
    )


MAX_ALARMS_ON_A_READ = 3


def priority_rank(alarm: AlarmView) -> tuple[int, str]:
    """Most urgent first (ISA-18.2 priorities), then by id."""
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    return order.get(alarm.priority, 4), alarm.id


def _alarms_on(ctx: ToolContext, tags: list[str], active: list[AlarmView]) -> list[AlarmView]:
    """The active alarms on what was read: of a read tag's equipment, of a rule limiting a read tag, or of
    a rule comparing two of the tags read (the two filling valves out of step)."""
    equipment = {ctx.plant.tags[t].equipment for t in tags} - {None, ""}
    limiting = {x.rule_id for t in tags for x in ctx.bundle.limits.get(t, [])}
    comparing = {r.id for r in _rules(ctx) if len(set(tags) & set(r.tags)) >= 2} if len(tags) >= 2 else set()
    mine = [a for a in active if a.equipment in equipment or a.rule_id in limiting | comparing]
    return sorted(mine, key=priority_rank)[:MAX_ALARMS_ON_A_READ]


def _alarm_readings(
    ctx: ToolContext, alarms: list[AlarmView], read: set[str], *, language: Language, active: list[AlarmView]
) -> dict[str, list[TagReading]]:
    """For each alarm, the readings of the tags its rule limits that were not read (what raised it)."""
    limited = ctx.bundle.limits.items()
    wanted = {
        a.id: [t for t, limits in limited if t not in read and any(x.rule_id == a.rule_id for x in limits)]
        for a in alarms
    }
    tags = list(dict.fromkeys(t for ts in wanted.values() for t in ts))
    if not tags:
        return {}
    beside = read_tag(ctx, tags, language=language, active=active, with_alarms=False)
    found = {r.tag: r for r in beside.readings}
    return {alarm: [found[t] for t in ts if t in found] for alarm, ts in wanted.items() if ts}


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
