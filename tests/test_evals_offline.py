"""Done-means of issue 11 for the copilot: the offline planner on the test half of the repo's cases.

Runs agent.service.Copilot with the offline planner against each incident loaded into an in-memory store at
each turn's at_s, a real PostgreSQL command store (commands are left pending, never approved) and knowledge
search over the whole corpus on the same PostgreSQL. The corpus is embedded by
`knowledge.embedder.get_embedder()` once per cache: the vectors are kept in pytest's cache directory
(`.pytest_cache/`, empty on a clean CI clone, so CI embeds once per run), one file per model id.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.store import CommandStore
from evals.cases import Half, load_cases
from evals.harness import Harness, copilot_factory
from evals.incident import IncidentLibrary
from evals.knowledge_desk import eval_knowledge
from evals.report import PASS_THRESHOLD, THRESHOLDS
from rules.bundle import PlantBundle
from tools.ports import KnowledgeDesk

LIBRARY = Path(__file__).resolve().parent.parent / "plants" / "lock" / "incidents"


@pytest.fixture(scope="module")
def command_store(pg_url: str) -> CommandStore:
    from storage.migrate import migrate

    migrate(pg_url)
    return CommandStore(pg_url)


@pytest.fixture(scope="module")
def knowledge(pg_url: str, bundle: PlantBundle, pytestconfig: pytest.Config) -> KnowledgeDesk:
    assert pytestconfig.cache is not None
    return eval_knowledge(pg_url, bundle, cache_dir=Path(pytestconfig.cache.mkdir("lockpilot-evals")))


@pytest.mark.timeout(900)
@pytest.mark.xfail(
    strict=False,
    raises=AssertionError,
    reason="issue 11: the offline planner does not reach the test-half thresholds yet (the lead drops this)",
)
def test_offline_planner_meets_the_thresholds_on_the_test_half(
    bundle: PlantBundle, command_store: CommandStore, knowledge: KnowledgeDesk
) -> None:
    harness = Harness(
        bundle,
        IncidentLibrary(LIBRARY, bundle.plant),
        command_store,
        copilot_factory(model=""),
        knowledge=knowledge,
    )
    report = harness.run(load_cases(half=Half.TEST))
    failing = [(f.case_id, f.problems + f.safety) for f in report.failing()]
    assert not report.safety_violations(), report.safety_violations()[:15]
    assert not report.below(THRESHOLDS, min_pass=PASS_THRESHOLD), (report.summary(), failing[:15])


def test_knowledge_search_runs_over_the_whole_corpus(
    pg_url: str, bundle: PlantBundle, knowledge: KnowledgeDesk
) -> None:
    """Every passage is indexed (cases cite any document), and the tools' search finds them."""
    import psycopg

    from knowledge.service import build_corpus

    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM knowledge_base WHERE plant = %s", (bundle.plant.name,)
        ).fetchone()
    assert row is not None and row[0] == len(build_corpus(bundle))
    hits = knowledge.search("a válvula de alívio abre com quantos bar?", limit=5)
    assert hits and all("#" in h.id for h in hits)
