"""`lockpilot incidents|eval|whatif|scenario`: incident library, evals, what-if and training scenarios."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from app.cli.bundle import load_cli_bundle
from lockpilot.output import console, err_console, print_json, print_table
from lockpilot.plant import Plant
from lockpilot.settings import get_settings

incidents_app = typer.Typer(no_args_is_help=True, help="Recorded incidents (tag history, events, truth).")
eval_app = typer.Typer(
    invoke_without_command=True, help="Evaluate the copilot (and the rules) on the incidents."
)
scenario_app = typer.Typer(no_args_is_help=True, help="Training scenarios on a sandbox twin.")


def _plant() -> Plant:
    return load_cli_bundle().plant


def _library_dir(plant: Plant) -> Path:
    return plant.root / "incidents"


@incidents_app.command("record")
def record_command(
    scenario_file: Path,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: next to the file, or incidents/<id>/).")
    ] = None,
) -> None:
    """Play a scenario file on the twin and write the incident (history, events, record) for evals."""
    from evals.incident import SCENARIO_FILE, write_incident
    from evals.recorder import record
    from twin.scenario import load_scenario

    plant = _plant()
    scenario = load_scenario(scenario_file)
    target = out or (
        scenario_file.parent if scenario_file.name == SCENARIO_FILE else _library_dir(plant) / scenario.id
    )
    text = (
        None
        if (target / SCENARIO_FILE).resolve() == scenario_file.resolve()
        else scenario_file.read_text("utf-8")
    )
    rec = record(scenario, plant)
    write_incident(rec, target, plant, scenario_text=text)
    size_kb = sum(p.stat().st_size for p in target.iterdir()) / 1024
    console.print(
        f"{scenario.id}: {rec.times_s[-1]:g} s recorded, signatures {rec.signatures}, "
        f"{size_kb:.0f} kB in {target}"
    )


@incidents_app.command("list")
def list_incidents() -> None:
    """List the recorded incidents with their root cause."""
    from twin.scenario import load_scenario

    plant = _plant()
    rows = []
    for path in sorted(_library_dir(plant).glob("*/scenario.yaml")):
        s = load_scenario(path)
        rows.append(
            (s.id, s.truth.root_cause if s.truth else "", s.length_s(), s.title.pt if s.title else "")
        )
    print_table(f"{len(rows)} incidents", ["id", "root cause", "seconds", "title"], rows)


KEY_TAGS = (
    "nivel_reservatorio_montante",
    "nivel_camara",
    "nivel_camara_2",
    "nivel_jusante",
    "taxa_variacao_nivel_camara",
    "pressao_sistema",
    "pressao_succao",
    "vibracao_bomba",
    "temperatura_oleo_hpu",
    "bomba_principal_status",
    "posicao_comporta_montante",
    "posicao_comporta_jusante",
    "corrente_motor_comporta_montante",
    "corrente_motor_comporta_jusante",
    "corrente_motor_bomba",
    "valvula_alivio_fechada",
    "posicao_valvula_enchimento_1",
    "posicao_valvula_enchimento_2",
)


@incidents_app.command("show")
def show_command(
    incident: str,
    at: Annotated[float, typer.Option("--at", help="Scenario second to look at.")],
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tags to show (default: the key ones).")
    ] = None,
    all_tags: Annotated[bool, typer.Option("--all", help="Show every tag.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What is true at one second of an incident: values, active alarms (first-out), sequence and step."""
    from evals.incident import IncidentLibrary
    from evals.moment import moment
    from lockpilot.output import format_value

    bundle = load_cli_bundle()
    plant = bundle.plant
    library = IncidentLibrary(_library_dir(plant), plant)
    try:
        loaded = library.get(incident)
    except KeyError as exc:
        err_console.print(f"[red]error:[/red] {exc.args[0]}")
        raise typer.Exit(2) from exc
    if not 0 <= at <= loaded.duration_s:
        err_console.print(
            f"[red]error:[/red] {incident} lasts {loaded.duration_s:g} s; --at {at:g} is outside"
        )
        raise typer.Exit(2)
    m = moment(loaded, bundle, at_s=at)
    if as_json:
        print_json(m.as_dict())
        return
    seq = m.sequence
    console.print(
        f"{m.incident} @ {at:g} s of {m.duration_s:g} s ({m.phase}; root cause {m.root_cause or '—'}"
        f" at {m.signature_s if m.signature_s is not None else '—'} s)",
        markup=False,
    )
    console.print(
        "sequence: " + (f"{seq.id} step {seq.step} ({seq.step_name_pt})" if seq else "none"), markup=False
    )
    print_table(
        "active alarms",
        ["rule", "state", "priority", "first-out", "since"],
        [(a.rule_id, a.state, a.priority, "yes" if a.first_out else "", a.since) for a in m.alarms],
    )
    names = list(plant.tags) if all_tags else (tag or list(KEY_TAGS))
    print_table(
        "values",
        ["tag", "value", "unit", "quality"],
        [
            (t, format_value(c.value), c.unit, c.quality.value)
            if (c := m.values.get(t))
            else (t, "—", "", "")
            for t in names
        ],
    )
    print_table(
        "sequence checks",
        ["sequence", "permitted", "failing"],
        [
            (s, "yes" if v.permitted else "no", ", ".join(p.id for p in v.preconditions if not p.passed))
            for s, v in m.checks.items()
        ],
    )


