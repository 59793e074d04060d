"""The copilot's checkpointer: PostgreSQL with a deadline on every call and reconnection, or memory.

Conversations and pending approvals survive restarts in PostgreSQL; when PostgreSQL is down at start the
copilot still answers (a memory checkpointer), and when it hangs later a call fails after `timeout_s`
instead of blocking the answer (the Copilot then answers from a memory graph, see agent.service).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
import structlog
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row

from storage.pg_guard import connect, deadline

log = structlog.get_logger(__name__)
TIMEOUT_S = 1.0
REST_S = 3.0  # after a failure, fail at once for this long instead of waiting again


def _connect(database_url: str, timeout_s: float) -> psycopg.Connection[Any]:
    return connect(
        database_url,
        autocommit=True,
        prepare_threshold=0,
        row_factory=dict_row,
        connect_timeout_s=timeout_s,
        statement_timeout_s=timeout_s,
    )


class GuardedSaver(PostgresSaver):
    """PostgresSaver whose every cursor runs under a deadline, reconnecting after a broken connection."""

    def __init__(self, database_url: str, *, timeout_s: float = TIMEOUT_S) -> None:
        self.database_url, self.timeout_s = database_url, timeout_s
        self._failed_at = -1e9
        super().__init__(_connect(database_url, timeout_s))

    @contextmanager
    def _cursor(self, *, pipeline: bool = False) -> Iterator[Any]:
        if time.monotonic() - self._failed_at < REST_S:
            raise psycopg.OperationalError("the checkpointer's PostgreSQL failed a moment ago")
        try:
            conn = self.conn
            if isinstance(conn, psycopg.Connection) and (conn.closed or conn.broken):
                conn.close()
                self.conn = conn = _connect(self.database_url, self.timeout_s)
            assert isinstance(conn, psycopg.Connection)
            with deadline(conn, self.timeout_s + 0.5), super()._cursor(pipeline=pipeline) as cur:
                yield cur
        except psycopg.OperationalError:
            self._failed_at = time.monotonic()
            raise

    def close(self) -> None:
        if isinstance(self.conn, psycopg.Connection):
            self.conn.close()

    # LangGraph's async streaming (astream) asks for the async API: the same guarded calls in a thread.
    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await asyncio.to_thread(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )
        for item in found:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)


def checkpointer(database_url: str, closers: ExitStack) -> BaseCheckpointSaver:
    """The Postgres checkpointer (guarded), or a memory one when PostgreSQL does not answer now."""
    try:
        saver = GuardedSaver(database_url)
        saver.setup()
    except psycopg.Error as exc:
        log.warning("checkpointer_in_memory", reason=str(exc).strip()[:200])
        return InMemorySaver()
    closers.callback(saver.close)
    return saver
