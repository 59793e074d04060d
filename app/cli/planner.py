"""`lockpilot planner vectors`: embed the planner's texts for the plant and write the committed cache."""

from __future__ import annotations

import typer

from app.cli.bundle import load_cli_bundle
from lockpilot.output import console

planner_app = typer.Typer(no_args_is_help=True, help="The offline planner's data.")


@planner_app.command("vectors")
def vectors_command() -> None:
    """Embed every exemplar phrasing and plant text and write agent/planner/vectors.npz (about a minute)."""
    from agent.planner.semantic import VectorCache
    from agent.planner.vector_texts import planner_texts

    cache = VectorCache()
    texts = planner_texts(load_cli_bundle())
    written = cache.save(texts)
    console.print(f"{written} texts in {cache.path} ({cache.missing} embedded now)")


def register(app: typer.Typer) -> None:
    """Add `lockpilot planner ...` to the CLI."""
    app.add_typer(planner_app, name="planner")
