"""Settings of the web side (chat, API, dashboard, bots), from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from lockpilot.roles import Role
from rules.model import Priority


class WebSettings(BaseSettings):
    """What a site configures for the web side; bots stay off until their secrets are set."""

    model_config = SettingsConfigDict(env_prefix="LOCKPILOT_", env_file=".env", extra="ignore")

    users_file: Path | None = None  # YAML users beside (or instead of) the ui_users table
    chat_path: str = "/chat"
    chat_language: str = "pt-BR"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_alarm_channel: str | None = None  # channel id for proactive alarm notifications
    slack_api_url: str | None = None  # Slack Web API base URL (default https://slack.com/api/)
    teams_app_id: str | None = None  # the bot's Microsoft app id: the token audience
    teams_app_password: str | None = None
    teams_openid_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    teams_jwks_url: str | None = None  # overrides the JWKS found through the OpenID metadata
    teams_issuer: str = "https://api.botframework.com"
    teams_token_url: str = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    teams_alarm_service_url: str | None = None  # serviceUrl of the conversation for alarm notifications
    teams_alarm_conversation: str | None = None  # its conversation id
    bot_default_role: Role = Role.VIEWER
    alarm_poll_s: float = 2.0  # `serve`: how often events_log is read for new activations
    alarm_min_priority: Priority = Priority.HIGH  # notify activations of this priority or more urgent
    alarm_coalesce_s: float = 3.0  # activations within this window after the first go in one message
    alarm_min_interval_s: float = 30.0  # at most one message per channel in this interval
    alarm_retry_max_s: float = 300.0  # longest wait between retries of a failed send
    alarm_timezone: str = "America/Sao_Paulo"  # clock times in messages
    public_url: str = "http://127.0.0.1:8000"  # how people reach this server (links in messages)
    session_hours: float = 12.0  # a chat/dashboard session lasts one shift, then log in again
    trust_forwarded_proto: bool = False  # behind a TLS proxy: X-Forwarded-Proto https makes cookies Secure
    metrics_token: str | None = None  # /metrics for a scraper with this bearer token (else loopback only)

    def secrets(self) -> list[tuple[str, str | None]]:
        """(variable, value) of every secret configured (unset ones are features that stay off)."""
        pairs = {
            "LOCKPILOT_SLACK_BOT_TOKEN": self.slack_bot_token,
            "LOCKPILOT_SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "LOCKPILOT_TEAMS_APP_PASSWORD": self.teams_app_password,
            "LOCKPILOT_METRICS_TOKEN": self.metrics_token,
        }
        return [(name, value) for name, value in pairs.items() if value is not None]
