"""A private Mosquitto for tests that stop and restart a broker (loopback, anonymous, no persistence)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lockpilot.net import free_port, wait_for_port


class PrivateBroker:
    """`mosquitto -c` on a free loopback port; `stop()` and `start()` again keep the same port."""

    def __init__(self, directory: Path, *, listener_conf: str = "allow_anonymous true\n") -> None:
        self.port = free_port()
        self.config = directory / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} 127.0.0.1\npersistence false\n{listener_conf}")
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("mosquitto") is not None or Path("/usr/sbin/mosquitto").exists()

    def start(self) -> PrivateBroker:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self._proc = subprocess.Popen(
            [binary, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port("127.0.0.1", self.port, timeout_s=10)
        return self

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)
            self._proc = None
