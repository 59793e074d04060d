"""Tags, current values and history of the lock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.responses import INVALID_OR_TEXT, PLANT_ROUTE, errors
from api.web_deps import PlantRole, Svc, need
from lockpilot.language import Language
from lockpilot.plant import TagGroup
from tools.history import HistoryMode, HistoryResult, query_history
from tools.live import read_tag
from tools.models import ReadTagResult

router = APIRouter(tags=["plant"], responses=PLANT_ROUTE)
MAX_WINDOW_S = 31 * 86400
MAX_TAGS = 20


class TagOut(BaseModel):
    name: str
    group: str
    unit: str
    type: str
    description_pt: str
    description_en: str
    equipment: str | None
    writable: bool
    range: tuple[float, float] | None


@router.get("/tags", response_model=list[TagOut])
def list_tags(svc: Svc, _: PlantRole, group: TagGroup | None = None) -> list[TagOut]:
    """List the plant's tags, optionally of one group."""
    return [
        TagOut(
            name=t.name,
            group=t.group.value,
            unit=t.unit,
            type=t.type.value,
            description_pt=t.description.pt,
            description_en=t.description.en,
            equipment=t.equipment,
            writable=t.is_writable,
            range=(t.range[0], t.range[1]) if t.range else None,
        )
        for t in svc.plant.tags.values()
        if group is None or t.group is group
    ]


@router.get("/values", response_model=ReadTagResult)
def current_values(
    svc: Svc,
    _: PlantRole,
    tags: Annotated[list[str], Query(min_length=1, max_length=MAX_TAGS)],
    language: Language = Language.PT,
) -> ReadTagResult:
    """Current value, unit, time, quality and freshness of up to 20 tags (`tags=a,b` or `tags=a&tags=b`)."""
    names = [name.strip() for item in tags for name in item.split(",") if name.strip()]
    if len(names) > MAX_TAGS:
        raise HTTPException(status_code=422, detail=f"at most {MAX_TAGS} tags per request")
    return read_tag(svc.tools, names, language=language)


@router.get("/history/{tag}", response_model=HistoryResult, responses=errors(404) | INVALID_OR_TEXT)
def history(
    svc: Svc,
    _: PlantRole,
    tag: str,
    window_s: Annotated[float, Query(gt=0, le=MAX_WINDOW_S)] = 3600.0,
    end: datetime | None = None,
    mode: HistoryMode = HistoryMode.AGGREGATED,
    every_s: Annotated[float | None, Query(ge=1, le=86400)] = None,
) -> HistoryResult:
    """History of one tag over `window_s` seconds up to `end` (now): raw rows or buckets, stats, a chart."""
    if tag not in svc.plant.tags:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown tag '{tag}'")
    need(svc.tools.history, "history")
    if end is not None and end.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "end needs a time zone")
    return query_history(svc.tools, tag, window_s=window_s, end=end, mode=mode, every_s=every_s)
