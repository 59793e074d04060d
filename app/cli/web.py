"""CLI of the web side: `lockpilot users add`, `lockpilot bench ui` (a loopback plane, headless Chromium)."""

from __future__ import annotations

from typing import Annotated

import typer

from lockpilot.output import console, err_console
from lockpilot.roles import Role
from lockpilot.settings import get_settings

users_app = typer.Typer(no_args_is_help=True, help="People who log in to the chat and dashboard.")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="operator, trainer or viewer.")] = Role.VIEWER,
    password: Annotated[
        str | None,
        typer.Option(help="Password; asked on a terminal, else read from LOCKPILOT_NEW_PASSWORD or stdin."),
    ] = None,
    slack_id: Annotated[str | None, typer.Option(help="Slack user id (U...).")] = None,
    teams_id: Annotated[str | None, typer.Option(help="Teams AAD object id.")] = None,
) -> None:
    """Create or update a user in the database."""
    from api.users import UserDirectory
    from storage.embedded import resolve_urls
    from storage.migrate import migrate

    secret = password if password is not None else _password_from_input()
    from storage.embedded import StackNotRunning

    try:
        database_url, _ = resolve_urls(get_settings())
    except StackNotRunning as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    migrate(database_url)
    UserDirectory(database_url=database_url).add(
        username, role=role, password=secret or None, slack_id=slack_id, teams_id=teams_id
    )
    console.print(f"user {username} ({role.value}) saved")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user: no more logins or approvals, and every open session ends."""
    from api.users import UserDirectory
    from storage.embedded import resolve_urls

    database_url, _ = resolve_urls(get_settings())
    if not UserDirectory(database_url=database_url).disable(username):
        console.print(f"no enabled user {username}")
        raise typer.Exit(1)
    console.print(f"user {username} disabled; their sessions ended")


def _password_from_input() -> str:
    """Ask twice on a terminal; without one, LOCKPILOT_NEW_PASSWORD or one line of stdin; else say how."""
    import os
    import sys

    if os.environ.get("LOCKPILOT_NEW_PASSWORD"):
        return os.environ["LOCKPILOT_NEW_PASSWORD"]
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline().strip()
    if line:
        return line
    err_console.print(
        "[red]error:[/red] no password: pass --password, set LOCKPILOT_NEW_PASSWORD, or pipe it on stdin "
        "(echo 'secret' | lockpilot users add NAME --role operator)"
    )
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add `serve`, `users` and `bench ui` to the CLI."""
    app.add_typer(users_app, name="users")
