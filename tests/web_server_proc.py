"""A live lock served from its own process, for the restart test (Chainlit's app is one per process).

`python -m tests.web_server_proc PG_URL REDIS_URL DATA_DIR --seed USER` starts the stack, adds the test
users, writes a conversation of USER through the chat's data layer, prints its thread id and exits;
without --seed it prints the base URL and serves until its stdin is closed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lockpilot.roles import Role
from tests.web_stack import add_users, start_stack

QUESTION, ANSWER = "qual o nível da câmara?", "Nível da câmara: 5,42 m."


def _step(thread_id: str, kind: str, text: str, *, at: datetime, name: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "threadId": thread_id,
        "type": kind,
        "name": name,
        "output": text,
        "createdAt": at.isoformat(),
    }


async def converse(username: str) -> str:
    """A thread of one question and its answer, written through the mounted chat's data layer."""
    import chainlit as cl
    from chainlit.data import get_data_layer

    layer = get_data_layer()
    assert layer is not None, "the chat has no data layer"
    user = await layer.create_user(cl.User(identifier=username, metadata={"role": Role.OPERATOR.value}))
    assert user is not None
    thread_id, now = str(uuid.uuid4()), datetime.now(UTC)
    await layer.update_thread(thread_id, name=QUESTION, user_id=user.id)
    await layer.create_step(_step(thread_id, "user_message", QUESTION, at=now, name=username))
    later = now + timedelta(seconds=1)
    await layer.create_step(_step(thread_id, "assistant_message", ANSWER, at=later, name="Lockpilot"))
    return thread_id


def main() -> None:
    """Serve, or seed a conversation and exit."""
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("redis_url")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", metavar="USER")
    args = parser.parse_args()
    stack = start_stack(database_url=args.database_url, redis_url=args.redis_url, data_dir=args.data_dir)
    try:
        if args.seed:
            add_users(stack)
            sys.stdout.write(json.dumps({"thread_id": asyncio.run(converse(args.seed))}) + "\n")
        else:
            sys.stdout.write(json.dumps({"url": stack.url}) + "\n")
            sys.stdout.flush()
            sys.stdin.read()
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
