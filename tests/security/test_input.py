"""Input limits (points 10, 11, 12): NaN and infinities refused with a 422 naming the field and audited;
huge, NUL and lone-surrogate texts refused with 413/422 that never echo the input; never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest

from app.dataplane import DataPlane
from lockpilot.roles import Role
from tests.security.helpers import SETPOINT, bearer, web_stack
from tests.web_stack import redis_db

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def live(
    pg_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DataPlane, str]]:
    plane = web_stack(pg_url, redis_db(redis_base_url, 13), tmp_path_factory.mktemp("input"))
    assert plane.services is not None and plane.services.metering is not None
    plane.services.users.add("paula", role=Role.OPERATOR, password="senha-da-paula-123")
    token = plane.services.metering.create_token(username="paula", role=Role.OPERATOR, actor="test")
    yield plane, token
    plane.stop()


def _post(plane: DataPlane, token: str, path: str, raw: str) -> httpx.Response:
    headers = {**bearer(token), "content-type": "application/json"}
    return httpx.post(
        f"{plane.url}{path}", content=raw.encode("utf-8", "surrogatepass"), headers=headers, timeout=30
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_non_finite_setpoints_refused_and_audited(live: tuple[DataPlane, str], literal: str) -> None:
    plane, token = live
    answer = _post(plane, token, "/api/commands", f'{{"command": "{SETPOINT}", "value": {literal}}}')
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["reason"] == "value_not_finite"
    with psycopg.connect(plane.database_url) as conn:
        row = conn.execute(
            "SELECT details FROM audit_log WHERE action = 'command_refused' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row is not None and row[0]["reason"] == "value_not_finite"


INGEST = (
    '{{"client": "{client}", "device": "m1", "device_type": "modbus_tcp", "measurements": [{{"time": '
    '"2026-03-01T00:00:00Z", "metric": "{metric}", "value": {value}, "source": "{source}"}}]}}'
)


def _ingest(client: str = "c", metric: str = "kwh", value: str = "1", source: str = "") -> str:
    return INGEST.format(client=client, metric=metric, value=value, source=source)


@pytest.mark.parametrize(
    ("field", "client", "metric", "value", "source"),
    [
        ("value", "c", "kwh", "NaN", ""),
        ("value", "c", "kwh", "Infinity", ""),
        ("client", "c\\u0000x", "kwh", "1", ""),
        ("metric", "c", "k\\u0000wh", "1", ""),
        ("source", "c", "kwh", "1", "\\ud800"),
    ],
)
def test_ingest_refuses_bad_values_with_422(
    live: tuple[DataPlane, str], field: str, client: str, metric: str, value: str, source: str
) -> None:
    plane, token = live
    answer = _post(plane, token, "/api/ingest", _ingest(client, metric, value, source))
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_huge_texts_refused_without_echo(live: tuple[DataPlane, str]) -> None:
    plane, token = live
    big_source = "x" * 10_000_000
    answer = _post(plane, token, "/api/ingest", _ingest(source=big_source))
    assert answer.status_code == 413 and len(answer.content) < 1000
    log = plane.settings.data_dir / "audit.log"
    assert not log.exists() or log.stat().st_size < 1_000_000
    question = "nível " * 100_000  # 600 kB
    asked = _post(plane, token, "/api/ask", '{"question": "' + question + '"}')
    assert asked.status_code in (413, 422) and len(asked.content) < 1000
    medium = "a" * 5000
    asked = _post(plane, token, "/api/ask", '{"question": "' + medium + '"}')
    assert asked.status_code == 422 and medium not in asked.text and "question" in asked.text
    long_source = _post(plane, token, "/api/ingest", _ingest(source="s" * 500))
    assert long_source.status_code == 422 and "source" in long_source.text


def test_lone_surrogate_question_is_422(live: tuple[DataPlane, str]) -> None:
    plane, token = live
    answer = _post(plane, token, "/api/ask", '{"question": "nível \\udc80 da câmara"}')
    assert answer.status_code == 422, answer.text
