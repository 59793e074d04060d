"""`lockpilot ask`, `approve`, `reject`, `chat`: the copilot for a proven user (app.cli.identity)."""

from __future__ import annotations

from typing import Annotated

import typer

from lockpilot.output import console, print_json

UserOpt = Annotated[
    str,
    typer.Option(
        "--user", help="Who you are in the user directory (default: the login name; LOCKPILOT_TOKEN wins)."
    ),
]
PasswordStdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
]


def ask_command(
    question: Annotated[str, typer.Argument(help="The question or request.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer JSON.")] = False,
    user: UserOpt = "",
    thread: Annotated[str, typer.Option("--thread", help="Thread id (default cli:USER).")] = "",
) -> None:
    """Ask the copilot one question (pt or en); as a viewer unless LOCKPILOT_TOKEN proves a user."""
    from app.cli.copilot import cli_copilot
    from app.cli.identity import resolve_identity

    handle = cli_copilot()
    try:
        who = resolve_identity(handle.database_url, user=user, require_proof=False)
        result = handle.copilot.ask(question, user=who.user, role=who.role, thread_id=thread or None)
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


def approve_command(command_id: str, user: UserOpt = "", password_stdin: PasswordStdinOpt = False) -> None:
    """Approve a pending command (an operator, proven by LOCKPILOT_TOKEN or password): re-checked, written,
    read back and verified."""
    from app.cli.copilot import cli_copilot
    from app.cli.identity import resolve_identity

    handle = cli_copilot()
    try:
        who = resolve_identity(
            handle.database_url, user=user, require_proof=True, password_stdin=password_stdin
        )
        outcome, text = handle.copilot.approve(command_id, user=who.user)
    finally:
        handle.close()
    console.print(text, markup=False)
    if outcome.outcome.value not in ("verified",):
        raise typer.Exit(1)


def reject_command(
    command_id: str,
    user: UserOpt = "",
    password_stdin: PasswordStdinOpt = False,
    reason: Annotated[str, typer.Option("--reason", help="Why.")] = "",
) -> None:
    """Reject a pending command (an operator or its requester, proven); it is never written."""
    from app.cli.copilot import cli_copilot
    from app.cli.identity import resolve_identity

    handle = cli_copilot()
    try:
        who = resolve_identity(
            handle.database_url, user=user, require_proof=True, password_stdin=password_stdin
        )
        outcome, text = handle.copilot.reject(command_id, user=who.user, reason=reason)
    finally:
        handle.close()
    console.print(text, markup=False)
    if outcome.outcome.value != "rejected":
        raise typer.Exit(1)


def chat_command(
    user: UserOpt = "",
    thread: Annotated[str, typer.Option("--thread", help="Thread id (default cli:USER).")] = "",
) -> None:
    """Chat with the copilot in the terminal (empty line or Ctrl-D ends); approving asks for proof."""
    from app.cli.copilot import cli_copilot
    from app.cli.identity import resolve_identity

    handle = cli_copilot()
    try:
        who = resolve_identity(handle.database_url, user=user, require_proof=False)
        while question := typer.prompt(">", default="", show_default=False).strip():
            result = handle.copilot.ask(question, user=who.user, role=who.role, thread_id=thread or None)
            console.print(result.answer, markup=False)
            pending = result.pending_command
            if pending is None:
                continue
            console.print(pending.summary, markup=False)
            if who.proof == "none":
                who = resolve_identity(handle.database_url, user=who.user, require_proof=True)
            if typer.confirm("Aprovar / approve?", default=False):
                console.print(handle.copilot.approve(pending.command_id, user=who.user)[1], markup=False)
            else:
                console.print(handle.copilot.reject(pending.command_id, user=who.user)[1], markup=False)
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
