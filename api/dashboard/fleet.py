"""The fleet page of a central: every lock online or not, running sequence, active alarms by priority,
first-out and last update; served from the fleet tool (the same data the central copilot answers from)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api.dashboard.router import logged_in, web_user
from api.services import Services
from tools.fleet import PRIORITIES, FleetStatusResult, SiteSummary, fleet_status

router = APIRouter(tags=["dashboard"])
STATIC_DIR = Path(__file__).resolve().parent / "static"
PRIORITY_PT = {"critical": "crítica", "high": "alta", "medium": "média", "low": "baixa"}


def _fleet(svc: Services) -> FleetStatusResult:
    if svc.tools.fleet is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "this Lockpilot is not a fleet central (lockpilot fleet)"
        )
    return fleet_status(svc.tools)


def _time(moment: datetime | None) -> str:
    return moment.strftime("%H:%M:%S") if moment else "—"


def site_row(site: SiteSummary) -> str:
    """One lock as a table row (the script rebuilds the same markup from /dashboard/fleet/data)."""
    state = '<span class="on">online</span>' if site.online else '<span class="prio-critical">offline</span>'
    alarms = " ".join(
        f'<span class="prio-{p}">{site.alarms_by_priority[p]} {PRIORITY_PT[p]}</span>'
        for p in PRIORITIES
        if site.alarms_by_priority.get(p)
    )
    return (
        f'<tr data-site="{escape(site.site)}"><td>{escape(site.site)}</td><td>{state} '
        f'<span class="muted">desde {_time(site.since)}</span></td><td>{escape(site.sequence or "—")}</td>'
        f"<td>{alarms or '<span class=muted>nenhum</span>'}</td><td>{escape(site.first_out or '—')}</td>"
        f"<td>{_time(site.last_update)}</td></tr>"
    )


@router.get("/dashboard/fleet", response_class=HTMLResponse, response_model=None)
def fleet_page(request: Request) -> Response:
    """The fleet page (redirects to the chat's login page when not logged in)."""
    svc: Services = request.app.state.services
    if web_user(request) is None:
        return RedirectResponse(f"{svc.web.chat_path}/login", status_code=status.HTTP_303_SEE_OTHER)
    result = _fleet(svc)
    rows = "".join(site_row(s) for s in result.sites) or '<tr><td colspan="6" class="muted">—</td></tr>'
    page = (STATIC_DIR / "fleet.html").read_text(encoding="utf-8")
    online = sum(s.online for s in result.sites)
    return HTMLResponse(
        page.replace("{{ROWS}}", rows)
        .replace("{{SUMMARY}}", f"{online}/{len(result.sites)} online")
        .replace("{{CHAT}}", svc.web.chat_path)
    )


@router.get("/dashboard/fleet/data", response_model=FleetStatusResult)
def fleet_data(request: Request, _: Annotated[str, Depends(logged_in)]) -> FleetStatusResult:
    """Every lock's status, as the page shows it."""
    return _fleet(request.app.state.services)


@router.get("/static/dashboard/fleet.js", include_in_schema=False)
def fleet_js() -> FileResponse:
    return FileResponse(STATIC_DIR / "fleet.js", media_type="text/javascript")
