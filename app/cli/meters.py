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
    """Recompute the audit log's hash chain; exit 1 at the first modified, removed or reordered line."""
    from storage.audit_chain import verify

    target = path or default_audit_path()
    if not target.exists():
        err_console.print(f"[red]error:[/red] no audit log at {target}")
        raise typer.Exit(2)
    result = verify(target)
    if as_json:
        print_json(
            {"ok": result.ok, "lines": result.lines, "bad_line": result.bad_line, "reason": result.reason}
        )
    elif result.ok:
        console.print(f"audit log intact: {result.lines} lines, chain verified ({target})")
    else:
        console.print(f"[red]audit log TAMPERED[/red] at line {result.bad_line}: {result.reason} ({target})")
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the metering commands to the lockpilot CLI."""
    shared_group(app, "audit", "Tamper-evident audit trail.").command("verify")(audit_verify_command)
