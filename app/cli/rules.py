"""CLI of rules/: `lockpilot alarms ...`, `lockpilot check SEQUENCE`, `lockpilot rules replay`,
`lockpilot bench rules`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import psycopg
import typer

from app.cli.bundle import load_cli_bundle
from app.cli.groups import shared_group
from lockpilot.clock import SystemClock
from lockpilot.output import console, err_console, print_json, print_table
from lockpilot.settings import get_settings
from rules.lifecycle import AlarmOperationError

if TYPE_CHECKING:
    from rules.engine import RulesEngine

alarms_app = typer.Typer(
    help="Alarms (ISA-18.2): list, acknowledge, shelve, KPIs.", invoke_without_command=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _database_url() -> str:
    from storage.embedded import StackNotRunning, resolve_urls

    try:
        return resolve_urls(get_settings())[0]
    except StackNotRunning as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _engine_parts() -> RulesEngine:
    from rules.engine import RulesEngine

    return RulesEngine.for_bundle(load_cli_bundle(), anomalies=False)


def _when(text: str) -> datetime:
    """An ISO time, or a duration back from now ('2h' = two hours ago)."""
    from storage.durations import parse_duration

    try:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        return SystemClock().now() - parse_duration(text)


@alarms_app.callback()
def alarms_command(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Only alarms not in normal state.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List alarms with their ISA-18.2 state, priority and times."""
    if ctx.invoked_subcommand is not None:
        return
    from rules.store import alarm_rows

    with psycopg.connect(_database_url()) as conn:
        rows = alarm_rows(conn, active_only=active)
    if as_json:
        print_json(rows)
        return
    print_alarm_rows(rows, width=console.width)


def print_alarm_rows(rows: list[dict[str, Any]], *, width: int) -> None:
    """Alarms as a table that stays readable at 80 columns: id, state in words, priority, local time;
    the incident and the name only on wider terminals."""
    from lockpilot.formatting import local_time, state_name

    wide = width >= 120
    if width < 100:  # two lines per alarm: the id whole, then what an operator reads
        console.print(f"{len(rows)} alarmes (hora local)", style="bold", highlight=False)
        for r in rows:
            raw = r.get("activated_at")
            since = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
            facts = [
                state_name(r["state"]),
                r["priority"],
                f"desde {local_time(since, tz=get_settings().timezone)}",
            ]
            facts += ["primeiro alarme"] if r["first_out"] else []
            console.print(r["alarm_id"], style="bold", highlight=False, soft_wrap=True)
            console.print("  " + " · ".join(facts), highlight=False)
        return
    columns = ["id", "estado", "prior.", "desde", "1ª"] + (["incidente", "nome"] if wide else [])
    table = []
    for r in rows:
        raw = r.get("activated_at")
        since = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
        row = [
            r["alarm_id"],
            state_name(r["state"]),
            r["priority"],
            local_time(since, tz=get_settings().timezone),
            "sim" if r["first_out"] else "",
        ]
        table.append(row + ([r["incident_id"], r["name_pt"]] if wide else []))
    print_table(f"{len(rows)} alarmes (hora local)", columns, table)


