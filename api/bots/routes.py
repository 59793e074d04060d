"""HTTP endpoints of the bots (/bots/slack/events, /bots/teams/messages)."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from api.bots.teams import TokenRejected, TokenValidator, handle_activity, send_activity
from api.services import Services

log = logging.getLogger(__name__)


def _slack_route(router: APIRouter, svc: Services) -> Any:
    """Mount the Slack endpoint when its token and signing secret are configured; return the bolt app."""
    web = svc.web
    if not (web.slack_bot_token and web.slack_signing_secret):
        return None
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

    from api.bots.slack import build_slack_app

    slack = build_slack_app(
        svc, bot_token=web.slack_bot_token, signing_secret=web.slack_signing_secret, api_url=web.slack_api_url
    )

    @router.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        """Slack events, slash commands and interactivity (signature checked by bolt)."""
        bolt_request = to_bolt_request(request, await request.body())
        return to_starlette_response(await run_in_threadpool(slack.dispatch, bolt_request))

    return slack


def _teams_route(router: APIRouter, svc: Services) -> None:
    """Mount the Teams activity endpoint when the app id is configured."""
    web = svc.web
    if not web.teams_app_id:
        return
    validator = TokenValidator(web)

    @router.post("/teams/messages")
    async def teams_messages(request: Request) -> Response:
        """Validate a Bot Framework activity's token and answer it (inline for expectReplies)."""
        activity: dict[str, Any] = await request.json()
        try:
            await run_in_threadpool(
                validator.validate,
                request.headers.get("authorization"),
                service_url=str(activity.get("serviceUrl", "")),
            )
        except TokenRejected as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}") from None
        reply = await run_in_threadpool(handle_activity, svc, activity)
        if reply is None:
            return Response(status_code=status.HTTP_200_OK)
        if activity.get("deliveryMode") == "expectReplies":
            return Response(content=_json({"activities": [reply]}), media_type="application/json")
        await run_in_threadpool(
            send_activity,
            web,
            str(activity["serviceUrl"]),
            activity["conversation"]["id"],
            reply,
            reply_to=activity.get("id"),
        )
        return Response(status_code=status.HTTP_200_OK)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def bot_router(svc: Services) -> APIRouter:
    """The bots' routes (only those configured)."""
    router = APIRouter(prefix="/bots", tags=["bots"])
    _slack_route(router, svc)
    _teams_route(router, svc)
    return router
