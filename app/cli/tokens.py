"""`lockpilot tokens create|list|revoke`: bearer tokens for the REST API (kept in the metering store)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from lockpilot.output import console, err_console, print_table
from lockpilot.roles import Role
from lockpilot.settings import get_settings

if TYPE_CHECKING:
    from metering.store import MeteringStore

tokens_app = typer.Typer(no_args_is_help=True, help="Bearer tokens for the REST API (/api, /docs).")
CLI_ACTOR = "cli"
CLI_AUDIT_FILE = "audit-cli.log"


def _store() -> MeteringStore:
    """The metering store; its audit goes to the stack's chain when no stack runs, else to the CLI's own
    chain (a chain has one writer: the running stack owns audit.log)."""
    from app.dataplane import AUDIT_FILE
    from lockpilot.clock import SystemClock
    from metering.store import MeteringStore
    from storage.audit_chain import AuditChain
    from storage.embedded import StackNotRunning, read_endpoints, resolve_urls
    from storage.migrate import migrate

    settings = get_settings()
    try:
        database_url, _ = resolve_urls(settings)
    except StackNotRunning as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    migrate(database_url)
    running = read_endpoints(settings.data_dir) is not None
    chain = AuditChain(settings.data_dir / (CLI_AUDIT_FILE if running else AUDIT_FILE))
    return MeteringStore(database_url, audit=chain, clock=SystemClock())


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="Who uses the token (a user or an integration's name).")],
    role: Annotated[Role, typer.Option(help="operator, trainer, viewer or data_user.")] = Role.VIEWER,
    client: Annotated[
        int | None, typer.Option("--client", help="Metering client id (data_user only).")
    ] = None,
) -> None:
    """Issue a token and print it once (only its SHA-256 is stored)."""
    if (role is Role.DATA_USER) != (client is not None):
        err_console.print("[red]error:[/red] --client goes with --role data_user, and data_user needs one")
        raise typer.Exit(2)
    store = _store()
    try:
        token = store.create_token(username=name, role=role, client_id=client, actor=CLI_ACTOR)
    finally:
        store.close()
    console.print(f"token for {name} ({role.value}); shown once, keep it:", highlight=False)
    typer.echo(token)


@tokens_app.command("list")
def tokens_list() -> None:
    """Tokens issued: who, role, client, when, revoked (never the token itself)."""
    store = _store()
    try:
        rows = store.list_tokens()
    finally:
        store.close()
    print_table(
        "API tokens",
        ["id", "name", "role", "client", "created (UTC)", "revoked (UTC)"],
        [
            (
                r["id"],
                r["username"],
                r["role"],
                r["client_id"],
                r["created_at"].strftime("%Y-%m-%d %H:%M"),
                r["revoked_at"].strftime("%Y-%m-%d %H:%M") if r["revoked_at"] else "",
            )
            for r in rows
        ],
    )


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[
        str, typer.Argument(help="The id `tokens list` shows (the first 12 hex of its hash).")
    ],
) -> None:
    """Revoke a token: it is refused from now on."""
    store = _store()
    try:
        done = store.revoke_token(token_id, actor=CLI_ACTOR)
    finally:
        store.close()
    if not done:
        err_console.print(
            f"[red]error:[/red] no active token with id '{token_id}' (see `lockpilot tokens list`)"
        )
        raise typer.Exit(1)
    console.print(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    """Add `lockpilot tokens ...` to the CLI."""
    app.add_typer(tokens_app, name="tokens")
