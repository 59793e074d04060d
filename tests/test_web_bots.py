"""Slack and Teams bots on a live lock: signatures and tokens checked, copilot answers, role checks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from slack_sdk.signature import SignatureVerifier

from api.web_settings import WebSettings
from app.dataplane import DataPlane
from tests.web_stack import add_users, redis_db, start_stack

pytestmark = pytest.mark.timeout(120)
SECRET, APP_ID, ISSUER = (
    "slack-signing-secret-for-tests-only-0123456789",
    "lockpilot-test-app",
    "https://api.botframework.com",
)


class Captured(BaseHTTPRequestHandler):
    """A stand-in for the Slack Web API and response URLs: records every POST and answers ok."""

    posts: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    jwks = b"{}"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(Captured.jwks)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        data = json.loads(body) if body.startswith("{") else {k: v[0] for k, v in parse_qs(body).items()}
        Captured.posts.append((self.path, data))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true, "ts": "1.0"}')

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def keys() -> Any:
    """The test's signing key; its public half is served as the JWKS the bot trusts."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    Captured.jwks = json.dumps({"keys": [{**jwk, "kid": "test-key", "use": "sig", "alg": "RS256"}]}).encode()
    return key


@pytest.fixture(scope="module")
def live(
    pg_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory, keys: Any
) -> Iterator[DataPlane]:
    capture = ThreadingHTTPServer(("127.0.0.1", 0), Captured)
    threading.Thread(target=capture.serve_forever, daemon=True).start()
    web = WebSettings(
        slack_bot_token="xoxb-test-0123456789-abcdefghijklmnopqrstuv",
        slack_signing_secret=SECRET,
        slack_api_url=f"http://127.0.0.1:{capture.server_port}/api/",
        teams_app_id=APP_ID,
        teams_jwks_url=f"http://127.0.0.1:{capture.server_port}/jwks",
        teams_issuer=ISSUER,
    )
    stack = start_stack(
        database_url=pg_url,
        redis_url=redis_db(redis_base_url, 5),
        data_dir=tmp_path_factory.mktemp("web-bots"),
        web=web,
    )
    stack.capture_url = f"http://127.0.0.1:{capture.server_port}"  # type: ignore[attr-defined]
    add_users(stack)
    yield stack
    stack.stop()
    capture.shutdown()


def _slack(stack: DataPlane, body: str, *, secret: str = SECRET, form: bool = False) -> httpx.Response:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    return httpx.post(
        f"{stack.url}/bots/slack/events",
        content=body,
        timeout=30.0,
        headers={
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or "",
            "Content-Type": kind,
        },
    )


def _wait_post(path_part: str, *, timeout_s: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path, data in Captured.posts:
            if path_part in path:
                Captured.posts.remove((path, data))
                return data
        time.sleep(0.05)
    raise AssertionError(f"nothing posted to {path_part}: {Captured.posts}")


def test_slack_refuses_a_bad_signature(live: DataPlane) -> None:
    event = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "text": "nível?"}})
    assert _slack(live, event, secret="not-the-secret").status_code == 401


def test_slack_mention_reaches_the_agent(live: DataPlane) -> None:
    event = {
        "type": "app_mention",
        "user": "UOPERATOR",
        "channel": "C1",
        "ts": "100.1",
        "text": "<@UBOT> qual o nível da câmara?",
    }
    body = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event})
    assert _slack(live, body).status_code == 200
    posted = _wait_post("chat.postMessage")
    assert "nivel_camara" in posted["text"] and posted["thread_ts"] == "100.1"


def test_slack_slash_command_and_button_roles(live: DataPlane) -> None:
    respond = f"{live.capture_url}/respond"  # type: ignore[attr-defined]
    form = (
        f"command=%2Flockpilot&text=ligue+a+bomba+principal&user_id=UOPERATOR&channel_id=C1"
        f"&response_url={respond}&team_id=T1"
    )
    assert _slack(live, form, form=True).status_code == 200
    reply = _wait_post("/respond")
    button = next(b for b in reply["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["action_id"] == "approve_command"

    def click(user: str) -> dict[str, Any]:
        payload = {
            "type": "block_actions",
            "user": {"id": user},
            "channel": {"id": "C1"},
            "team": {"id": "T1"},
            "response_url": respond,
            "actions": [button],
            "state": {"values": {}},
        }
        assert _slack(live, "payload=" + httpx.QueryParams({"p": json.dumps(payload)})["p"], form=True)
        return _wait_post("/respond")

    assert "operador" in click("UVIEWER")["text"]
    assert "executado e verificado" in click("UOPERATOR")["text"]


def _activity(
    text: str, *, user: str = "aad-operator", value: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": "message",
        "id": "a1",
        "text": text,
        "serviceUrl": "http://127.0.0.1:9/teams",
        "deliveryMode": "expectReplies",
        "from": {"id": "29:x", "aadObjectId": user},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": "conv-1"},
        **({"value": value} if value else {}),
    }


def _token(key: Any, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": APP_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "serviceUrl": "http://127.0.0.1:9/teams",
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "test-key"})


def _teams(stack: DataPlane, activity: dict[str, Any], token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{stack.url}/bots/teams/messages", json=activity, headers=headers, timeout=30.0)


def test_teams_refuses_missing_or_foreign_tokens(live: DataPlane, keys: Any) -> None:
    assert _teams(live, _activity("qual o nível da câmara?"), None).status_code == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _teams(live, _activity("qual o nível da câmara?"), _token(other)).status_code == 401
    assert (
        _teams(live, _activity("qual o nível da câmara?"), _token(keys, aud="someone-else")).status_code
        == 401
    )


def test_teams_answers_and_confirms_with_a_card(live: DataPlane, keys: Any) -> None:
    first = _teams(live, _activity("qual o nível da câmara?"), _token(keys))
    assert first.status_code == 200, first.text
    answer = first.json()["activities"][0]
    assert "nivel_camara" in answer["text"]
    asked = _teams(live, _activity("ligue a bomba principal"), _token(keys)).json()["activities"][0]
    card = asked["attachments"][0]["content"]
    submit = card["actions"][0]["data"]
    assert submit["action"] == "approve_command"
    refused = _teams(live, _activity("", user="aad-viewer", value=submit), _token(keys)).json()
    assert "operador" in refused["activities"][0]["text"]
    done = _teams(live, _activity("", value=submit), _token(keys)).json()
    assert "executado e verificado" in done["activities"][0]["text"]
