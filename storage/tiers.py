"""Which rollup tier answers a window: the coarsest whose buckets tile it (a day, an hour, a minute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
TIER_VIEWS = {DAY: "tag_history_1d", HOUR: "tag_history_1h", MINUTE: "tag_history_1m"}  # coarsest first


def floor_time(moment: datetime, step: timedelta) -> datetime:
    """Start of the epoch-aligned `step` bucket holding `moment`."""
    return EPOCH + (moment - EPOCH) // step * step


def ceil_time(moment: datetime, step: timedelta) -> datetime:
    """End of the epoch-aligned `step` bucket holding `moment` (itself when aligned)."""
    floor = floor_time(moment, step)
    return floor if floor == moment else floor + step


def tier_for(every: timedelta) -> timedelta | None:
    """The coarsest tier whose buckets add up to buckets of `every` (None: only raw rows can)."""
    return next((step for step in TIER_VIEWS if every >= step and every % step == timedelta(0)), None)


def segments(start: datetime, end: datetime) -> list[tuple[timedelta | None, datetime, datetime]]:
    """[start, end) as whole days, hours and minutes of their tiers, and raw edges under a minute."""

    def split(
        lo: datetime, hi: datetime, steps: list[timedelta]
    ) -> list[tuple[timedelta | None, datetime, datetime]]:
        if lo >= hi:
            return []
        if not steps:
            return [(None, lo, hi)]
        step, rest = steps[0], steps[1:]
        inner_lo, inner_hi = ceil_time(lo, step), floor_time(hi, step)
        if inner_lo >= inner_hi:
            return split(lo, hi, rest)
        return [*split(lo, inner_lo, rest), (step, inner_lo, inner_hi), *split(inner_hi, hi, rest)]

    return split(start, end, list(TIER_VIEWS))
