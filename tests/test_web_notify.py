"""Proactive alarm notifications: live runner or events_log in, one coalesced pt-BR message per burst out."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from api.bots.teams import ADAPTIVE
from api.notifications.delivery import AlarmNotifier, Pacing
from api.notifications.messages import SlackAlarmSender
from api.notifications.service import AlarmNotifications
from api.notifications.sources import AlarmActivation, activations, runner_listener
from api.web_settings import WebSettings
from lockpilot.clock import ManualClock
from lockpilot.net import free_port
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.lifecycle import AlarmEvent, AlarmState, EventKind
from rules.model import Priority
from rules.runner import RulesRunner

pytestmark = pytest.mark.timeout(60)
T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
CAVITATION, ESTOP, PANEL_HOT = "cavitacao_bomba", "emergencia_acionada", "temperatura_painel_plc_alta"
FAST = {"alarm_coalesce_s": 0.4, "alarm_min_interval_s": 0.5, "public_url": "http://eclusa.local:8000"}

SLACK_TOKEN = "xoxb-test-0123456789-abcdefghijklmnopqrstuv"  # test-only, as long as a real one
TEAMS_PASSWORD = "app-secret-0123456789-abcdefghijklmnop"


class Recorder(BaseHTTPRequestHandler):
    """Slack Web API, Microsoft login and Bot Connector stand-in: records every POST, answers ok."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        data = json.loads(body) if body.startswith("{") else {k: v[0] for k, v in parse_qs(body).items()}
        self.server.posts.append((self.path, dict(self.headers), data))  # type: ignore[attr-defined]
        answer: dict[str, Any] = {"ok": True, "ts": "1.0", "id": "activity-1"}
        if self.path.endswith("/token"):
            answer = {"access_token": "connector-token", "token_type": "Bearer", "expires_in": 3600}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def recorder() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.posts = []  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


class Feed:
    """A real RulesEngine in a RulesRunner, fed with twin samples that the test changes."""

    def __init__(self, bundle: PlantBundle, writers: Sequence[Any] = ()) -> None:
        from twin import LockTwin

        twin = LockTwin(bundle.plant, seed=5)
        twin.step(2.0)
        self.values = {**twin.values(), "pressao_sistema_2": twin.values()["pressao_sistema"]}
        self.clock = ManualClock(T0)
        self.engine = RulesEngine.for_bundle(bundle, anomalies=False)
        self.runner = RulesRunner(self.engine, clock=self.clock, writers=writers, tick_s=0.05)
        self.runner.start()

    def poll(self, seconds: float = 0.5, **values: object) -> None:
        now = self.clock.advance(seconds=seconds)
        self.values.update(values)
        self.values["plc_heartbeat"] = (int(self.values["plc_heartbeat"]) + 1) % 32767
        self.runner.publish([Sample(t, now, v, Quality.GOOD, "test") for t, v in self.values.items()])
        self.runner.submit(lambda engine: None).result(5)  # evaluated before the clock moves on

    def act(self, action: str, alarm_id: str, **options: Any) -> Any:
        now = self.clock.now()
        return self.runner.submit(
            lambda e: getattr(e, action)(alarm_id, user="ana", now=now, **options)
        ).result(5)


@pytest.fixture
def feed(bundle: PlantBundle, plant: Plant) -> Iterator[Feed]:
    lock = Feed(bundle)
    for _ in range(3):
        lock.poll()
    yield lock
    lock.runner.stop()


def _posts(server: Any, part: str, *, count: int, timeout_s: float = 8.0) -> list[tuple[str, dict, dict]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [p for p in server.posts if part in p[0]]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} posts to {part}: {server.posts}")


def _until(condition: Any, *, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def _slack_web(server: Any, **extra: Any) -> WebSettings:
    options = {"slack_api_url": f"{server.url}/api/", **FAST, **extra}
    return WebSettings(
        slack_bot_token="xoxb-test-0123456789-abcdefghijklmnopqrstuv",
        slack_alarm_channel="C0ALARMS",
        **options,
    )


def test_a_burst_is_one_slack_message_naming_the_first_out(
    bundle: PlantBundle, plant: Plant, feed: Feed, recorder: Any
) -> None:
    notifications = AlarmNotifications(_slack_web(recorder), bundle=bundle, runner=feed.runner)
    notifications.start()
    feed.poll(falha_cavitacao_bomba=True)
    feed.poll(0.2, **{ESTOP: True})
    (_, _, data), *more = _posts(recorder, "chat.postMessage", count=1)
    time.sleep(1.2)
    notifications.stop()
    assert not more and len([p for p in recorder.posts if "chat.postMessage" in p[0]]) == 1
    text, blocks = (
        data["text"],
        json.loads(data["blocks"]) if isinstance(data["blocks"], str) else data["blocks"],
    )
    assert data["channel"] == "C0ALARMS"
    assert text.startswith("🚨 Alarme de prioridade crítica: Cavitação da bomba principal")
    assert "Primeiro alarme (first-out): Cavitação da bomba principal (cavitacao_bomba)" in text
    assert "Desde: 01/03/2025 09:00:02" in text  # America/Sao_Paulo
    assert "Ação recomendada: Confirmar a parada da bomba" in text
    assert "Também ativos nesta sequência (1): Parada de emergência acionada (crítica" in text
    assert (
        blocks[0]["type"] == "header" and blocks[-1]["elements"][0]["url"] == "http://eclusa.local:8000/chat"
    )


def test_acks_shelved_and_low_priority_alarms_are_not_announced(
    bundle: PlantBundle, plant: Plant, feed: Feed, recorder: Any
) -> None:
    notifications = AlarmNotifications(_slack_web(recorder), bundle=bundle, runner=feed.runner)
    notifications.start()
    feed.act("shelve", ESTOP, for_s=600)
    feed.poll(**{ESTOP: True})
    for _ in range(62):  # the panel stays hot past its 60 s delay (low priority)
        feed.poll(1.0, temperatura_painel_plc=80.0)
    _until(lambda: feed.engine.alarm(PANEL_HOT).state is AlarmState.UNACKNOWLEDGED)
    assert feed.engine.alarm(ESTOP).state is AlarmState.SHELVED and feed.engine.alarm(ESTOP).active
    feed.act("acknowledge", PANEL_HOT)
    time.sleep(1.2)
    notifications.stop()
    assert [p[2]["text"] for p in recorder.posts] == []


def test_only_annunciated_urgent_rule_activations_count(bundle: PlantBundle, plant: Plant) -> None:
    engine = RulesEngine.for_bundle(bundle)
    engine.catalog.anomaly("nivel_camara")

    def event(alarm_id: str, kind: EventKind, to: AlarmState) -> AlarmEvent:
        return AlarmEvent(T0, alarm_id, kind, AlarmState.NORMAL, to)

    found = activations(
        [
            event(CAVITATION, EventKind.ACTIVATED, AlarmState.UNACKNOWLEDGED),
            event(CAVITATION, EventKind.ACKNOWLEDGED, AlarmState.ACKNOWLEDGED),
            event(ESTOP, EventKind.ACTIVATED, AlarmState.SUPPRESSED),
            event("anomalia.nivel_camara", EventKind.ACTIVATED, AlarmState.UNACKNOWLEDGED),
            event(PANEL_HOT, EventKind.ACTIVATED, AlarmState.UNACKNOWLEDGED),
        ],
        engine.catalog,
        min_priority=Priority.HIGH,
    )
    assert [a.alarm_id for a in found] == [CAVITATION]
    low = activations(
        [event(PANEL_HOT, EventKind.ACTIVATED, AlarmState.UNACKNOWLEDGED)],
        engine.catalog,
        min_priority=Priority.LOW,
    )
    assert [a.priority for a in low] == [Priority.LOW]


class Collecting:
    name = "fake"

    def __init__(self) -> None:
        self.bursts: list[list[str]] = []

    def send(self, burst: Sequence[AlarmActivation]) -> None:
        self.bursts.append([a.alarm_id for a in burst])


def _activation(alarm_id: str, *, seconds: float, first: bool = False) -> AlarmActivation:
    since = T0 + timedelta(seconds=seconds)
    return AlarmActivation(alarm_id, alarm_id, Priority.HIGH, since, first, "agir")


def test_a_storm_is_rate_limited_and_coalesced() -> None:
    sender = Collecting()
    notifier = AlarmNotifier(sender, pacing=Pacing(coalesce_s=0.2, min_interval_s=1.0))
    notifier.start()
    notifier.offer([_activation("b", seconds=1), _activation("a", seconds=2, first=True)])
    time.sleep(0.5)
    for i in range(20):
        notifier.offer([_activation(f"storm{i}", seconds=3 + i), _activation("a", seconds=9)])
    time.sleep(0.4)
    assert sender.bursts == [["a", "b"]]  # first-out leads; the storm waits for the interval
    time.sleep(0.8)
    notifier.stop()
    assert len(sender.bursts) == 2 and sender.bursts[1][0] == "storm0" and len(sender.bursts[1]) == 21


def test_an_unreachable_slack_never_blocks_the_rules(
    bundle: PlantBundle, plant: Plant, recorder: Any, caplog: pytest.LogCaptureFixture
) -> None:
    written: list[AlarmEvent] = []
    writer = type("W", (), {"write": lambda self, events, alarms: written.extend(events)})()
    lock = Feed(bundle, writers=[writer])
    web = _slack_web(recorder, slack_api_url=f"http://127.0.0.1:{free_port()}/api/")
    sender = SlackAlarmSender(web)
    pacing = Pacing(coalesce_s=0.1, min_interval_s=0.1, retry_initial_s=0.1, retry_max_s=0.3)
    notifier = AlarmNotifier(sender, pacing=pacing)
    notifier.start()
    lock.runner.listeners.append(
        runner_listener(notifier.offer, lock.engine.catalog, min_priority=Priority.HIGH)
    )
    caplog.set_level(logging.INFO, logger="api.notifications.delivery")
    started = time.monotonic()
    lock.poll(falha_cavitacao_bomba=True)
    lock.poll(**{ESTOP: True})
    while len({e.alarm_id for e in written}) < 2 and time.monotonic() - started < 5:
        time.sleep(0.02)
    assert {CAVITATION, ESTOP} <= {e.alarm_id for e in written} and time.monotonic() - started < 2.0

    def failures() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "failed" in r.getMessage()]

    deadline = time.monotonic() + 10  # the first attempt's failure (late on a loaded machine)
    while not failures() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # several more failed attempts (retries every 0.1-0.3 s), still logged once
    assert len(failures()) == 1 and failures()[0].levelno == logging.WARNING
    sender.client.base_url = f"{recorder.url}/api/"  # Slack is back
    (_, _, data), *_ = _posts(recorder, "chat.postMessage", count=1)
    notifier.stop()
    lock.runner.stop()
    assert "Cavitação" in data["text"] and "Parada de emergência" in data["text"]
    assert any("delivered again" in r.getMessage() for r in caplog.records)


def test_teams_gets_an_adaptive_card_with_the_connector_token(
    bundle: PlantBundle, plant: Plant, feed: Feed, recorder: Any
) -> None:
    web = WebSettings(
        teams_app_id="lockpilot-test-app",
        teams_app_password=TEAMS_PASSWORD,
        teams_token_url=f"{recorder.url}/oauth2/token",
        teams_alarm_service_url=f"{recorder.url}/teams/",
        teams_alarm_conversation="19:alarmes@thread.tacv2",
        **FAST,
    )
    notifications = AlarmNotifications(web, bundle=bundle, runner=feed.runner)
    notifications.start()
    feed.poll(falha_cavitacao_bomba=True)
    (_, headers, activity), *_ = _posts(recorder, "/activities", count=1)
    notifications.stop()
    (_, _, token_request), *_ = _posts(recorder, "/oauth2/token", count=1)
    assert (
        token_request["grant_type"] == "client_credentials"
        and token_request["client_secret"] == TEAMS_PASSWORD
    )
    assert headers["Authorization"] == "Bearer connector-token"
    assert recorder.posts[-1][0] == "/teams/v3/conversations/19:alarmes@thread.tacv2/activities"
    card = activity["attachments"][0]
    assert card["contentType"] == ADAPTIVE and activity["type"] == "message"
    assert "Cavitação da bomba principal" in card["content"]["body"][0]["text"]
    facts = {f["title"]: f["value"] for f in card["content"]["body"][1]["facts"]}
    assert facts["Ação recomendada"].startswith("Confirmar a parada da bomba")
    assert card["content"]["actions"][0]["url"] == "http://eclusa.local:8000/chat"


def test_serve_follows_events_log_from_its_end(
    bundle: PlantBundle, plant: Plant, pg_url: str, recorder: Any
) -> None:
    from rules.store import PgAlarmWriter
    from storage.migrate import migrate

    migrate(pg_url)
    lock = Feed(bundle, writers=[PgAlarmWriter(pg_url)])
    lock.poll()
    lock.poll(falha_cavitacao_bomba=True)  # before `serve` starts: history, not news
    time.sleep(0.5)
    web = _slack_web(recorder, alarm_poll_s=0.1)
    notifications = AlarmNotifications(web, bundle=bundle, database_url=pg_url)
    notifications.start()
    lock.act("acknowledge", CAVITATION)
    lock.poll(**{ESTOP: True})
    (_, _, data), *more = _posts(recorder, "chat.postMessage", count=1)
    time.sleep(0.8)
    notifications.stop()
    lock.runner.stop()
    assert not more and len(recorder.posts) == 1
    assert (
        data["text"].startswith("🚨 Alarme de prioridade crítica: Parada de emergência")
        and "Cavitação" not in data["text"]
    )
