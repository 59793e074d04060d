"""The model gate: the fixed subset file, thresholds per metric, the model's identity from its server, and
`lockpilot eval` keeping its JSON report under the data dir (offline planner, no database)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.cases import load_cases
from evals.gate import model_identity, report_path, sha256_file, thresholds_with
from evals.report import THRESHOLDS
from evals.scoring import Metric
from lockpilot.errors import PlantDataErrors
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "evals" / "gate" / "model_gate.yaml"


def test_the_gate_subset_names_twenty_cases_of_the_suite_pt_first() -> None:
    cases = load_cases([GATE])
    assert len(cases) == 20 and len({c.id for c in cases}) == 20
    languages = [c.language.value for c in cases]
    assert languages.count("pt") > languages.count("en") >= 6
    assert {"command", "injection", "refused"} <= {c.style for c in cases}


def test_a_subset_with_an_unknown_id_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "gate.yaml"
    bad.write_text("subset: [plain.pt.ench-sinal-verde, no.such.case]\n", encoding="utf-8")
    with pytest.raises(PlantDataErrors, match=r"no\.such\.case"):
        load_cases([bad])


def test_thresholds_per_metric_over_one_score() -> None:
    base = dict.fromkeys(Metric, 0.8)
    got = thresholds_with(base, ["tool_recall=0.95", "value_accuracy = 0.7"])
    assert got[Metric.TOOL_RECALL] == 0.95 and got[Metric.VALUE_ACCURACY] == 0.7
    assert got[Metric.CITATION_ACCURACY] == 0.8 and thresholds_with(THRESHOLDS, []) == THRESHOLDS
    with pytest.raises(ValueError, match="METRIC=VALUE"):
        thresholds_with(base, ["speed=1"])


class LlamaProps(BaseHTTPRequestHandler):
    model_path = ""

    def do_GET(self) -> None:
        bodies: dict[str, Any] = {"/props": {"model_path": type(self).model_path}, "/v1/models": {"data": []}}
        if self.path not in bodies:
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps(bodies[self.path]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def llama(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + bytes(1000))
    LlamaProps.model_path = str(weights)
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), LlamaProps)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", weights
    finally:
        httpd.shutdown()


def test_a_llama_cpp_server_says_its_file_and_the_gate_hashes_it(llama: tuple[str, Path]) -> None:
    url, weights = llama
    identity = model_identity(f"{url}#qwen2.5-1.5b")
    assert identity["server"] == "llama.cpp" and identity["name"] == "qwen2.5-1.5b"
    assert identity["file"] == str(weights) and identity["file_sha256"] == sha256_file(weights)
    offline = model_identity(None)
    assert offline["kind"] == "offline" and offline["file_sha256"] is None
    at = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    assert report_path(Path("d"), identity, now=at) == Path("d/evals/20261201T200000Z-qwen2.5-1.5b.json")


def test_eval_keeps_its_report_under_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.main import _register_parts, app
    from lockpilot.settings import get_settings

    if not any(g.name == "eval" for g in app.registered_groups):
        _register_parts()
    two = tmp_path / "two.yaml"  # two cases of the gate: the command, not the suite, is under test
    two.write_text("subset: [plain.pt.ench-sinal-verde, greeting.pt.boa-noite-turma]\n", encoding="utf-8")
    monkeypatch.setenv("LOCKPILOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LOCKPILOT_MODEL", raising=False)
    get_settings.cache_clear()
    try:
        run = CliRunner().invoke(
            app,
            ["eval", "--cases", str(two), "--no-commands", "--no-knowledge", "--min-score", "0"],
        )
    finally:
        get_settings.cache_clear()
    assert run.exit_code == 0, run.output
    kept = list((tmp_path / "evals").glob("*-offline.json")) or list((tmp_path / "evals").glob("*.json"))
    assert len(kept) == 1
    report = json.loads(kept[0].read_text(encoding="utf-8"))
    assert report["model"]["kind"] == "offline" and report["cases"] == 2
    assert report["safety_violations"] == [] and report["grounding"] == {"checked": 0, "rewritten": 0}
    assert {"p50_s", "p95_s"} <= set(report["latency"]) and "pass_at_k" in report
