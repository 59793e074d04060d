"""CLI of storage: `lockpilot read`, `lockpilot history`, `lockpilot db migrate`, `lockpilot bench ingest`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import psycopg
import redis
import typer

from app.cli.bundle import load_cli_bundle
from app.cli.groups import shared_group
from lockpilot.output import console, err_console, format_value, print_json, print_table
from lockpilot.settings import get_settings
from storage import history
from storage.current import read_current
from storage.durations import parse_duration
from storage.embedded import StackNotRunning, resolve_urls, stack_urls
from storage.migrate import migrate
from storage.tags_sync import sync_tags


def _urls() -> tuple[str, str]:
    try:
        return resolve_urls(get_settings())
    except StackNotRunning as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def read_command(
    tags: Annotated[list[str], typer.Argument(help="Tag names.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show current values from Redis: value, unit, time, quality and age."""
    plant = load_cli_bundle().plant
    unknown = [name for name in tags if name not in plant.tags]
    if unknown:
        from lockpilot.plant.model import suggest

        for name in unknown:
            hint = suggest(name, list(plant.tags))
            err_console.print(f"[red]error:[/red] unknown tag '{name}'{hint}", highlight=False)
        err_console.print("`lockpilot tags` lists the plant's tags.")
        raise typer.Exit(2)
    _, redis_url = _urls()
    with redis.Redis.from_url(redis_url) as client:
        values = read_current(client, plant.name, tags)
    if as_json:
        print_json(
            {
                name: None
                if v is None
                else {
                    "value": v.value,
                    "unit": v.unit,
                    "time": v.time,
                    "quality": v.quality,
                    "age_s": round(v.age_s, 3),
                    "source": v.source,
                }
                for name, v in values.items()
            }
        )
        return
    print_table(
        "current values",
        ["tag", "value", "unit", "UTC", "quality", "age s"],
        [
            (n, None, None, None, "no value", None)
            if v is None
            else (
                n,
                format_value(v.value),
                v.unit,
                v.time.strftime("%H:%M:%S"),
                v.quality.value,
                f"{v.age_s:.1f}",
            )
            for n, v in values.items()
        ],
    )


def history_command(
    tag: Annotated[str, typer.Argument(help="Tag name.")],
    last: Annotated[str, typer.Option(help="Window up to now: 15s, 10m, 2h, 7d.")] = "10m",
    every: Annotated[str | None, typer.Option(help="Aggregate into buckets: 1m, 5m, 1h...")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a tag's stored samples, or aggregates per bucket with --every."""
    load_cli_bundle().plant.tag(tag)
    try:
        window, step = parse_duration(last), parse_duration(every) if every else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    database_url, _ = _urls()
    end = datetime.now(UTC)
    with psycopg.connect(database_url) as conn:
        if step is None:
            points = history.raw(conn, tag, start=end - window, end=end)
            rows: list[tuple[object, ...]] = [
                (p.time.isoformat(), p.value, p.quality.value, p.source) for p in points
            ]
            columns, data = ["time", "value", "quality", "source"], [_as_dict(p) for p in points]
        else:
            buckets = history.aggregate(conn, tag, start=end - window, end=end, every=step)
            rows = [
                (
                    b.start.isoformat(),
                    b.count,
                    _fmt(b.mean),
                    _fmt(b.min),
                    _fmt(b.max),
                    _fmt(b.last),
                    f"{b.good_share:.0%}",
                )
                for b in buckets
            ]
            columns = ["bucket", "count", "mean", "min", "max", "last", "good"]
            data = [_as_dict(b) for b in buckets]
    if as_json:
        print_json({"tag": tag, "start": end - window, "end": end, "every": every, "rows": data})
        return
    print_table(f"{tag}: last {last}" + (f" every {every}" if every else ""), columns, rows)


def _as_dict(item: object) -> dict[str, object]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def migrate_command() -> None:
    """Apply pending migrations and sync the plant's tags into the tags table."""
    with stack_urls(get_settings()) as (database_url, _):
        applied = migrate(database_url)
        with psycopg.connect(database_url, autocommit=True) as conn:
            count = sync_tags(conn, load_cli_bundle().plant)
    console.print(
        f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}; {count} tags synced"
    )


def register(app: typer.Typer) -> None:
    """Add storage's commands to the lockpilot CLI."""
    app.command("read")(read_command)
    app.command("history")(history_command)
    shared_group(app, "db", "Database maintenance.").command("migrate")(migrate_command)
