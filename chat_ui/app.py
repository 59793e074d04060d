"""The Chainlit app (loaded by mount_chainlit): callbacks for login, chat, alarms and commands."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import chainlit as cl
import structlog
from chainlit.oauth_providers import get_configured_oauth_providers
from chainlit.types import ThreadDict

from chat_ui import alarms, commands, training
from chat_ui.history import PgDataLayer
from chat_ui.mounted import services
from chat_ui.render import sequence_table
from chat_ui.turn import run_turn
from lockpilot.roles import Role
from tools.sequences import check_sequence_preconditions

log = structlog.get_logger(__name__)
CHANNEL = "chat"
STARTERS = (
    ("Nível da câmara", "Qual o nível da câmara?"),
    ("Alarmes ativos", "/alarmes"),
    ("Tendência", "Mostre o histórico do nível da câmara na última hora"),
    ("Pode abrir?", "Posso abrir a comporta de montante?"),
    ("Procedimento", "O que fazer em caso de cavitação da bomba?"),
)
HELP = (
    "**Comandos do chat** (digite e tecle Enter):\n"
    "- `/alarmes`: alarmes ativos, com reconhecer e arquivar\n"
    "- `/sequencia NOME`: pré-condições de uma sequência, com o valor ao vivo e o limite\n"
    "- `/treino`: treino no gêmeo (`/treino lista`, `/treino NOME` inicia, `/treino fim`)"
)


SESSION_ENDED = "Sua sessão terminou: entre novamente. / Your session ended: log in again."


def _who() -> tuple[str, Role]:
    """The session's user and their role in the directory now; SessionEnded when the session no longer stands.

    The role is never the one remembered at login: a demoted user acts with the new role at once, a
    disabled user (or one whose session epoch moved on) acts with none.
    """
    user = cl.user_session.get("user")
    if user is None:
        return "anonymous", Role.VIEWER
    found = services().users.get(user.identifier)
    epoch = (user.metadata or {}).get("epoch")
    if found is None or (epoch is not None and epoch != found.session_epoch):
        raise SessionEnded(user.identifier)
    return user.identifier, found.role


class SessionEnded(PermissionError):
    """The chat session's user was disabled, or their role or password changed since the login."""


