"""Third-party peers of the interop tier: where `make interop-deps` put them, and how to run them.

A peer that is missing makes its test skip with the reason (never fail): the tier checks other
implementations when they can be installed, it does not depend on them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
INSTALL_HINT = "run `make interop-deps` (npm packages in tests/interop/node, Debian tshark/mbpoll/socat)"


def debian_tool(name: str) -> str:
    """The path of a Debian tool, or skip the test."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed: {INSTALL_HINT}")
    return path


def node_package(name: str, *, built: str | None = None) -> Path:
    """The folder of an npm package installed for the tier (and its built addon), or skip the test."""
    if shutil.which("node") is None:
        pytest.skip(f"node is not installed: {INSTALL_HINT}")
    folder = NODE_DIR / "node_modules" / name
    if not (folder / "package.json").is_file():
        pytest.skip(f"npm package {name} is not installed: {INSTALL_HINT}")
    if built is not None and not (folder / built).is_file():
        pytest.skip(f"npm package {name} has no {built} (its node-gyp build failed): {INSTALL_HINT}")
    return folder


def run_node(script: str, request: dict[str, Any], *, timeout_s: float = 30.0) -> dict[str, Any]:
    """Run one of the tier's node scripts with a JSON request; its last stdout line is the JSON answer."""
    done = subprocess.run(
        ["node", str(NODE_DIR / script), json.dumps(request)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        cwd=NODE_DIR,
    )
    assert done.returncode == 0, f"{script} failed ({done.returncode}): {done.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer
