"""CLI of the web side: `lockpilot serve`, `lockpilot users add`, `lockpilot bench ui`."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.commands.store import Role
from lockpilot.cligroups import shared_group
from lockpilot.output import console, print_json, print_table
from lockpilot.settings import get_settings

users_app = typer.Typer(no_args_is_help=True, help="People who log in to the chat and dashboard.")


def serve_command(
    host: Annotated[str | None, typer.Option(help="Interface (default: settings.http_host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings.http_port).")] = None,
) -> None:
    """Serve the chat (/chat), REST API (/api, /docs), dashboard, bots, /health and /metrics on one port."""
    from api.http import build_http_app, serve
    from api.wiring import connect_services
    from storage.embedded import stack_urls

    settings = get_settings()
    with stack_urls(settings) as (database_url, redis_url):
        services = connect_services(settings, database_url=database_url, redis_url=redis_url)
        try:
            serve(
                build_http_app(services),
                host=host or settings.http_host,
                port=port or settings.http_port,
                log_level=settings.log_level,
            )
        finally:
            services.close()


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="operator, trainer or viewer.")] = Role.VIEWER,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
    slack_id: Annotated[str | None, typer.Option(help="Slack user id (U...).")] = None,
    teams_id: Annotated[str | None, typer.Option(help="Teams AAD object id.")] = None,
) -> None:
    """Create or update a user in the database."""
    from api.users import UserDirectory
    from storage.embedded import resolve_urls
    from storage.migrate import migrate

    database_url, _ = resolve_urls(get_settings())
    migrate(database_url)
    UserDirectory(database_url=database_url).add(
        username, role=role, password=password or None, slack_id=slack_id, teams_id=teams_id
    )
    console.print(f"user {username} ({role.value}) saved")


def bench_ui_command(
    questions: Annotated[int, typer.Option(help="Questions to ask.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Start a live lock on loopback, ask questions in headless Chromium, print first-token p50/p95."""
    from chat_ui.bench import TARGET_FIRST_TOKEN_MS, bench_local_stack

    result = bench_local_stack(get_settings(), questions=questions)
    if as_json:
        print_json(
            {
                "questions": result.count,
                "p50_ms": result.p50_ms,
                "p95_ms": result.p95_ms,
                "max_ms": result.max_ms,
                "target_ms": TARGET_FIRST_TOKEN_MS,
                "samples_ms": result.samples_ms,
            }
        )
        return
    print_table(
        "first token in the browser (offline planner)",
        ["questions", "p50 ms", "p95 ms", "max ms", "< 1 s"],
        [
            (
                result.count,
                f"{result.p50_ms:.0f}",
                f"{result.p95_ms:.0f}",
                f"{result.max_ms:.0f}",
                "yes" if result.within_target else "NO",
            )
        ],
    )


def register(app: typer.Typer) -> None:
    """Add `serve`, `users` and `bench ui` to the CLI."""
    app.command("serve")(serve_command)
    app.add_typer(users_app, name="users")
    shared_group(app, "bench", "Benchmarks that print figures.").command("ui")(bench_ui_command)