def _guarded(handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A callback that says the session ended (and does nothing) when its user no longer stands."""

    @functools.wraps(handler)
    async def run(*args: Any, **kwargs: Any) -> None:
        try:
            await handler(*args, **kwargs)
        except SessionEnded:
            await cl.Message(content=SESSION_ENDED, author="Lockpilot").send()

    return run


def _copilot_thread() -> str:
    """One copilot thread per user and conversation."""
    return f"{CHANNEL}:{cl.context.session.thread_id}"


@cl.data_layer
def _data_layer() -> Any:
    url = services().database_url
    return PgDataLayer(url, directory=services().users) if url else None


@cl.password_auth_callback
async def _login(username: str, password: str) -> cl.User | None:
    found = await asyncio.to_thread(services().users.verify, username, password)
    if found is None:
        return None
    return cl.User(  # the session names the user and its epoch; the role is asked of the directory
        identifier=found.username,
        display_name=found.display_name or found.username,
        metadata={"provider": "password", "epoch": found.session_epoch},
    )


if get_configured_oauth_providers():

    @cl.oauth_callback
    async def _oauth(
        provider_id: str,
        token: str,
        raw_user_data: dict[str, str],
        default_user: cl.User,
        id_token: str | None = None,
    ) -> cl.User | None:
        found = services().users.get(default_user.identifier)
        if found is None:  # only users of the directory log in: their role comes from it
            return None
        return cl.User(
            identifier=default_user.identifier,
            display_name=default_user.display_name,
            metadata={"provider": provider_id, "epoch": found.session_epoch},
        )


@cl.set_starters
async def _starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    return [cl.Starter(label=label, message=message) for label, message in STARTERS]


def ends_its_task(
    callback: Callable[[cl.Action], Awaitable[None]],
) -> Callable[[cl.Action], Awaitable[None]]:
    """An action callback that always ends Chainlit's task (a prompt inside it restarts one that nothing
    else ends: the composer would stay on "stop"), and says so when it fails instead of freezing."""

    @functools.wraps(callback)
    async def run(action: cl.Action) -> None:
        try:
            await callback(action)
        except Exception as exc:
            log.exception("chat_action_failed", action=action.name)
            text = f"Atenção: a ação não pôde ser concluída ({exc}). O chat continua disponível."
            await cl.Message(content=text, author="Lockpilot").send()
        finally:
            await cl.context.emitter.task_end()

    return run


async def _start_session() -> None:
    # Slash commands are typed as text (/alarmes, /sequencia NOME, /treino): registered Chainlit commands
    # turn the first Enter into a chip and need a second one.
    svc = services()
    if svc.tools.alarms is not None:
        cl.user_session.set(
            "alarm_watch",
            asyncio.create_task(
                alarms.watch(svc, period_s=svc.web.alarm_poll_s, quiet=lambda: training.current() is not None)
            ),
        )


@cl.on_chat_start
async def _chat_start() -> None:
    await _start_session()


@cl.on_chat_resume
async def _chat_resume(thread: ThreadDict) -> None:
    await _start_session()


@cl.on_chat_end
async def _chat_end() -> None:
    task = cl.user_session.get("alarm_watch")
    if task is not None:
        task.cancel()
    training.stop()


async def _sequence(name: str) -> None:
    svc = services()
    result = await asyncio.to_thread(check_sequence_preconditions, svc.tools, name.strip())
    if result.check is None:
        await cl.Message(content=f"Atenção: {result.error}", author="Lockpilot").send()
        return
    await cl.Message(content=sequence_table(result.check), author="Lockpilot").send()


async def _ask(question: str) -> None:
    svc = services()
    user, role = _who()
    if svc.copilot is None:
        await cl.Message(content="O copiloto não está disponível neste servidor.", author="Lockpilot").send()
        return
    started = time.perf_counter()
    await run_turn(svc.copilot, question, user=user, role=role, thread_id=_copilot_thread())
    svc.telemetry.observe_agent(CHANNEL, time.perf_counter() - started)
    result = await asyncio.to_thread(svc.copilot.result, _copilot_thread())
    if result.pending_command is not None:
        await commands.show_pending(svc, result.pending_command.command_id, role=role)


def _slash(message: cl.Message) -> tuple[str, str]:
    """The slash command of a message and its argument (no command: '' and the whole text)."""
    text = message.content.strip()
    if message.command:
        return message.command, text
    if text.startswith("/"):
        head, _, arg = text[1:].partition(" ")
        return head.lower(), arg.strip()
    return "", text


@cl.on_message
@_guarded
async def _message(message: cl.Message) -> None:
    try:
        await _route(message)
    except Exception as exc:  # said in Portuguese, and the chat goes on
        log.exception("chat_message_failed")
        await cl.Message(content=f"Atenção: não consegui responder ({exc}).", author="Lockpilot").send()


async def _route(message: cl.Message) -> None:
    command, arg = _slash(message)
    if command in ("", "ajuda", "help") and message.content.strip() in ("/", "/ajuda", "/help"):
        await cl.Message(content=HELP, author="Lockpilot").send()
    elif command == "alarmes":
        await alarms.show(services(), role=_who()[1])
    elif command in ("sequencia", "sequência"):
        await _sequence(arg)
    elif command == "treino":
        user, role = _who()
        await training.command(services(), arg, user=user, role=role)
    elif await training.debrief(message.content.strip(), now_s=services().clock.now().timestamp()):
        return
    elif not await training.ask(message.content.strip(), user=_who()[0]):
        await _ask(message.content.strip())


@cl.action_callback(commands.APPROVE)
@ends_its_task
@_guarded
async def _approve(action: cl.Action) -> None:
    user, role = _who()
    await commands.approve(services(), action, user=user, role=role)


@cl.action_callback(commands.REJECT)
@ends_its_task
@_guarded
async def _reject(action: cl.Action) -> None:
    user, role = _who()
    await commands.reject(services(), action, user=user, role=role)


@cl.action_callback(alarms.ACK)
@ends_its_task
@_guarded
async def _ack(action: cl.Action) -> None:
    user, role = _who()
    await alarms.acknowledge(services(), action, user=user, role=role)


@cl.action_callback(alarms.SHELVE)
@ends_its_task
@_guarded
async def _shelve(action: cl.Action) -> None:
    user, role = _who()
    await alarms.shelve(services(), action, user=user, role=role)


@cl.action_callback(training.ACK)
@ends_its_task
@_guarded
async def _training_ack(action: cl.Action) -> None:
    await training.acknowledge(action, user=_who()[0])


@cl.action_callback(training.APPROVE)
@ends_its_task
@_guarded
async def _training_approve(action: cl.Action) -> None:
    await training.approve(action, user=_who()[0])


@cl.action_callback(training.REJECT)
@ends_its_task
@_guarded
async def _training_reject(action: cl.Action) -> None:
    await training.reject(action, user=_who()[0])
