"""`lockpilot`: one CLI with a subcommand for each part of the product."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from app.cli.bundle import load_cli_bundle
from lockpilot.errors import PlantDataError
from lockpilot.output import err_console, print_json, print_table
from lockpilot.plant import TagGroup
from lockpilot.settings import get_settings

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Lockpilot: operations copilot for a navigation lock."
)


@app.callback()
def _root(log_level: Annotated[str, typer.Option(help="Log level.")] = "") -> None:
    """Set up logging for every subcommand."""
    from lockpilot.logs import configure_logging

    configure_logging(log_level or get_settings().log_level)


# Each part adds its commands through `register(app)` in its own cli module.
PART_CLIS = (
    "app.cli.stack",
    "app.cli.bench",
    "app.cli.fleet",
    "app.cli.storage",
    "app.cli.knowledge",
    "app.cli.twin",
    "app.cli.meters",
    "app.cli.web",
    "app.cli.rules",
    "app.cli.agent",
    "app.cli.evals",
    "app.cli.planner",
    "app.cli.tokens",
)


@app.command("tags")
def tags_command(
    group: Annotated[TagGroup | None, typer.Option(help="Only this group.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the plant's tags, meters' included (name, group, unit, type, address or device, range)."""
    plant = load_cli_bundle().plant
    tags = [t for t in plant.tags.values() if group is None or t.group is group]
    if as_json:
        print_json([t.model_dump(mode="json") for t in tags])
        return
    print_table(
        f"{plant.name}: {len(tags)} tags",
        ["name", "group", "unit", "type", "address", "range", "description"],
        [
            (
                t.name,
                t.group.value,
                t.unit,
                t.type.value,
                t.source.address or t.source.device,
                t.range,
                t.description.pt,
            )
            for t in tags
        ],
    )


def _register_parts() -> None:
    for module_name in PART_CLIS:
        importlib.import_module(module_name).register(app)


def main() -> None:
    """Entry point: register the parts' commands, run, and turn plant-data errors and a missing stack into
    one clear line (never a traceback)."""
    from storage.embedded import StackNotRunning

    _register_parts()
    try:
        app()
    except (PlantDataError, StackNotRunning) as exc:
        err_console.print(f"[red]error:[/red] {exc}", soft_wrap=True, markup=True, highlight=False)
        raise SystemExit(2) from None
