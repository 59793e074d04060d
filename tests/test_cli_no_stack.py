"""A command that needs a running stack, run without one: one clear line and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_agent_without_a_stack_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["LOCKPILOT_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lockpilot")), "bench", "agent"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "Traceback" not in said and "──" not in said, said
    assert "lockpilot up" in said, said
