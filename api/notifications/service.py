"""Proactive alarm notifications as a part: one notifier per configured channel, fed by one alarm source."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from api.notifications.delivery import AlarmNotifier, AlarmSender, Pacing
from api.notifications.messages import SlackAlarmSender, TeamsAlarmSender
from api.notifications.sources import AlarmActivation, EventsLogFollower, runner_listener
from api.web_settings import WebSettings
from rules.alarms import AlarmCatalog
from rules.bundle import PlantBundle

log = logging.getLogger(__name__)


def alarm_senders(web: WebSettings) -> list[AlarmSender]:
    """A sender for each channel the settings configure (Slack channel, Teams conversation)."""
    senders: list[AlarmSender] = []
    if web.slack_bot_token and web.slack_alarm_channel:
        senders.append(SlackAlarmSender(web))
    if web.teams_alarm_service_url and web.teams_alarm_conversation:
        senders.append(TeamsAlarmSender(web))
    return senders


class AlarmNotifications:
    """One notifier per channel, fed by the in-process runner (`up`) or else by events_log (`serve`)."""

    def __init__(
        self,
        web: WebSettings,
        *,
        bundle: PlantBundle,
        runner: Any = None,
        database_url: str | None = None,
        senders: Sequence[AlarmSender] | None = None,
    ) -> None:
        self.web, self.bundle, self.runner, self.database_url = web, bundle, runner, database_url
        self.senders = list(alarm_senders(web) if senders is None else senders)
        self._notifiers: list[AlarmNotifier] = []
        self._detach: Callable[[], None] | None = None

    @property
    def configured(self) -> bool:
        """A channel is set and there is somewhere to read activations from."""
        return bool(self.senders) and (self.runner is not None or self.database_url is not None)

    def start(self) -> None:
        """Start the notifiers, then attach them to the alarm source."""
        if self._detach is not None or not self.configured:
            return
        web = self.web
        pacing = Pacing(
            coalesce_s=web.alarm_coalesce_s,
            min_interval_s=web.alarm_min_interval_s,
            retry_max_s=web.alarm_retry_max_s,
        )
        self._notifiers = [AlarmNotifier(sender, pacing=pacing) for sender in self.senders]
        for notifier in self._notifiers:
            notifier.start()
        self._detach, source = self._attach()
        log.info("alarm notifications from %s to %s", source, ", ".join(s.name for s in self.senders))

    def stop(self) -> None:
        """Detach from the source, then stop the notifiers (idempotent)."""
        if self._detach is not None:
            self._detach()
            self._detach = None
        for notifier in self._notifiers:
            notifier.stop()
        self._notifiers = []

    def _offer(self, found: Sequence[AlarmActivation]) -> None:
        for notifier in self._notifiers:
            notifier.offer(found)

    def _attach(self) -> tuple[Callable[[], None], str]:
        """Feed the notifiers from the runner's listeners, else from events_log; the detach and the source."""
        runner, min_priority = self.runner, self.web.alarm_min_priority
        if runner is not None:
            listener = runner_listener(self._offer, runner.engine.catalog, min_priority=min_priority)
            runner.listeners.append(listener)
            return (lambda: runner.listeners.remove(listener)), "rules runner"
        assert self.database_url is not None
        follower = EventsLogFollower(
            self.database_url,
            self._offer,
            AlarmCatalog(self.bundle.plant, self.bundle.rules),
            min_priority=min_priority,
            poll_s=self.web.alarm_poll_s,
        )
        follower.start()
        return follower.stop, "events_log"