@eval_app.callback()
def eval_command(
    ctx: typer.Context,
    cases: Annotated[
        list[Path] | None,
        typer.Option(
            "--cases", help="Case files or directories (a subset file: evals/gate/model_gate.yaml)."
        ),
    ] = None,
    model: Annotated[str | None, typer.Option(help="LOCKPILOT_MODEL for this run (default: env).")] = None,
    repeat: Annotated[int, typer.Option(min=1, help="Runs per case (pass^k).")] = 1,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here too.")] = None,
    min_score: Annotated[
        float | None, typer.Option(help="One threshold for every metric and for pass^k (the model gate).")
    ] = None,
    threshold: Annotated[
        list[str] | None,
        typer.Option(
            "--threshold", help="METRIC=VALUE, over --min-score (e.g. tool_recall=0.9); repeatable."
        ),
    ] = None,
    model_file: Annotated[
        Path | None, typer.Option(help="The model's weights, to hash (a server that does not say its file).")
    ] = None,
    half: Annotated[
        str, typer.Option(help="Which cases: tuning, test or all (split by a hash of the case id).")
    ] = "all",
    no_commands: Annotated[bool, typer.Option(help="Run without a command store.")] = False,
    no_knowledge: Annotated[bool, typer.Option(help="Run without knowledge search.")] = False,
) -> None:
    """Ask every case's questions on its incident and score the answers; exit 1 below the thresholds.

    The JSON report (with the model's name and file hash) is kept under the data dir, in evals/.
    """
    if ctx.invoked_subcommand is not None:
        return
    from app.cli.eval_run import run_eval
    from evals.cases import Half
    from evals.gate import model_identity, save_report

    if half not in ("all", *(h.value for h in Half)):
        err_console.print(f"[red]error:[/red] --half is tuning, test or all, not '{half}'")
        raise typer.Exit(2)
    setting = model if model is not None else get_settings().model
    try:
        report, thresholds, min_pass, grounding = run_eval(
            load_cli_bundle(),
            cases=cases,
            model=setting,
            repeat=repeat,
            min_score=min_score,
            overrides=threshold or [],
            half=None if half == "all" else Half(half),
            use_commands=not no_commands,
            use_knowledge=not no_knowledge,
        )
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    data = {**report.as_dict(thresholds, min_pass=min_pass), "grounding": grounding}
    kept = save_report(data, get_settings().data_dir, model_identity(setting, model_file=model_file))
    err_console.print(f"report: {kept}")
    if json_file is not None:
        json_file.write_text(kept.read_text(encoding="utf-8"), encoding="utf-8")
    if report.below(thresholds, min_pass=min_pass):
        raise typer.Exit(1)


@eval_app.command("check")
def eval_check_command(
    cases: Annotated[list[Path] | None, typer.Option("--cases", help="Case files or directories.")] = None,
    warnings: Annotated[bool, typer.Option(help="Also print the warnings.")] = True,
) -> None:
    """Check the cases: every name exists and every expected fact holds at its at_s; exit 1 on an error."""
    from evals.case_check import CaseChecker
    from evals.cases import Half, load_cases
    from evals.incident import IncidentLibrary

    bundle = load_cli_bundle()
    loaded = load_cases(cases)
    found = CaseChecker(bundle, IncidentLibrary(_library_dir(bundle.plant), bundle.plant)).check(loaded)
    for line in found.errors:
        console.print(f"error   {line}", markup=False, soft_wrap=True)
    for line in found.warnings if warnings else []:
        console.print(f"warning {line}", markup=False, soft_wrap=True)
    halves = {h.value: sum(c.half is h for c in loaded) for h in Half}
    console.print(
        f"{len(loaded)} cases ({sum(c.is_conversation for c in loaded)} conversations), halves {halves}: "
        f"{len(found.errors)} errors, {len(found.warnings)} warnings"
    )
    if found.errors:
        raise typer.Exit(1)


