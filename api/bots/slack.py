"""Slack bot (slack-bolt): mentions, direct messages, `/lockpilot`, command buttons; signatures verified."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from api.bots.common import APPROVE, REJECT, Channel, ask, bot_user, decide, pending_summary
from api.services import Services

REASON_BLOCK, REASON_INPUT = "reject_reason", "reason"


def command_blocks(summary: dict[str, Any], command_id: str) -> list[dict[str, Any]]:
    """A pending command as Block Kit: summary, preconditions, a reason field, approve/reject buttons."""
    checks = "\n".join(
        f"{'✅' if c['passed'] else '❌'} {c['condition']} ({c['value']} {c['unit']})".rstrip()
        for c in summary["preconditions"]
    )
    text = (
        f"*Confirmação: {summary['title_pt']}*\n`{summary['tag']}` := *{summary['value']}*\n{checks}\n"
        f"Risco: {summary['risk_pt']}\n⏳ Expira em {summary['seconds_left']} s — somente operadores aprovam."
    )
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "input",
            "block_id": REASON_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Motivo (para rejeitar)"},
            "element": {"type": "plain_text_input", "action_id": REASON_INPUT},
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "style": "primary",
                    "action_id": APPROVE,
                    "value": command_id,
                    "text": {"type": "plain_text", "text": "Aprovar"},
                },
                {
                    "type": "button",
                    "style": "danger",
                    "action_id": REJECT,
                    "value": command_id,
                    "text": {"type": "plain_text", "text": "Rejeitar"},
                },
            ],
        },
    ]


def _answer(svc: Services, *, user_id: str, conversation: str, text: str) -> dict[str, Any]:
    """The reply to one message: the answer, plus the confirmation blocks of a pending command."""
    who = bot_user(svc, Channel.SLACK, user_id=user_id, conversation_id=conversation)
    result = ask(svc, Channel.SLACK, who, text)
    if result is None:
        return {"text": "O copiloto não está disponível."}
    reply: dict[str, Any] = {"text": result.answer}
    pending = result.pending_command
    summary = pending_summary(svc, pending.command_id) if pending else None
    if pending and summary:
        reply["blocks"] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": result.answer}},
            *command_blocks(summary, pending.command_id),
        ]
    return reply


def _strip_mention(text: str) -> str:
    return " ".join(w for w in text.split() if not (w.startswith("<@") and w.endswith(">")))


def _on_mention(svc: Services, event: dict[str, Any], say: Any) -> None:
    """Answer a mention in its thread (one copilot thread per Slack thread and user)."""
    thread = event.get("thread_ts") or event["ts"]
    text = _strip_mention(event.get("text", ""))
    say(
        **_answer(svc, user_id=event["user"], conversation=f"{event['channel']}:{thread}", text=text),
        thread_ts=thread,
    )


def _on_message(svc: Services, event: dict[str, Any], say: Any) -> None:
    """Answer a direct message (other channels answer only when mentioned)."""
    if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
        return
    say(**_answer(svc, user_id=event["user"], conversation=event["channel"], text=event.get("text", "")))


def _on_slash(svc: Services, ack: Any, command: dict[str, Any], respond: Any) -> None:
    """Answer `/lockpilot QUESTION` to the caller only."""
    ack()
    reply = _answer(
        svc, user_id=command["user_id"], conversation=command["channel_id"], text=command.get("text", "")
    )
    respond(**reply, response_type="ephemeral")


def _on_button(svc: Services, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
    """Approve or reject from a button, with the reason typed in the card; roles checked again."""
    ack()
    channel = body.get("channel", {}).get("id", "dm")
    who = bot_user(svc, Channel.SLACK, user_id=body["user"]["id"], conversation_id=channel)
    values = body.get("state", {}).get("values", {})
    reason = (values.get(REASON_BLOCK, {}).get(REASON_INPUT, {}) or {}).get("value") or ""
    respond(
        text=decide(svc, who, action["action_id"], action["value"], reason=reason), replace_original=False
    )


def build_slack_app(svc: Services, *, bot_token: str, signing_secret: str, api_url: str | None = None) -> App:
    """Build the bolt app: every request's signature is checked before any listener runs."""
    client = WebClient(token=bot_token, base_url=api_url) if api_url else WebClient(token=bot_token)
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=False,
        request_verification_enabled=True,
        process_before_response=False,
    )
    app.event("app_mention")(lambda event, say: _on_mention(svc, event, say))
    app.event("message")(lambda event, say: _on_message(svc, event, say))
    app.command("/lockpilot")(lambda ack, command, respond: _on_slash(svc, ack, command, respond))
    for action_id in (APPROVE, REJECT):
        app.action(action_id)(lambda ack, body, action, respond: _on_button(svc, ack, body, action, respond))

    @app.error
    def failed(error: Exception) -> BoltResponse:
        return BoltResponse(status=500, body=f"lockpilot: {error}")

    return app
