"""`lockpilot knowledge`: index, search, eval and generate the plant's knowledge base."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.bundle import load_cli_bundle
from lockpilot.output import console, err_console, print_json, print_table
from lockpilot.settings import get_settings

knowledge_app = typer.Typer(no_args_is_help=True, help="The plant's documents: index, search, eval.")

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="PostgreSQL URL (default: DATABASE_URL or the running stack)."),
]


@contextmanager
def _database_url(explicit: str | None) -> Iterator[str]:
    """Yield the database URL: explicit, from settings, or an embedded server for the command's duration."""
    explicit = explicit or get_settings().database_url
    if explicit:
        yield explicit
        return
    from storage.embedded import stack_urls

    with stack_urls(get_settings()) as (database_url, _):
        yield database_url


def _index_with_progress(url: str) -> None:
    """Bring the index up to date (only changed passages are embedded), with a progress bar."""
    from knowledge.service import index_plant

    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task("embedding", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = index_plant(url, bundle=load_cli_bundle(), progress=report)
    console.print(
        f"{result.total} passages: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.deleted} deleted; {result.embedded} embedded "
        f"in {result.seconds:.1f} s (texts searchable after {result.text_seconds:.1f} s)"
    )


@knowledge_app.command("index")
def index_command(database_url: DatabaseUrl = None) -> None:
    """Index the plant's docs, FAQ and generated rule/sequence pages (only changed passages are embedded)."""
    with _database_url(database_url) as url:
        _index_with_progress(url)


@knowledge_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="What to look for, in Portuguese or English.")],
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many hits.")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, vector or fulltext.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Search the knowledge base; each hit has the id to cite."""
    from knowledge.search import SearchMode
    from knowledge.service import search_knowledge

    with _database_url(database_url) as url:
        hits = search_knowledge(query, limit=limit, mode=SearchMode(mode), database_url=url)
    if as_json:
        print_json(
            [
                {
                    "id": h.id,
                    "document": h.document,
                    "heading": h.heading,
                    "text": h.text,
                    "score": h.score,
                    "category": h.category,
                    "citation": h.citation,
                }
                for h in hits
            ]
        )
        return
    table = Table(title=f"{len(hits)} hits for: {query}", header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("score")
    table.add_column("text")
    for h in hits:
        table.add_row(h.id, f"{h.score:.4f}", h.text[:200].replace("\n", " "))
    console.print(table)


@knowledge_app.command("eval")
def eval_command(
    questions: Annotated[
        Path | None, typer.Option(help="Eval set (default: the plant's docs/eval.yaml).")
    ] = None,
    half: Annotated[
        str, typer.Option(help="all, tuning (odd-numbered questions) or held-out (even-numbered).")
    ] = "all",
    database_url: DatabaseUrl = None,
) -> None:
    """Print recall@3 and MRR for vector, full-text and hybrid search side by side, and search latency."""
    from knowledge.evaluate import EvalHalf, load_questions, run_eval, select_half, unknown_ids
    from knowledge.search import KnowledgeBase

    plant = load_cli_bundle().plant
    path = questions or plant.docs_dir / "eval.yaml"
    with _database_url(database_url) as url:
        _index_with_progress(url)  # the eval measures the current corpus, never a stale or empty index
        kb = KnowledgeBase.connect(url, plant=plant.name)
        try:
            every = load_questions(path)
            missing = unknown_ids(every, kb.passage_ids())
            asked = select_half(every, EvalHalf(half))
            report = run_eval(kb, asked)
        finally:
            kb.close()
    if missing:
        err_console.print(f"[yellow]warning:[/yellow] ids not in the index: {', '.join(missing)}")
    print_table(
        f"retrieval eval: {report.questions} questions ({path.name}, {half})",
        ["mode", f"recall@{report.k}", "MRR"],
        [(s.mode.value, f"{s.recall_at_k:.3f}", f"{s.mrr:.3f}") for s in report.scores],
    )
    console.print(
        f"hybrid search latency: p50 {report.latency_p50_ms:.1f} ms, p95 {report.latency_p95_ms:.1f} ms"
    )


@knowledge_app.command("generate")
def generate_command(
    out: Annotated[Path | None, typer.Option(help="Directory (default: the plant's docs/gerado).")] = None,
) -> None:
    """Write the per-rule and per-sequence pages generated from rules.yaml and sequences.yaml."""
    from knowledge.corpus import GENERATED_DIR
    from knowledge.generate import generate_pages, write_pages

    bundle = load_cli_bundle()
    target = out or bundle.plant.docs_dir / GENERATED_DIR
    written = write_pages(generate_pages(bundle), target)
    console.print(f"wrote {len(written)} pages under {target}")


def register(app: typer.Typer) -> None:
    """Add `lockpilot knowledge ...` to the CLI."""
    app.add_typer(knowledge_app, name="knowledge")
