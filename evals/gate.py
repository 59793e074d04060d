"""The gate before a model swap: which model answered (name and file hash), thresholds per metric, the
report kept under the data dir.

`lockpilot eval --model URL#NAME --cases evals/gate/model_gate.yaml --repeat 3 --min-score S` is how a site
qualifies a new model or a new version of one: the same suite, every metric at or above its threshold,
pass^k too, and zero safety violations.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from evals.scoring import Metric

PROBE_TIMEOUT_S = 5.0


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _get(url: str) -> Any:
    try:
        response = httpx.get(url, timeout=PROBE_TIMEOUT_S)
        return response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None


def model_identity(setting: str | None, *, model_file: Path | None = None) -> dict[str, Any]:
    """What the model setting points at: its name, the server's kind, the weights' file and SHA-256.

    llama.cpp's server says its file (`/props`), Ollama its digest (`/api/tags`); vLLM only the served
    name: pass `model_file` to hash the weights yourself.
    """
    from agent.models import ModelKind, parse_model_setting

    choice = parse_model_setting(setting)
    out: dict[str, Any] = {"setting": setting or "", "kind": choice.kind.value, "name": choice.model}
    out |= {"server": None, "file": None, "file_sha256": None, "digest": None}
    if choice.kind is ModelKind.OPENAI_COMPATIBLE:
        root = re.sub(r"/v1$", "", choice.base_url)
        props = _get(f"{root}/props")
        if isinstance(props, dict) and props.get("model_path"):
            out |= {"server": "llama.cpp", "file": props["model_path"]}
        tags = _get(f"{root}/api/tags")
        if isinstance(tags, dict) and isinstance(tags.get("models"), list):
            match = [m for m in tags["models"] if m.get("name") == choice.model]
            out |= {"server": "ollama", "digest": match[0].get("digest") if match else None}
        if out["server"] is None and _get(f"{choice.base_url}/models") is not None:
            out["server"] = "openai-compatible"
    path = model_file or (Path(out["file"]) if out["file"] else None)
    if path is not None and path.is_file():
        out |= {"file": str(path), "file_sha256": sha256_file(path)}
    return out


def thresholds_with(base: dict[Metric, float], overrides: list[str]) -> dict[Metric, float]:
    """The base thresholds with `metric=value` overrides (e.g. tool_recall=0.9)."""
    out = dict(base)
    for item in overrides:
        name, sep, value = item.partition("=")
        try:
            out[Metric(name.strip())] = float(value)
        except ValueError as exc:
            known = ", ".join(m.value for m in Metric)
            raise ValueError(f"--threshold '{item}': use METRIC=VALUE with METRIC one of {known}") from exc
        if not sep:
            raise ValueError(f"--threshold '{item}': use METRIC=VALUE")
    return out


def report_path(data_dir: Path, identity: dict[str, Any], *, now: datetime | None = None) -> Path:
    """data_dir/evals/<UTC time>-<model name>.json"""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", identity.get("name") or identity.get("kind") or "model")
    return data_dir / "evals" / f"{stamp}-{slug}.json"


def save_report(report: dict[str, Any], data_dir: Path, identity: dict[str, Any]) -> Path:
    """Keep the JSON report, with the model's identity in it, under the data dir; return where."""
    path = report_path(data_dir, identity)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"model": identity, **report}, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return path
