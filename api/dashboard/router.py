"""The plant overview page: schematic with live values, active alarms, trends; every asset served locally."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated, Any

import plotly
from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from api.dashboard.schematic import EQUIPMENT_ELEMENT, SCHEMATIC_TAGS, render_schematic
from api.services import Services
from api.web_auth import web_user
from api.web_deps import get_services
from lockpilot.formatting import local_time, state_name
from lockpilot.roles import Role
from tools.alarms import list_active_alarms
from tools.history import HistoryMode, query_history

router = APIRouter(tags=["dashboard"])
STATIC_DIR = Path(__file__).resolve().parent / "static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
TREND_TAGS = (
    "nivel_camara",
    "nivel_reservatorio_montante",
    "nivel_jusante",
    "pressao_sistema",
    "pressao_succao",
    "vibracao_bomba",
    "temperatura_oleo_hpu",
)
PERIODS_S = {"15 min": 900, "1 h": 3600, "6 h": 21600, "24 h": 86400}
ASSETS = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}


class DashboardData(BaseModel):
    values: dict[str, Any]
    freshness: dict[str, str]
    alarms: list[dict[str, Any]]
    alarms_error: str | None = None
    faulted: list[str] = Field(default_factory=list)  # schematic elements drawn in alarm colour
    can_act: bool = False  # an operator: acknowledge and shelve buttons


class AlarmActionBody(BaseModel):
    comment: str = Field(default="", max_length=500)
    for_s: float = Field(default=3600.0, gt=0, le=7 * 86400)


PRIORITY_PT = {"critical": "crítica", "high": "alta", "medium": "média", "low": "baixa"}


def logged_in(request: Request) -> str:
    """401 unless the caller is logged in."""
    user = web_user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in first")
    return user


def web_role(svc: Services, request: Request, user: str) -> Role:
    """The role of a logged-in user (a bearer token's, or the user directory's)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and svc.metering is not None:
        found = svc.metering.user_of(auth[7:].strip())
        return Role(found.role) if found else Role.VIEWER
    ui_user = svc.users.get(user)
    return ui_user.role if ui_user is not None else Role.VIEWER


def _snapshot(svc: Services, *, can_act: bool = False) -> DashboardData:
    stored = svc.tools.current(list(SCHEMATIC_TAGS))
    values = {t: (c.value if c is not None else None) for t, c in stored.items()}
    for tag, value in values.items():
        if value is not None and svc.plant.tags[tag].type.value == "bool":
            values[tag] = bool(value)
    fresh = {t: ("missing" if c is None else c.quality.value) for t, c in stored.items()}
    active = list_active_alarms(svc.tools)
    alarms = [
        {
            "id": a.id,
            "name": a.name.pt,
            "priority": a.priority,
            "priority_pt": PRIORITY_PT.get(a.priority, a.priority),
            "state": a.state,
            "state_pt": state_name(a.state),
            "since": a.since.isoformat() if a.since else None,
            "since_local": local_time(a.since, tz=svc.timezone) if a.since else "—",
            "acknowledged": a.acknowledged,
            "first_out": a.first_out,
            "related": a.related,
            "group": min([a.id, *a.related]),  # the alarms of one incident share it
            "equipment": a.equipment,
            "command_id": a.values.get("command_id"),
        }
        for a in active.alarms
    ]
    faulted = sorted(
        {EQUIPMENT_ELEMENT[a.equipment] for a in active.alarms if a.equipment in EQUIPMENT_ELEMENT}
    )
    return DashboardData(
        values=values,
        freshness=fresh,
        alarms=alarms,
        alarms_error=active.error,
        faulted=faulted,
        can_act=can_act and svc.alarm_actions is not None,
    )


@router.get("/dashboard", response_class=HTMLResponse, response_model=None)
def dashboard(request: Request) -> Response:
    """The overview page (redirects to the chat's login page when not logged in)."""
    svc: Services = request.app.state.services
    if web_user(request) is None:
        return RedirectResponse(f"{svc.web.chat_path}/login", status_code=status.HTTP_303_SEE_OTHER)
    data = _snapshot(svc)
    units = {t: svc.plant.tags[t].unit for t in SCHEMATIC_TAGS}
    page = (STATIC_DIR / "dashboard.html").read_text(encoding="utf-8")
    tag_options = "".join(
        f'<option value="{t}">{escape(svc.plant.tags[t].description.pt)}</option>' for t in TREND_TAGS
    )
    periods = "".join(
        f'<button type="button" class="period" data-window-s="{s}">{escape(label)}</button>'
        for label, s in PERIODS_S.items()
    )
    return HTMLResponse(
        page.replace("{{SCHEMATIC}}", render_schematic(data.values, units))
        .replace("{{TAG_OPTIONS}}", tag_options)
        .replace("{{PERIODS}}", periods)
        .replace("{{PLANT}}", escape(svc.plant.name))
        .replace("{{CHAT}}", svc.web.chat_path)
    )


@router.get("/dashboard/data", response_model=DashboardData)
def dashboard_data(request: Request, user: Annotated[str, Depends(logged_in)]) -> DashboardData:
    """Live values of the schematic's tags, the active alarms, the faulted equipment."""
    svc = get_services(request)
    return _snapshot(svc, can_act=web_role(svc, request, user) is Role.OPERATOR)


@router.post("/dashboard/alarms/{alarm_id}/{action}")
def dashboard_alarm_action(
    request: Request,
    alarm_id: str,
    action: str,
    body: AlarmActionBody,
    user: Annotated[str, Depends(logged_in)],
) -> dict[str, Any]:
    """Acknowledge or shelve from the dashboard: operators only; shelving needs a comment."""
    svc = get_services(request)
    if web_role(svc, request, user) is not Role.OPERATOR:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "somente um operador pode tratar alarmes")
    actions = svc.alarm_actions
    if actions is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "o serviço de alarmes não está disponível")
    from rules.lifecycle import AlarmOperationError

    try:
        if action == "ack":
            return actions.acknowledge(alarm_id, user=user, comment=body.comment)
        if action == "shelve":
            if not body.comment.strip():
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "o comentário é obrigatório")
            return actions.shelve(alarm_id, for_s=body.for_s, user=user, comment=body.comment.strip())
    except (AlarmOperationError, KeyError) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"ação desconhecida '{action}'")


@router.get("/dashboard/trend")
def dashboard_trend(
    request: Request,
    _: Annotated[str, Depends(logged_in)],
    tag: str,
    window_s: Annotated[float, Query(gt=0, le=31 * 86400)] = 3600.0,
) -> dict[str, Any]:
    """A Plotly figure of one tag over the last `window_s` seconds."""
    svc = get_services(request)
    if tag not in svc.plant.tags:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown tag '{tag}'")
    if svc.tools.history is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "history is not available")
    result = query_history(svc.tools, tag, window_s=window_s, mode=HistoryMode.AGGREGATED)
    return result.chart


@router.get("/static/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Plotly from the installed python package (no CDN)."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


@router.get("/static/dashboard/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    """The page's own script and style."""
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return FileResponse(STATIC_DIR / name, media_type=ASSETS[name])