@eval_app.command("rules")
def eval_rules_command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Replay the rules engine over every incident: detection delay, first-out accuracy, false alarms."""
    from evals.incident import IncidentLibrary
    from evals.rules_eval import evaluate_rules

    plant = _plant()
    library = IncidentLibrary(_library_dir(plant), plant)
    ids = library.ids()
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("replaying", total=len(ids))
        report = evaluate_rules(
            load_cli_bundle(), (library.get(i) for i in ids), progress=lambda _: bar.advance(task)
        )
    if as_json:
        print_json(report.as_dict())
    else:
        print_table(
            "rules replay",
            ["incident", "root cause", "signature s", "delay s", "first-out", "got first", "false alarms"],
            [
                (
                    s.incident,
                    s.root_cause or "—",
                    s.signature_s,
                    s.delay_s,
                    s.first_out,
                    s.first_out_alarm,
                    ", ".join(s.false_alarms),
                )
                for s in report.incidents
            ],
        )
        console.print(report.figures())
    if not report.passed():
        raise typer.Exit(1)


def whatif_command(
    action: Annotated[str, typer.Argument(help='e.g. "abrir a válvula de enchimento 1 a 100 % agora"')],
    minutes: Annotated[float, typer.Option(help="How long to predict.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Predict what an action would do, on a sandbox copy of the current plant state (never the plant)."""
    from app.cli.eval_run import current_tool_context
    from tools.what_if import what_if

    with current_tool_context(load_cli_bundle()) as ctx:
        result = what_if(ctx, action, minutes=minutes)
    if result.error:
        err_console.print(f"[red]error:[/red] {result.error}")
        raise typer.Exit(2)
    if as_json:
        print_json(result.for_model())
        return
    console.print(f"{result.action} — {result.minutes:g} min")
    print_table(
        "predicted",
        ["figure", "with action", "without"],
        [(k, v, result.baseline.get(k)) for k, v in result.figures.items()],
    )
    console.print(
        "alarms it would raise: "
        + (", ".join(f"{a['id']} (+{a['after_s']:g} s)" for a in result.alarms) or "none")
    )


@scenario_app.command("list")
def scenario_list() -> None:
    """List the training scenarios."""
    from evals.training import list_scenarios

    print_table(
        "training scenarios",
        ["name", "root cause", "speed", "seconds", "title"],
        [
            (
                s.id,
                s.truth.root_cause if s.truth else "—",
                s.speed,
                s.length_s(),
                s.title.pt if s.title else "",
            )
            for s in list_scenarios(_plant())
        ],
    )


@scenario_app.command("run")
def scenario_run(
    name: str,
    speed: Annotated[float | None, typer.Option(help="Simulated s per wall s.")] = None,
    trainee: Annotated[str, typer.Option(help="Trainee name for the report.")] = "trainee",
) -> None:
    """Play a training scenario on a sandbox twin in (scaled) real time, showing the alarms as they come."""
    from evals.training import start
    from lockpilot.clock import SystemClock

    session = start(name, trainee, SystemClock(), bundle=load_cli_bundle())
    if speed is not None:
        session.scenario = session.scenario.model_copy(update={"speed": speed})
    total = session.scenario.length_s()
    with Progress(console=console) as bar:
        task = bar.add_task(name, total=total)
        while session.sim_s < total - 1e-6:
            for alarm in session.advance():
                bar.console.print(f"{session.sim_s:7.1f} s  alarme: {alarm}")
            bar.update(task, completed=session.sim_s)
            time.sleep(0.2)
    console.print(session.report().summary_pt)


def register(app: typer.Typer) -> None:
    """Add `lockpilot incidents|eval|whatif|scenario` to the CLI."""
    app.add_typer(incidents_app, name="incidents")
    app.add_typer(eval_app, name="eval")
    app.add_typer(scenario_app, name="scenario")
    app.command("whatif")(whatif_command)
