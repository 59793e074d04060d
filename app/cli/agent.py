"""`lockpilot ask`, `approve`, `reject`, `chat` and `bench agent`."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from lockpilot.output import console, print_json
from lockpilot.roles import Role

UserOpt = Annotated[str, typer.Option("--user", help="Who is asking (default: the login name).")]
RoleOpt = Annotated[Role, typer.Option("--role", help="Role of the user; only operators approve commands.")]
DEFAULT_ROLE = Role(os.environ.get("LOCKPILOT_ROLE", Role.OPERATOR.value))


def _user(user: str) -> str:
    return user or getpass.getuser()


def ask_command(
    question: Annotated[str, typer.Argument(help="The question or request.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer JSON.")] = False,
    user: UserOpt = "",
    role: RoleOpt = DEFAULT_ROLE,
    thread: Annotated[str, typer.Option("--thread", help="Thread id (default cli:USER).")] = "",
) -> None:
    """Ask the copilot one question (pt or en)."""
    from app.cli.copilot import cli_copilot

    handle = cli_copilot()
    try:
        result = handle.copilot.ask(question, user=_user(user), role=role, thread_id=thread or None)
    finally:
        handle.close()
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(result.answer, markup=False)
    if result.pending_command is not None:
        console.print(
            f"\n{result.pending_command.summary}\n\nlockpilot approve {result.pending_command.command_id}",
            markup=False,
        )


def approve_command(command_id: str, user: UserOpt = "", role: RoleOpt = DEFAULT_ROLE) -> None:
    """Approve a pending command: it is re-checked, written, read back and verified."""
    from app.cli.copilot import cli_copilot

    handle = cli_copilot()
    try:
        outcome, text = handle.copilot.approve(command_id, user=_user(user), role=role)
    finally:
        handle.close()
    console.print(text, markup=False)
    if outcome.outcome.value not in ("verified",):
        raise typer.Exit(1)


def reject_command(
    command_id: str,
    user: UserOpt = "",
    role: RoleOpt = DEFAULT_ROLE,
    reason: Annotated[str, typer.Option("--reason", help="Why.")] = "",
) -> None:
    """Reject a pending command; it is never written."""
    from app.cli.copilot import cli_copilot

    handle = cli_copilot()
    try:
        outcome, text = handle.copilot.reject(command_id, user=_user(user), role=role, reason=reason)
    finally:
        handle.close()
    console.print(text, markup=False)
    if outcome.outcome.value != "rejected":
        raise typer.Exit(1)


def chat_command(
    user: UserOpt = "",
    role: RoleOpt = DEFAULT_ROLE,
    thread: Annotated[str, typer.Option("--thread", help="Thread id (default cli:USER).")] = "",
) -> None:
    """Chat with the copilot in the terminal (empty line or Ctrl-D ends)."""
    from app.cli.copilot import cli_copilot

    handle = cli_copilot()
    who = _user(user)
    try:
        while question := typer.prompt(">", default="", show_default=False).strip():
            result = handle.copilot.ask(question, user=who, role=role, thread_id=thread or None)
            console.print(result.answer, markup=False)
            pending = result.pending_command
            if pending is not None:
                console.print(pending.summary, markup=False)
                if typer.confirm("Aprovar / approve?", default=False):
                    console.print(
                        handle.copilot.approve(pending.command_id, user=who, role=role)[1], markup=False
                    )
                else:
                    console.print(
                        handle.copilot.reject(pending.command_id, user=who, role=role)[1], markup=False
                    )
    except (EOFError, typer.Abort):
        pass
    finally:
        handle.close()


def register(app: typer.Typer) -> None:
    """Add the agent's commands to the `lockpilot` CLI."""
    app.command("ask")(ask_command)
    app.command("approve")(approve_command)
    app.command("reject")(reject_command)
    app.command("chat")(chat_command)
