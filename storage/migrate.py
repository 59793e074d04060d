"""Apply the ordered SQL files of storage/migrations once each, recording their names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
import structlog

from storage.extension_probe import vector_runs

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_KEY = 0x10C4_0001  # one lock for every process migrating this database
_FILE = re.compile(r"^(?P<name>\d{4}_[a-z0-9_]+)(?:\.(?P<cond>with|without)-(?P<ext>[a-z0-9_]+))?\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name       text PRIMARY KEY,
    variant    text NOT NULL DEFAULT '',
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One file to run: its recorded name, the variant chosen ('' or e.g. 'without-timescaledb')."""

    name: str
    variant: str
    path: Path


def _parse(path: Path) -> tuple[str, str, str] | None:
    match = _FILE.match(path.name)
    if match is None:
        return None
    return match["name"], match["cond"] or "", match["ext"] or ""


def plan(directory: Path, available_extensions: set[str]) -> list[Migration]:
    """Pick, for each migration name in order, the file that fits the extensions available."""
    chosen: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        parsed = _parse(path)
        if parsed is None:
            raise ValueError(f"{path.name}: migration files are NNNN_name[.with-EXT|.without-EXT].sql")
        name, cond, ext = parsed
        if cond and (cond == "with") != (ext in available_extensions):
            continue
        if name in chosen:
            raise ValueError(f"{path.name}: two files apply for migration {name}")
        chosen[name] = Migration(name, f"{cond}-{ext}" if cond else "", path)
    return [chosen[name] for name in sorted(chosen)]


def available_extensions(conn: psycopg.Connection) -> set[str]:
    """Names of the extensions this server could create."""
    return {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}


def applied(conn: psycopg.Connection) -> dict[str, str]:
    """Migrations already applied: name -> variant."""
    if conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,):
        return {}
    return dict(conn.execute("SELECT name, variant FROM schema_migrations").fetchall())


def usable_extensions(database_url: str, directory: Path = MIGRATIONS_DIR) -> set[str]:
    """The extensions the pending migrations may use: offered by the server and, for pgvector about to be
    chosen, seen to run on this CPU (storage.extension_probe)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        offered = available_extensions(conn)
        already = applied(conn)
    vector_pending = "vector" in offered and any(
        m.variant == "with-vector" and m.name not in already for m in plan(directory, offered)
    )
    if vector_pending and not vector_runs(database_url):
        offered.discard("vector")
    return offered


def migrate(database_url: str, *, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations, each in its own transaction, under an advisory lock; return their names."""
    done: list[str] = []
    extensions = usable_extensions(database_url, directory)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        try:
            conn.execute(_CREATE_TABLE)
            already = applied(conn)
            for migration in plan(directory, extensions):
                if migration.name in already:
                    continue
                with conn.transaction():
                    conn.execute(migration.path.read_text(encoding="utf-8"))
                    conn.execute(
                        "INSERT INTO schema_migrations (name, variant) VALUES (%s, %s)",
                        (migration.name, migration.variant),
                    )
                log.info("migration_applied", name=migration.name, variant=migration.variant)
                done.append(migration.name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    return done
