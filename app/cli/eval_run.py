"""Wire the eval for the CLI: command store on the site's (or an embedded) PostgreSQL, progress, report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from rich.progress import Progress

from commands.store import CommandStore
from evals.cases import Half, load_cases
from evals.harness import Harness, copilot_factory
from evals.incident import IncidentLibrary
from evals.report import PASS_THRESHOLD, THRESHOLDS, EvalReport, render
from evals.scoring import Metric
from lockpilot.clock import SystemClock
from lockpilot.output import console, err_console
from lockpilot.settings import get_settings
from rules.bundle import PlantBundle
from tools.context import ToolContext


@contextmanager
def eval_database() -> Iterator[str]:
    """DATABASE_URL or an embedded PostgreSQL, migrated."""
    from storage.embedded import stack_urls
    from storage.migrate import migrate

    with stack_urls(get_settings()) as (database_url, _):
        migrate(database_url)
        yield database_url


@contextmanager
def command_store(database_url: str) -> Iterator[CommandStore]:
    """A command store on a migrated database."""
    store = CommandStore(database_url)
    try:
        yield store
    finally:
        store.close()


def thresholds_for(min_score: float | None) -> dict[Metric, float]:
    """The done-means thresholds, or one value for every metric."""
    return dict(THRESHOLDS) if min_score is None else dict.fromkeys(Metric, min_score)


def run_eval(
    bundle: PlantBundle,
    *,
    cases: list[Path] | None,
    model: str | None,
    repeat: int,
    min_score: float | None,
    overrides: list[str] | None = None,
    half: Half | None = None,
    use_commands: bool = True,
    use_knowledge: bool = True,
) -> tuple[EvalReport, dict[Metric, float], float, dict[str, int]]:
    """Run the cases (of one half, or all) with a progress bar and print the report tables; also say how
    many model-written answers went through the grounding check and how many it rewrote."""
    from agent.model_turn import GroundingStats
    from evals.gate import thresholds_with
    from evals.knowledge_desk import eval_knowledge

    loaded = load_cases(cases, half=half)
    plant = bundle.plant
    thresholds = thresholds_with(thresholds_for(min_score), overrides or [])
    grounding = GroundingStats()
    settings = get_settings()
    min_pass = PASS_THRESHOLD if min_score is None else min_score
    with ExitStack() as stack:
        url = stack.enter_context(eval_database()) if use_commands or use_knowledge else None
        store = stack.enter_context(command_store(url)) if use_commands and url else None
        knowledge = None
        if use_knowledge and url:
            with err_console.status("indexing the knowledge corpus (vectors cached)"):
                knowledge = eval_knowledge(url, bundle, cache_dir=get_settings().data_dir / "cache")
        harness = Harness(
            bundle,
            IncidentLibrary(plant.incidents_dir, plant),
            store,
            copilot_factory(
                model=model,
                grounding=grounding,
                timeout_s=settings.model_timeout_s,
                context_tokens=settings.model_context_tokens,
            ),
            knowledge=knowledge,
        )
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task(f"{len(loaded)} cases", total=len(loaded))
            report = harness.run(loaded, repeat=repeat, progress=lambda _: bar.advance(task))
    render(report, console, thresholds=thresholds, min_pass=min_pass)
    counts = {"checked": grounding.checked, "rewritten": grounding.rewrites}
    if model:
        console.print(
            f"grounding check: {counts['checked']} model answers checked, {counts['rewritten']} rewritten"
        )
    return report, thresholds, min_pass, counts


@contextmanager
def current_tool_context(bundle: PlantBundle) -> Iterator[ToolContext]:
    """Tools over the live current store (Redis), for `lockpilot whatif`."""
    from storage.embedded import resolve_urls
    from tools.adapters import RedisCurrent

    _, redis_url = resolve_urls(get_settings())
    clock = SystemClock()
    yield ToolContext(bundle=bundle, clock=clock, current=RedisCurrent(redis_url, bundle.plant, clock))
