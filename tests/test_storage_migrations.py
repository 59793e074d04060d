"""Migrations: idempotent, conditional variants, the append-only audit log, tag sync."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from lockpilot.plant import Plant
from storage.backend import HistoryBackend, detect_backend
from storage.migrate import MIGRATIONS_DIR, migrate, plan
from storage.tags_sync import sync_tags


def test_migrate_twice_applies_nothing_the_second_time(pg_url: str) -> None:
    first = migrate(pg_url)
    assert first[:2] == ["0001_core", "0002_history"]
    assert migrate(pg_url) == []
    with psycopg.connect(pg_url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
        assert names == sorted(first)
        assert detect_backend(conn) is HistoryBackend.PLAIN
        assert conn.execute("SELECT to_regclass('tag_history_default')").fetchone() != (None,)


def test_plan_picks_the_variant_for_the_extensions(tmp_path: Path) -> None:
    for name in ("0001_a.sql", "0002_b.with-timescaledb.sql", "0002_b.without-timescaledb.sql", "0003_c.sql"):
        (tmp_path / name).write_text("SELECT 1;")
    plain = plan(tmp_path, set())
    assert [(m.name, m.variant) for m in plain] == [
        ("0001_a", ""),
        ("0002_b", "without-timescaledb"),
        ("0003_c", ""),
    ]
    timescale = plan(tmp_path, {"timescaledb"})
    assert timescale[1].path.name == "0002_b.with-timescaledb.sql"
    assert plan(MIGRATIONS_DIR, {"timescaledb"})[1].variant == "with-timescaledb"


def test_plan_refuses_bad_names_and_clashes(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("")
    (tmp_path / "0001_a.without-x.sql").write_text("")
    with pytest.raises(ValueError, match="two files apply"):
        plan(tmp_path, set())
    (tmp_path / "0001_a.without-x.sql").unlink()
    (tmp_path / "1_bad.sql").write_text("")
    with pytest.raises(ValueError, match="NNNN_name"):
        plan(tmp_path, set())


def test_audit_log_refuses_update_and_delete(pg_url: str) -> None:
    migrate(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO audit_log (actor, action, target) VALUES ('op', 'write', 'x')")
        refused = ("UPDATE audit_log SET actor = 'other'", "DELETE FROM audit_log", "TRUNCATE audit_log")
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT actor FROM audit_log").fetchall() == [("op",)]


def test_sync_tags_mirrors_the_plant(pg_url: str, plant: Plant) -> None:
    migrate(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO tags (name, tag_group, data_type, device) VALUES ('gone', 'sensor', 'real', 'x')"
        )
        assert sync_tags(conn, plant) == len(plant.tags)
        assert sync_tags(conn, plant) == len(plant.tags)
        names = {r[0] for r in conn.execute("SELECT name FROM tags")}
        unit = conn.execute("SELECT unit FROM tags WHERE name = 'nivel_camara'").fetchone()
    assert names == set(plant.tags)
    assert unit == ("m",)
