"""Sub-command groups shared by several parts (`bench`, `db`...): one instance per name."""

from __future__ import annotations

import typer


def shared_group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The sub-command group `name`, created on first use and shared with the parts that add to it."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(no_args_is_help=True, help=help_text)
    app.add_typer(group, name=name)
    return group
