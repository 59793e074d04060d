"""Microsoft Teams bot (Bot Framework activities): JWT validation, answers, Adaptive Card confirmations."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import httpx
import jwt

from api.bots.common import APPROVE, REJECT, BotUser, Channel, ask, bot_user, decide, pending_summary
from api.services import Services
from api.web_settings import WebSettings

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
TOKEN_LEEWAY_S = 300
REPLY_TIMEOUT_S = 10.0


class TokenRejected(Exception):
    """The activity's bearer token is missing or invalid."""


class TokenValidator:
    """Validate Bot Framework tokens: RS256 from the JWKS of the OpenID metadata, audience = the app id."""

    def __init__(self, web: WebSettings) -> None:
        self.web = web
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def _jwks(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._client is None:
                url = self.web.teams_jwks_url
                if url is None:
                    with urllib.request.urlopen(self.web.teams_openid_url, timeout=10) as resp:
                        url = json.load(resp)["jwks_uri"]
                self._client = jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=3600)
            return self._client

    def validate(self, authorization: str | None, *, service_url: str) -> dict[str, Any]:
        """Return the claims; TokenRejected unless signature, audience, issuer, expiry, serviceUrl hold."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise TokenRejected("missing bearer token")
        token = authorization[7:].strip()
        try:
            key = self._jwks().get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.web.teams_app_id,
                issuer=self.web.teams_issuer,
                leeway=TOKEN_LEEWAY_S,
                options={"require": ["exp", "aud", "iss"]},
            )
        except (jwt.PyJWTError, OSError, KeyError) as exc:
            raise TokenRejected(str(exc)) from None
        if claims.get("serviceUrl") not in (None, service_url):
            raise TokenRejected("serviceUrl claim does not match the activity")
        return claims


def command_card(summary: dict[str, Any], command_id: str) -> dict[str, Any]:
    """A pending command as an Adaptive Card: facts, preconditions, a reason field, approve/reject."""
    facts = [
        {
            "title": ("✅ " if c["passed"] else "❌ ") + c["condition"],
            "value": f"{c['value']} {c['unit']}".strip(),
        }
        for c in summary["preconditions"]
    ]
    body = [
        {
            "type": "TextBlock",
            "weight": "Bolder",
            "size": "Medium",
            "text": f"Confirmação: {summary['title_pt']}",
        },
        {"type": "TextBlock", "wrap": True, "text": f"{summary['tag']} := {summary['value']}"},
        {"type": "FactSet", "facts": facts},
        {"type": "TextBlock", "wrap": True, "text": f"Risco: {summary['risk_pt']}"},
        {"type": "TextBlock", "text": f"Expira em {summary['seconds_left']} s — somente operadores aprovam."},
        {"type": "Input.Text", "id": "reason", "placeholder": "Motivo (para rejeitar)"},
    ]
    actions = [
        {"type": "Action.Submit", "title": "Aprovar", "data": {"action": APPROVE, "command_id": command_id}},
        {"type": "Action.Submit", "title": "Rejeitar", "data": {"action": REJECT, "command_id": command_id}},
    ]
    return {
        "contentType": ADAPTIVE,
        "content": {"type": "AdaptiveCard", "version": "1.4", "body": body, "actions": actions},
    }


def _reply_to(
    activity: dict[str, Any], text: str, attachments: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    reply = {
        "type": "message",
        "text": text,
        "textFormat": "markdown",
        "replyToId": activity.get("id"),
        "from": activity.get("recipient"),
        "recipient": activity.get("from"),
        "conversation": activity.get("conversation"),
    }
    if attachments:
        reply["attachments"] = attachments
    return reply


def handle_activity(svc: Services, activity: dict[str, Any]) -> dict[str, Any] | None:
    """The reply to one activity: an answer, a card for a pending command, or a decision's outcome."""
    if activity.get("type") != "message":
        return None
    sender = activity.get("from") or {}
    who: BotUser = bot_user(
        svc,
        Channel.TEAMS,
        user_id=sender.get("aadObjectId") or sender.get("id", "unknown"),
        conversation_id=(activity.get("conversation") or {}).get("id", "none"),
    )
    value = activity.get("value") or {}
    if value.get("action") in (APPROVE, REJECT):
        text = decide(
            svc, who, value["action"], str(value.get("command_id", "")), reason=value.get("reason", "")
        )
        return _reply_to(activity, text)
    result = ask(
        svc, Channel.TEAMS, who, " ".join(str(activity.get("text", "")).replace("<at>", " ").split())
    )
    if result is None:
        return _reply_to(activity, "O copiloto não está disponível.")
    pending = result.pending_command
    summary = pending_summary(svc, pending.command_id) if pending else None
    cards = [command_card(summary, pending.command_id)] if pending and summary else None
    return _reply_to(activity, result.answer, cards)


def send_activity(
    web: WebSettings,
    service_url: str,
    conversation_id: str,
    activity: dict[str, Any],
    *,
    reply_to: str | None = None,
) -> None:
    """Post an activity to a conversation through the Bot Connector (with the app's token if set)."""
    url = f"{service_url.rstrip('/')}/v3/conversations/{conversation_id}/activities"
    if reply_to:
        url += f"/{reply_to}"
    headers = {}
    if web.teams_app_id and web.teams_app_password:
        headers["Authorization"] = f"Bearer {_connector_token(web)}"
    httpx.post(url, json=activity, headers=headers, timeout=REPLY_TIMEOUT_S).raise_for_status()


def _connector_token(web: WebSettings) -> str:
    """A Bot Connector token by client credentials."""
    resp = httpx.post(
        web.teams_token_url,
        timeout=REPLY_TIMEOUT_S,
        data={
            "grant_type": "client_credentials",
            "client_id": web.teams_app_id,
            "client_secret": web.teams_app_password,
            "scope": "https://api.botframework.com/.default",
        },
    )
    resp.raise_for_status()
    return str(resp.json()["access_token"])
