"""Metering commands: `lockpilot audit verify`, `lockpilot bench meters`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.groups import shared_group
from lockpilot.output import console, err_console, print_json
from lockpilot.settings import get_settings


def default_audit_path() -> Path:
    return get_settings().data_dir / "audit.log"


def audit_verify_command(
    path: Annotated[Path | None, typer.Option(help="Audit log (default: <data_dir>/audit.log).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recompute the audit log's hash chain and check its end against the head kept in PostgreSQL; exit 1
    at the first modified, removed or reordered line, or when the file was truncated."""
    from storage.audit_chain import verify

    target = path or default_audit_path()
    if not target.exists():
        err_console.print(f"[red]error:[/red] no audit log at {target}")
        raise typer.Exit(2)
    head, warning = _stored_head(target)
    result = verify(target, head=head)
    if warning and not as_json:
        err_console.print(f"[yellow]warning:[/yellow] the stored head was not checked: {warning}")
    if as_json:
        print_json(
            {
                "ok": result.ok,
                "lines": result.lines,
                "bad_line": result.bad_line,
                "reason": result.reason,
                "head_checked": result.head_checked,
                **({"head_warning": warning} if warning else {}),
            }
        )
    elif result.ok:
        checked = "end matches the stored head" if result.head_checked else "no stored head to check the end"
        console.print(f"audit log intact: {result.lines} lines, chain verified, {checked} ({target})")
    else:
        console.print(f"[red]audit log TAMPERED[/red] at line {result.bad_line}: {result.reason} ({target})")
    if not result.ok:
        raise typer.Exit(1)


def _stored_head(target: Path) -> tuple[tuple[int, str] | None, str]:
    """The head PostgreSQL keeps for this file (None without one), and why it could not be read."""
    import psycopg

    from storage.audit_chain import chain_name
    from storage.audit_head import PgAuditHead
    from storage.embedded import StackNotRunning, resolve_urls

    try:
        database_url, _ = resolve_urls(get_settings())
        head = PgAuditHead(database_url)
        try:
            return head.load(chain_name(target)), ""
        finally:
            head.close()
    except (StackNotRunning, psycopg.Error) as exc:
        return None, str(exc).strip()


def register(app: typer.Typer) -> None:
    """Add the metering commands to the lockpilot CLI."""
    shared_group(app, "audit", "Tamper-evident audit trail.").command("verify")(audit_verify_command)
