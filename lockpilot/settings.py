"""Run-time settings from the environment and `.env`, validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything a site configures. Unset database/Redis URLs mean embedded servers in `data_dir`."""

    model_config = SettingsConfigDict(env_prefix="LOCKPILOT_", env_file=".env", extra="ignore")

    plant: str = "lock"
    plants_dir: Path = _REPO_ROOT / "plants"
    data_dir: Path = Path(".lockpilot")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "LOCKPILOT_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "LOCKPILOT_REDIS_URL")
    )
    model: str | None = None
    model_context_tokens: int = Field(default=4096, ge=1024)  # the chat model's window; tool results fit it
    model_timeout_s: float = Field(default=120.0, gt=0)  # one model call (a CPU-only server is slow)
    plc_host: str | None = None  # overrides devices.yaml: point the collector at a real PLC
    plc_port: int | None = None
    twin_port: int = 1102  # where the embedded twin serves S7 (102 needs root and may be taken)
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    timezone: str = "America/Sao_Paulo"  # the plant's local time for operators (UTC stays in details)
    forward_url: str | None = None  # a slave Lockpilot: every accepted meter measurement is forwarded there
    forward_token: str | None = None
    dev_mode: bool = False  # LOCKPILOT_DEV_MODE=1: weak secrets only warn (never on a site)
    four_eyes: bool = False  # LOCKPILOT_FOUR_EYES=1: a command's approver must differ from its requester
    # The historian: a tag is stored at least this often (tags.yaml max_interval_s overrides it per tag)
    history_max_interval_s: float = Field(default=60.0, gt=0, le=600.0)
    history_raw_retention_days: int = Field(default=400, ge=1)  # raw samples; rollups are kept forever
    history_compaction_grace_s: float = Field(default=3600.0, ge=0)  # a UTC day compacts this long after


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
