"""Contract test of the OpenAI-compatible path (Ollama / vLLM / llama.cpp on site): LOCKPILOT_MODEL set to a
base URL, against a small OpenAI-compatible server on loopback that returns scripted tool calls."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import redis

from agent.models import ModelKind, load_model, parse_model_setting
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.agent_stack import LiveStack, start_stack
from tests.conftest import free_port

REDIS_DB = 15


def _completion(message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


SCRIPT = [
    _completion(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "read_tag", "arguments": json.dumps({"tags": ["nivel_camara"]})},
                }
            ],
        },
        "tool_calls",
    ),
    _completion(
        {"role": "assistant", "content": "O nível da câmara está no valor lido (nivel_camara)."}, "stop"
    ),
]


class ScriptedOpenAI(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions with the next scripted completion and records the requests."""

    requests: ClassVar[list[dict[str, Any]]] = []
    script: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        reply = json.dumps(type(self).script.pop(0)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), ScriptedOpenAI)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def stack(
    bundle: PlantBundle,
    pg_url: str,
    redis_base_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    server: str,
) -> Iterator[LiveStack]:
    redis_url = (
        f"{redis_base_url}/{REDIS_DB}"
        if redis_base_url.startswith("redis://")
        else f"{redis_base_url}?db={REDIS_DB}"
    )
    redis.Redis.from_url(redis_url).flushdb()
    live = start_stack(
        bundle,
        database_url=pg_url,
        redis_url=redis_url,
        data_dir=tmp_path_factory.mktemp("data"),
        cache_path=None,
        knowledge=False,
    )
    try:
        yield live
    finally:
        live.close()


def test_model_setting_parses() -> None:
    assert parse_model_setting(None).kind is ModelKind.OFFLINE
    assert parse_model_setting("anthropic:claude-x").kind is ModelKind.PROVIDER
    choice = parse_model_setting("http://127.0.0.1:11434/v1#qwen2.5:7b")
    assert (choice.kind, choice.model, choice.base_url) == (
        ModelKind.OPENAI_COMPATIBLE,
        "qwen2.5:7b",
        "http://127.0.0.1:11434/v1",
    )


def test_openai_compatible_server_drives_the_tools(stack: LiveStack, server: str) -> None:
    ScriptedOpenAI.script = list(SCRIPT)
    ScriptedOpenAI.requests = []
    copilot = stack.copilot.copilot
    copilot.model = load_model(f"{server}#scripted")
    try:
        result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="compat")
    finally:
        copilot.model = None
    assert result.tool_calls == [{"name": "read_tag", "args": {"tags": ["nivel_camara"]}}]
    assert {"kind": "tag", "id": "nivel_camara"} in result.citations
    assert result.answer.startswith("O nível da câmara")
    first, second = ScriptedOpenAI.requests
    assert first["path"] == "/v1/chat/completions" and first["body"]["model"] == "scripted"
    assert {t["function"]["name"] for t in first["body"]["tools"]} >= {"read_tag", "request_command"}
    assert first["body"]["messages"][0]["role"] == "system"
    assert first["body"]["max_completion_tokens"] == 400  # a small model never rambles for minutes
    tool_reply = second["body"]["messages"][-1]
    assert tool_reply["role"] == "tool" and tool_reply["tool_call_id"] == "call_a"
    reading = json.loads(tool_reply["content"])["readings"][0]
    assert reading["tag"] == "nivel_camara" and reading["unit"] == "m" and reading["freshness"] == "current"
