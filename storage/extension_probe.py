"""Whether an extension the server offers also runs on this machine's CPU (pgvector builds may not).

The embedded server's pgvector is built with vector instructions that some CPUs lack: the first distance
between two 384-dimension vectors (the knowledge embeddings) then kills the backend with SIGILL and the
whole server restarts. The probe runs that distance once, in a transaction rolled back, before the
knowledge migration chooses between a `vector(384)` column and `real[]`; a crash means `real[]`.
"""

from __future__ import annotations

import time

import psycopg
import structlog

log = structlog.get_logger(__name__)

PROBE_DIMENSIONS = 384  # the knowledge embeddings' size: short vectors take another code path
_SIDE = "('[' || array_to_string(array_fill({x}::float8, array[{n}]), ',') || ']')::vector({n})"
VECTOR_PROBE = (
    f"SELECT {_SIDE.format(x=0.5, n=PROBE_DIMENSIONS)} <=> {_SIDE.format(x=0.25, n=PROBE_DIMENSIONS)}"
)


def vector_runs(database_url: str, *, recovery_timeout_s: float = 60.0) -> bool:
    """True when pgvector computes a 384-dimension distance here; after a crash, wait for the server."""
    try:
        with psycopg.connect(database_url) as conn:  # one transaction, rolled back: nothing stays
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            conn.execute(VECTOR_PROBE).fetchone()
            conn.rollback()
        return True
    except psycopg.OperationalError as exc:
        log.warning(
            "pgvector_unusable",
            reason="the server's pgvector died on a 384-dimension distance (CPU instructions this machine "
            "lacks); knowledge vectors are kept as real[] and compared in Python",
            error=str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
        )
        _wait_until_up(database_url, timeout_s=recovery_timeout_s)
        return False
    except psycopg.Error as exc:  # not allowed to create it, or another refusal: the plain variant
        log.info("pgvector_not_created", error=str(exc).strip().splitlines()[0])
        return False


def _wait_until_up(database_url: str, *, timeout_s: float) -> None:
    """The server restarts after a backend crash: wait until it takes connections again."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with psycopg.connect(database_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
