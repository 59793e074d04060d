"""Start proactive alarm notifications: one notifier per configured channel, fed by one alarm source."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from api.bots.alarm_feed import Activation, EventsLogFollower, Offer, runner_listener
from api.bots.alarm_message import SlackAlarmSender, TeamsAlarmSender
from api.bots.alarm_notifier import AlarmNotifier, AlarmSender, Pacing
from api.web_settings import WebSettings
from lockpilot.plant import Plant
from rules.alarms import AlarmCatalog
from rules.loader import load_rules

log = logging.getLogger(__name__)


def alarm_senders(web: WebSettings) -> list[AlarmSender]:
    """A sender for each channel the settings configure (Slack channel, Teams conversation)."""
    senders: list[AlarmSender] = []
    if web.slack_bot_token and web.slack_alarm_channel:
        senders.append(SlackAlarmSender(web))
    if web.teams_alarm_service_url and web.teams_alarm_conversation:
        senders.append(TeamsAlarmSender(web))
    return senders


def _attach(
    web: WebSettings, offer: Offer, *, plant: Plant, runner: Any, database_url: str | None
) -> tuple[Callable[[], None], str]:
    """Feed `offer` from the runner's listeners, else from events_log; return the detach and the source."""
    if runner is not None:
        listener = runner_listener(offer, runner.engine.catalog, min_priority=web.alarm_min_priority)
        runner.listeners.append(listener)
        return (lambda: runner.listeners.remove(listener)), "rules runner"
    assert database_url is not None
    follower = EventsLogFollower(
        database_url,
        offer,
        AlarmCatalog(plant, load_rules(plant)),
        min_priority=web.alarm_min_priority,
        poll_s=web.alarm_poll_s,
    ).start()
    return follower.stop, "events_log"


def start_alarm_notifications(
    web: WebSettings,
    *,
    plant: Plant,
    runner: Any = None,
    database_url: str | None = None,
    senders: Sequence[AlarmSender] | None = None,
) -> Callable[[], None] | None:
    """Notify activations from the in-process runner (`up`) or else events_log (`serve`); return a closer."""
    chosen = list(alarm_senders(web) if senders is None else senders)
    if not chosen or (runner is None and database_url is None):
        return None
    pacing = Pacing(
        coalesce_s=web.alarm_coalesce_s,
        min_interval_s=web.alarm_min_interval_s,
        retry_max_s=web.alarm_retry_max_s,
    )
    notifiers = [AlarmNotifier(sender, pacing=pacing).start() for sender in chosen]

    def offer(found: Sequence[Activation]) -> None:
        for notifier in notifiers:
            notifier.offer(found)

    detach, source = _attach(web, offer, plant=plant, runner=runner, database_url=database_url)
    log.info("alarm notifications from %s to %s", source, ", ".join(s.name for s in chosen))

    def close() -> None:
        detach()
        for notifier in notifiers:
            notifier.stop()

    return close
