"""HTTP endpoints of the bots (/bots/slack/events, /bots/teams/messages) and proactive alarm notifications."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from api.bots.common import alarm_text
from api.bots.teams import TokenRejected, TokenValidator, handle_activity, send_activity
from api.services import Services
from tools.alarms import list_active_alarms

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


class AlarmNotifier:
    """Post each newly active alarm to the configured Slack channel and Teams conversation (own thread)."""

    def __init__(self, svc: Services, slack: Any, *, period_s: float) -> None:
        self.svc, self.slack, self.period_s = svc, slack, period_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alarm-notifier", daemon=True)
        self._seen: set[str] | None = None

    def start(self) -> AlarmNotifier:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)

    def check(self) -> list[str]:
        """Post the alarms that became active since the last check (none on the first); return their ids."""
        active = list_active_alarms(self.svc.tools).alarms
        new = [a for a in active if self._seen is not None and a.id not in self._seen]
        self._seen = {a.id for a in active}
        for alarm in new:
            self._post(alarm_text(alarm))
        return [a.id for a in new]

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            try:
                self.check()
            except Exception as exc:  # a chat or store outage must not stop the watcher
                log.warning("alarm notification failed: %s", exc)

    def _post(self, text: str) -> None:
        web = self.svc.web
        if self.slack is not None and web.slack_alarm_channel:
            self.slack.client.chat_postMessage(channel=web.slack_alarm_channel, text=text)
        if web.teams_alarm_service_url and web.teams_alarm_conversation:
            send_activity(
                web,
                web.teams_alarm_service_url,
                web.teams_alarm_conversation,
                {"type": "message", "text": text},
            )


def bot_router(svc: Services) -> APIRouter:
    """The bots' routes (only those configured) and, with a channel set, the alarm notifier."""
    router = APIRouter(prefix="/bots", tags=["bots"])
    slack = _slack_route(router, svc)
    _teams_route(router, svc)
    notifying = (slack is not None and svc.web.slack_alarm_channel) or svc.web.teams_alarm_conversation
    if notifying and svc.tools.alarms is not None:
        notifier = AlarmNotifier(svc, slack, period_s=svc.web.alarm_poll_s).start()
        svc.closers.append(notifier.stop)
    return router