def _act(alarm_id: str, action: str, as_json: bool, **options: object) -> None:
    from rules.store import operator_action
    from storage.durations import parse_duration

    if "for_s" in options:
        try:
            options["for_s"] = parse_duration(str(options["for_s"])).total_seconds()
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    engine = _engine_parts()
    _database_url()
    from storage.embedded import resolve_urls

    database_url, redis_url = resolve_urls(get_settings())
    try:
        event = operator_action(
            database_url,
            engine.catalog,
            alarm_id,
            action,
            now=SystemClock().now(),
            redis_url=redis_url,
            plant=engine.plant.name,
            **options,
        )
    except (AlarmOperationError, KeyError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        print_json(event.as_dict())
    else:
        console.print(f"{event.alarm_id}: {event.from_state.value} -> {event.to_state.value} by {event.user}")


@alarms_app.command("ack")
def ack_command(
    alarm_id: str,
    user: Annotated[str, typer.Option(help="Who acknowledges.")],
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge an alarm."""
    _act(alarm_id, "ack", as_json, user=user, comment=comment)


@alarms_app.command("shelve")
def shelve_command(
    alarm_id: str,
    for_: Annotated[str, typer.Option("--for", help="How long: 30m, 2h.")],
    user: Annotated[str, typer.Option(help="Who shelves.")],
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Shelve an alarm for a while; it returns by itself when the time is up."""
    _act(alarm_id, "shelve", as_json, for_s=for_, user=user, comment=comment)


@alarms_app.command("unshelve")
def unshelve_command(
    alarm_id: str,
    user: Annotated[str, typer.Option(help="Who unshelves.")],
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Return a shelved alarm before its time."""
    _act(alarm_id, "unshelve", as_json, user=user, comment=comment)


@alarms_app.command("kpi")
def kpi_command(
    since: Annotated[str, typer.Option(help="Period: 7d, 24h, or an ISO time.")] = "7d",
    as_json: JsonOpt = False,
) -> None:
    """Alarm KPIs (ISA-18.2 / EEMUA 191): rate, floods, peak, bad actors, chattering, stale, priority mix."""
    from rules.kpi import Activation, kpi_report

    start, end = _when(since), SystemClock().now()
    with psycopg.connect(_database_url()) as conn:
        acts = conn.execute(
            "SELECT time, context->>'alarm_id', context->>'priority' FROM events_log WHERE "
            "event_type = 'alarm' AND context->>'kind' = 'activated' AND context->>'alarm_id' "
            "NOT LIKE 'anomalia.%%' AND time >= %s AND time < %s",
            (start, end),
        ).fetchall()
        active = conn.execute(
            "SELECT alarm_id, activated_at FROM alarms WHERE active AND activated_at IS NOT NULL"
        ).fetchall()
    report = kpi_report([Activation(t, a, p) for t, a, p in acts], dict(active), start=start, end=end)
    if as_json:
        print_json(report.as_dict())
        return
    doc = report.as_dict()
    print_table("alarm KPIs", ["figure", "value"], [(k, v) for k, v in doc.items()])


def check_command(sequence: str, as_json: JsonOpt = False) -> None:
    """Whether a sequence may start now, each precondition with live value, threshold, pass/fail, data age."""
    import redis

    from rules.sequences import LiveValue, SequenceChecker
    from storage.current import read_current
    from storage.embedded import StackNotRunning, resolve_urls

    bundle = load_cli_bundle()
    plant = bundle.plant
    checker = SequenceChecker(plant, bundle.sequences, bundle.parameters)
    if sequence not in checker.sequences:
        raise typer.BadParameter(f"unknown sequence '{sequence}' (known: {', '.join(checker.sequences)})")
    try:
        redis_url = resolve_urls(get_settings())[1]
    except StackNotRunning as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    with redis.Redis.from_url(redis_url) as client:
        current = read_current(client, plant.name)
    values = {k: LiveValue(v.value, v.time, v.quality) for k, v in current.items() if v is not None}
    result = checker.check(sequence, values, SystemClock().now())
    if as_json:
        print_json(result.as_dict())
        return
    verdict = (
        "[green]PERMITIDA / permitted[/green]"
        if result.permitted
        else "[red]NÃO PERMITIDA / not permitted[/red]"
    )
    console.print(f"{result.name.pt} ({sequence}): {verdict}")
    print_table(
        "precondições / preconditions",
        ["", "sentence", "live", "threshold", "age (s)"],
        [
            ("OK" if p.passed else "FALHA", p.sentence.pt, p.live, p.threshold, p.age_s)
            for p in result.preconditions
        ],
    )


def replay_command(
    start: Annotated[str, typer.Option("--from", help="ISO time or duration ago (2h).")],
    end: Annotated[str, typer.Option("--to", help="ISO time or duration ago.")] = "0s",
    as_json: JsonOpt = False,
) -> None:
    """Run the rules over stored history; print the alarm events (the same as live)."""
    from rules.store import replay

    to = SystemClock().now() if end in ("0s", "now") else _when(end)
    events = replay(_database_url(), _engine_parts(), start=_when(start), end=to)
    if as_json:
        print_json([e.as_dict() for e in events])
        return
    print_table(
        f"{len(events)} alarm events",
        ["time", "alarm", "event", "to", "first-out"],
        [
            (e.time.isoformat(), e.alarm_id, e.kind.value, e.to_state.value, "yes" if e.first_out else "")
            for e in events
        ],
    )


def register(app: typer.Typer) -> None:
    """Add the commands of rules/ to the lockpilot CLI."""
    app.add_typer(alarms_app, name="alarms")
    app.command("check")(check_command)
    shared_group(app, "rules", "Fault rules: replay over history.").command("replay")(replay_command)
