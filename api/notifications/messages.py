"""Alarm messages in pt-BR (Slack blocks, a Teams Adaptive Card) and the senders that post them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from api.bots.teams import ADAPTIVE, send_activity
from api.notifications.delivery import first_out, ordered
from api.notifications.sources import AlarmActivation
from api.web_settings import WebSettings
from rules.model import Priority

SEND_TIMEOUT_S = 10
PRIORITY_PT = {
    Priority.CRITICAL: "crítica",
    Priority.HIGH: "alta",
    Priority.MEDIUM: "média",
    Priority.LOW: "baixa",
}


@dataclass(frozen=True, slots=True)
class AlarmMessage:
    """One burst in words: headline, first-out, action, the others, the chat link."""

    headline: str
    since: str
    first_out: str
    action: str
    others: list[str]
    chat_url: str

    @classmethod
    def of(cls, burst: Sequence[AlarmActivation], *, chat_url: str, tz: ZoneInfo) -> AlarmMessage:
        """Describe a burst (its first-out alarm leads)."""
        lead = first_out(burst)
        return cls(
            headline=f"🚨 Alarme de prioridade {PRIORITY_PT[lead.priority]}: {lead.name_pt}",
            since=lead.since.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S"),
            first_out=f"{lead.name_pt} ({lead.alarm_id})",
            action=lead.action_pt,
            others=[
                f"{a.name_pt} ({PRIORITY_PT[a.priority]}, {a.since.astimezone(tz):%H:%M:%S})"
                for a in ordered(burst)[1:]
            ],
            chat_url=chat_url,
        )

    def text(self) -> str:
        """The plain-text form (notification preview, fallback)."""
        lines = [
            self.headline,
            f"Desde: {self.since}",
            f"Primeiro alarme (first-out): {self.first_out}",
            f"Ação recomendada: {self.action}",
        ]
        if self.others:
            lines.append(f"Também ativos nesta sequência ({len(self.others)}): " + "; ".join(self.others))
        lines.append(f"Abrir o chat: {self.chat_url}")
        return "\n".join(lines)

    def slack_blocks(self) -> list[dict[str, Any]]:
        """The message as Slack Block Kit."""
        body = (
            f"*Desde:* {self.since}\n*Primeiro alarme (first-out):* {self.first_out}\n"
            f"*Ação recomendada:* {self.action}"
        )
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": self.headline[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body}},
        ]
        if self.others:
            others = "\n".join(f"• {line}" for line in self.others)
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*Também ativos:*\n{others}"}}
            )
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Abrir o chat"},
            "url": self.chat_url,
        }
        blocks.append({"type": "actions", "elements": [button]})
        return blocks

    def teams_card(self) -> dict[str, Any]:
        """The message as a Teams Adaptive Card attachment."""
        facts = [
            {"title": "Desde", "value": self.since},
            {"title": "Primeiro alarme", "value": self.first_out},
            {"title": "Ação recomendada", "value": self.action},
        ]
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "weight": "Bolder", "size": "Medium", "wrap": True, "text": self.headline},
            {"type": "FactSet", "facts": facts},
        ]
        if self.others:
            body.append(
                {"type": "TextBlock", "wrap": True, "text": "Também ativos: " + "; ".join(self.others)}
            )
        content = {
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": "Abrir o chat", "url": self.chat_url}],
        }
        return {"contentType": ADAPTIVE, "content": content}


def chat_link(web: WebSettings) -> str:
    """The chat's address for people reading the message."""
    return web.public_url.rstrip("/") + web.chat_path


class SlackAlarmSender:
    """Post bursts to the configured Slack channel with chat.postMessage."""

    name = "slack"

    def __init__(self, web: WebSettings) -> None:
        assert web.slack_bot_token and web.slack_alarm_channel
        self.channel, self.chat_url, self.tz = (
            web.slack_alarm_channel,
            chat_link(web),
            ZoneInfo(web.alarm_timezone),
        )
        options: dict[str, Any] = {"token": web.slack_bot_token, "timeout": SEND_TIMEOUT_S}
        if web.slack_api_url:
            options["base_url"] = web.slack_api_url
        self.client = WebClient(**options)

    def send(self, burst: Sequence[AlarmActivation]) -> None:
        """Post one message for the burst; raises when Slack refuses it or cannot be reached."""
        message = AlarmMessage.of(burst, chat_url=self.chat_url, tz=self.tz)
        self.client.chat_postMessage(channel=self.channel, text=message.text(), blocks=message.slack_blocks())


class TeamsAlarmSender:
    """Post bursts to the configured Teams conversation through the Bot Connector."""

    name = "teams"

    def __init__(self, web: WebSettings) -> None:
        assert web.teams_alarm_service_url and web.teams_alarm_conversation
        self.web, self.chat_url, self.tz = web, chat_link(web), ZoneInfo(web.alarm_timezone)
        self.service_url, self.conversation = web.teams_alarm_service_url, web.teams_alarm_conversation

    def send(self, burst: Sequence[AlarmActivation]) -> None:
        """Post one proactive activity with the card; raises when the connector refuses it."""
        message = AlarmMessage.of(burst, chat_url=self.chat_url, tz=self.tz)
        activity = {
            "type": "message",
            "text": message.text(),
            "textFormat": "plain",
            "attachments": [message.teams_card()],
        }
        send_activity(self.web, self.service_url, self.conversation, activity)
