"""Smallint ids of tag and source names (tables tag_ids, source_ids), cached per connection."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql


class NameIds:
    """Maps names to their ids in one name table, creating the missing ones in their own transaction."""

    def __init__(self, conn: psycopg.Connection, table: str) -> None:
        self._conn = conn
        self._table = sql.Identifier(table)
        self._ids: dict[str, int] = {}

    def resolve(self, names: Iterable[str]) -> dict[str, int]:
        """The id of every name (new names get one, committed at once: ids are never rolled back)."""
        missing = sorted({n for n in names if n not in self._ids})
        if missing:
            with self._conn.transaction():
                self._conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (name) SELECT unnest(%s::text[]) ON CONFLICT (name) DO NOTHING"
                    ).format(self._table),
                    (missing,),
                )
                rows = self._conn.execute(
                    sql.SQL("SELECT name, id FROM {} WHERE name = ANY(%s)").format(self._table), (missing,)
                ).fetchall()
            self._ids.update(dict(rows))
        return self._ids
