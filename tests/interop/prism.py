"""Prism (npm @stoplight/prism-cli) as a validating proxy in front of the API: every response is checked
against the OpenAPI document; with --errors a violating response reaches the client as an error."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lockpilot.net import free_port
from tests.interop.tools import NODE_DIR


def prism_binary() -> Path | None:
    """The Prism CLI that `make interop-deps` installs, or None."""
    path = NODE_DIR / "node_modules" / ".bin" / "prism"
    return path if path.exists() else None


@dataclass
class PrismProxy:
    url: str
    log: Path

    def forwarded(self) -> int:
        """How many requests Prism passed on to the API."""
        return self.log.read_text(encoding="utf-8", errors="replace").count("Forwarding")

    def violations(self) -> list[str]:
        """Prism's log lines that report a request or response off the spec."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if "violation" in line.lower()]


@contextlib.contextmanager
def prism_proxy(prism: Path, spec: Path, upstream: str, workdir: Path) -> Iterator[PrismProxy]:
    """`prism proxy SPEC UPSTREAM --errors` on a free loopback port, until the block ends."""
    port = free_port()
    log = workdir / "prism.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [str(prism), "proxy", str(spec), upstream, "--errors", "-h", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=NODE_DIR,
        )
        try:
            deadline = time.monotonic() + 60.0
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1.0):
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"prism did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
            yield PrismProxy(f"http://127.0.0.1:{port}", log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
