"""Quality <-> smallint codes stored in tag_history and the rollup (also in table sample_quality)."""

from __future__ import annotations

from lockpilot.samples import Quality

QUALITY_CODE: dict[Quality, int] = {
    Quality.GOOD: 0,
    Quality.BAD: 1,
    Quality.STALE: 2,
    Quality.COMM_ERROR: 3,
}
CODE_QUALITY: dict[int, Quality] = {code: quality for quality, code in QUALITY_CODE.items()}
GOOD_CODE = QUALITY_CODE[Quality.GOOD]
