"""0004_history_compact: history in the text layout of 0002 reads back the same from the compact rows."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from storage.migrate import MIGRATIONS_DIR, migrate

T0 = datetime(2026, 3, 1, 23, 59, 30, tzinfo=UTC)


@pytest.fixture
def url(pg_admin_url: str) -> Iterator[str]:
    """A database of its own: the migrations run in two steps on it."""
    name = f"lockpilot_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(pg_admin_url)
    params["dbname"] = name
    yield make_conninfo(**params)
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_old_rows_move_to_the_compact_layout_and_read_back_the_same(url: str, tmp_path: Path) -> None:
    early = tmp_path / "early"
    early.mkdir()
    for path in MIGRATIONS_DIR.glob("000[1-3]_*.sql"):
        shutil.copy(path, early / path.name)
    migrate(url, directory=early)
    rows = [
        (T0 + timedelta(seconds=10 * i), f"tag{i % 3}", float(i), i % 2, f"src{i % 2}") for i in range(12)
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE tag_history_p20260301 PARTITION OF tag_history FOR VALUES FROM "
            "('2026-03-01+00') TO ('2026-03-02+00')"
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO tag_history VALUES (%s, %s, %s, %s, %s)", rows
            )  # one day, one default
            cur.execute(
                "INSERT INTO tag_history_1m (tag, bucket, n_samples, n_values, good_count) "
                "VALUES ('tag0', %s, 3, 3, 3)",
                (T0,),
            )
    assert "0004_history_compact" in migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        back = conn.execute(
            "SELECT time, tag, value, quality, source FROM tag_history ORDER BY time"
        ).fetchall()
        assert back == rows
        assert conn.execute("SELECT count(*) FROM tag_history_p20260301").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM tag_history_default").fetchone() == (9,)
        types = dict(
            conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'tag_history_rows'::regclass AND attnum > 0"
            ).fetchall()
        )
        assert types["tag_id"] == types["source_id"] == "smallint"
        methods = {
            r[0]
            for r in conn.execute(
                "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = 'tag_history_rows'::regclass"
            )
        }
        assert methods == {"brin"}
        assert conn.execute("SELECT tag, n_samples FROM tag_history_1m").fetchall() == [("tag0", 3)]
