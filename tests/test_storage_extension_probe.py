"""The knowledge migration uses pgvector only where it runs: the embedded server's build dies (SIGILL) on
CPUs without the vector instructions it was compiled for, and then every connection of the server dies."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import psycopg
import pytest

from knowledge import store
from storage.extension_probe import vector_runs
from storage.migrate import migrate


@pytest.fixture(scope="module")
def embedded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("probe"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def test_knowledge_vectors_go_where_the_server_can_compare_them(embedded_url: str) -> None:
    runs = vector_runs(embedded_url)
    migrate(embedded_url)
    with psycopg.connect(embedded_url) as conn:
        backend = store.vector_backend(conn)
        assert (backend is store.VectorBackend.PGVECTOR) == runs
        cast = "vector" if backend is store.VectorBackend.PGVECTOR else "real[]"
        a, b = np.full(384, 0.5, dtype=np.float32), np.full(384, 0.25, dtype=np.float32)
        value = store.vector_literal(a) if runs else a.tolist()
        other = store.vector_literal(b) if runs else b.tolist()
        if runs:  # the comparison the search makes, on the server
            distance = conn.execute(f"SELECT %s::{cast} <=> %s::{cast}", (value, other)).fetchone()
            assert distance is not None and abs(distance[0]) < 1e-6  # parallel vectors
        else:  # kept as real[] and read back whole (compared in Python)
            back = conn.execute(f"SELECT %s::{cast}", (value,)).fetchone()
            assert back is not None and len(back[0]) == 384
    with psycopg.connect(embedded_url) as conn:  # and the server is up (a crash would have reset it)
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_server_without_the_extension_gets_the_plain_variant(pg_admin_url: str) -> None:
    """The machine's PostgreSQL 15 offers no pgvector: the probe says no without touching anything."""
    with psycopg.connect(pg_admin_url) as conn:
        offered = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
    if "vector" in offered:
        pytest.skip("this PostgreSQL offers pgvector")
    assert vector_runs(pg_admin_url) is False
