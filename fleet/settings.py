"""MQTT and Sparkplug settings from the environment and `.env` (the fleet part is off without a URL)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "password", "secret", "mqtt"})
SCHEMES = {"mqtt": False, "tcp": False, "mqtts": True, "ssl": True}


class MqttSettings(BaseSettings):
    """`LOCKPILOT_MQTT_URL` (mqtt:// or mqtts://, user:password@ allowed), TLS files, Sparkplug ids."""

    model_config = SettingsConfigDict(env_prefix="LOCKPILOT_", env_file=".env", extra="ignore")

    mqtt_url: str | None = None
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_ca_file: Path | None = None  # CA bundle for mqtts:// (system CAs when unset)
    mqtt_cert_file: Path | None = None  # client certificate (mutual TLS)
    mqtt_key_file: Path | None = None
    mqtt_keepalive_s: int = Field(default=10, ge=2, le=600)
    sparkplug_group: str = Field(default="hidrovia", pattern=r"^[^/#+]+$")
    sparkplug_node: str | None = Field(default=None, pattern=r"^[^/#+]+$")  # default: the plant's id
    sparkplug_host_id: str = Field(default="lockpilot-central", pattern=r"^[^/#+]*$")  # "": no host
    fleet_resend_window_s: float = Field(default=30.0, ge=0)  # sent just before an outage: sent again
    development: bool = False  # allows placeholder MQTT passwords

    @field_validator("mqtt_url")
    @classmethod
    def _known_scheme(cls, url: str | None) -> str | None:
        if not url:
            return None  # unset or empty: the fleet part is off
        if urlsplit(url).scheme not in SCHEMES:
            raise ValueError(
                f"LOCKPILOT_MQTT_URL must start with one of {', '.join(s + '://' for s in SCHEMES)}"
            )
        return url

    @model_validator(mode="after")
    def _no_placeholder_password(self) -> MqttSettings:
        password = self.password
        if password is not None and password.lower() in PLACEHOLDER_SECRETS and not self.development:
            raise ValueError(
                "the MQTT password is a placeholder: set a real one (or LOCKPILOT_DEVELOPMENT=1)"
            )
        return self

    @property
    def enabled(self) -> bool:
        return self.mqtt_url is not None

    @property
    def host(self) -> str:
        return urlsplit(self.mqtt_url or "mqtt://127.0.0.1").hostname or "127.0.0.1"

    @property
    def tls(self) -> bool:
        return SCHEMES[urlsplit(self.mqtt_url or "mqtt://").scheme]

    @property
    def port(self) -> int:
        return urlsplit(self.mqtt_url or "mqtt://").port or (8883 if self.tls else 1883)

    @property
    def username(self) -> str | None:
        user = urlsplit(self.mqtt_url or "").username
        return self.mqtt_username or (unquote(user) if user else None)

    @property
    def password(self) -> str | None:
        if self.mqtt_password is not None:
            return self.mqtt_password.get_secret_value()
        secret = urlsplit(self.mqtt_url or "").password
        return unquote(secret) if secret else None
