"""Chainlit's data layer over PostgreSQL (psycopg, tables of migration 0501): history survives restarts."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from chainlit.data.base import BaseDataLayer
from chainlit.types import Feedback, PageInfo, PaginatedResponse, Pagination, ThreadDict, ThreadFilter
from chainlit.user import PersistedUser, User
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

MAX_THREADS_PAGE = 50


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class PgDataLayer(BaseDataLayer):
    """Users, threads, steps and elements as rows; each call opens a short connection (few, rare calls)."""

    def __init__(self, database_url: str, *, directory: Any = None) -> None:
        self.url = database_url
        self.directory = directory  # api.users.UserDirectory: the user's role now, not the login's

    async def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        async with await AsyncConnection.connect(self.url, autocommit=True, row_factory=dict_row) as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchall() if cur.description else []

    async def get_user(self, identifier: str) -> PersistedUser | None:
        rows = await self._rows("SELECT * FROM chat_users WHERE identifier = %s", (identifier,))
        if not rows:
            return None
        r = rows[0]
        metadata = {k: v for k, v in r["metadata"].items() if k != "role"}
        if self.directory is not None:
            found = await asyncio.to_thread(self.directory.get, identifier)
            metadata["role"] = found.role.value if found is not None else None
            metadata["disabled"] = found is None
        return PersistedUser(
            id=r["id"],
            identifier=r["identifier"],
            metadata=metadata,
            createdAt=_iso(r["created_at"]),
            display_name=r["metadata"].get("display_name"),
        )

    async def create_user(self, user: User) -> PersistedUser | None:
        meta = {**{k: v for k, v in user.metadata.items() if k != "role"}, "display_name": user.display_name}
        await self._rows(
            "INSERT INTO chat_users (id, identifier, metadata) VALUES (%s, %s, %s) ON CONFLICT "
            "(identifier) DO UPDATE SET metadata = EXCLUDED.metadata",
            (str(uuid.uuid4()), user.identifier, Jsonb(meta)),
        )
        return await self.get_user(user.identifier)

    async def delete_feedback(self, feedback_id: str) -> bool:
        await self._rows("DELETE FROM chat_feedback WHERE id = %s", (feedback_id,))
        return True

    async def upsert_feedback(self, feedback: Feedback) -> str:
        fid = feedback.id or str(uuid.uuid4())
        await self._rows(
            "INSERT INTO chat_feedback (id, for_id, thread_id, value, comment) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, comment = EXCLUDED.comment",
            (fid, feedback.forId, feedback.threadId, feedback.value, feedback.comment),
        )
        return fid

    async def _ensure_thread(self, thread_id: str) -> None:
        await self._rows("INSERT INTO chat_threads (id) VALUES (%s) ON CONFLICT DO NOTHING", (thread_id,))

    async def create_element(self, element: Any) -> None:
        if element.thread_id:
            await self._ensure_thread(element.thread_id)
        content = element.content if isinstance(element.content, str) else None
        await self._rows(
            "INSERT INTO chat_elements (id, thread_id, for_id, data, content) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, content = EXCLUDED.content",
            (element.id, element.thread_id, element.for_id, Jsonb(element.to_dict()), content),
        )

    async def get_element(self, thread_id: str, element_id: str) -> Any:
        rows = await self._rows(
            "SELECT data, content FROM chat_elements WHERE id = %s AND thread_id = %s",
            (element_id, thread_id),
        )
        return _element(rows[0]) if rows else None

    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        await self._rows("DELETE FROM chat_elements WHERE id = %s", (element_id,))

    async def create_step(self, step_dict: Any) -> None:
        await self._ensure_thread(step_dict["threadId"])
        await self._rows(
            "INSERT INTO chat_steps (id, thread_id, parent_id, data) VALUES (%s,%s,%s,%s) "
            "ON CONFLICT (id) DO UPDATE SET data = chat_steps.data || EXCLUDED.data",
            (
                step_dict["id"],
                step_dict["threadId"],
                step_dict.get("parentId"),
                Jsonb({k: v for k, v in step_dict.items() if v is not None}),
            ),
        )
        await self._rows("UPDATE chat_threads SET updated_at = now() WHERE id = %s", (step_dict["threadId"],))

    async def update_step(self, step_dict: Any) -> None:
        await self.create_step(step_dict)

    async def delete_step(self, step_id: str) -> None:
        await self._rows("DELETE FROM chat_steps WHERE id = %s", (step_id,))

    async def get_thread_author(self, thread_id: str) -> str:
        rows = await self._rows(
            "SELECT u.identifier FROM chat_threads t JOIN chat_users u ON u.id = t.user_id WHERE t.id = %s",
            (thread_id,),
        )
        return str(rows[0]["identifier"]) if rows else ""

    async def delete_thread(self, thread_id: str) -> None:
        await self._rows("DELETE FROM chat_threads WHERE id = %s", (thread_id,))

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse[ThreadDict]:
        sql = (
            "SELECT t.*, u.identifier FROM chat_threads t LEFT JOIN chat_users u ON u.id = t.user_id "
            "WHERE t.user_id = %s AND (%s::text IS NULL OR t.name ILIKE '%%' || %s || '%%') "
        )
        params: list[Any] = [filters.userId, filters.search, filters.search]
        if pagination.cursor:
            sql += "AND t.updated_at < (SELECT updated_at FROM chat_threads WHERE id = %s) "
            params.append(pagination.cursor)
        limit = min(pagination.first, MAX_THREADS_PAGE)
        rows = await self._rows(sql + "ORDER BY t.updated_at DESC LIMIT %s", (*params, limit + 1))
        page = [_thread(r, [], []) for r in rows[:limit]]
        return PaginatedResponse(
            pageInfo=PageInfo(
                hasNextPage=len(rows) > limit,
                startCursor=page[0]["id"] if page else None,
                endCursor=page[-1]["id"] if page else None,
            ),
            data=page,
        )

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        rows = await self._rows(
            "SELECT t.*, u.identifier FROM chat_threads t LEFT JOIN chat_users u "
            "ON u.id = t.user_id WHERE t.id = %s",
            (thread_id,),
        )
        if not rows:
            return None
        steps = await self._rows(
            "SELECT data FROM chat_steps WHERE thread_id = %s ORDER BY created_at, data->>'createdAt'",
            (thread_id,),
        )
        elements = await self._rows(
            "SELECT data, content FROM chat_elements WHERE thread_id = %s", (thread_id,)
        )
        return _thread(rows[0], [s["data"] for s in steps], [_element(e) for e in elements])

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        await self._ensure_thread(thread_id)
        await self._rows(
            "UPDATE chat_threads SET name = COALESCE(%s, name), user_id = COALESCE(%s, user_id), "
            "metadata = metadata || %s, tags = COALESCE(%s, tags), updated_at = now() WHERE id = %s",
            (name, user_id, Jsonb(metadata or {}), tags, thread_id),
        )

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        return None

    async def get_favorite_steps(self, user_id: str) -> list[Any]:
        return []


def _element(row: dict[str, Any]) -> dict[str, Any]:
    """An element as the UI loads it; inline content becomes a data: URL (no file store needed)."""
    data = dict(row["data"])
    if row.get("content") is not None and not data.get("url"):
        encoded = base64.b64encode(row["content"].encode()).decode()
        data["url"] = f"data:{data.get('mime') or 'text/plain'};base64,{encoded}"
        data["chainlitKey"] = None
    return data


def _thread(row: dict[str, Any], steps: list[Any], elements: list[Any]) -> ThreadDict:
    return ThreadDict(
        id=row["id"],
        createdAt=_iso(row["created_at"]),
        name=row["name"],
        userId=row["user_id"],
        userIdentifier=row.get("identifier"),
        tags=row["tags"],
        metadata=row["metadata"],
        steps=steps,
        elements=elements,
    )
