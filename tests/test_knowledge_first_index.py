"""While the first knowledge index runs, the copilot says so and about how long, never "not available"."""

from __future__ import annotations

from datetime import UTC, datetime

from lockpilot.clock import ManualClock
from rules.bundle import PlantBundle
from storage.migrate import migrate
from tools.adapters import KnowledgeAdapter, mark_indexed, mark_indexing
from tools.context import ToolContext
from tools.knowledge import search_knowledge


def test_an_empty_index_being_built_says_still_indexing(bundle: PlantBundle, pg_url: str) -> None:
    migrate(pg_url)
    ctx = ToolContext(
        bundle=bundle,
        clock=ManualClock(datetime(2026, 11, 24, tzinfo=UTC)),
        current=lambda tags: {},
        knowledge=KnowledgeAdapter(pg_url, bundle.plant),
    )
    mark_indexing(bundle.plant.name, expected_s=90.0)
    try:
        during = search_knowledge(ctx, "o que fazer em caso de cavitação da bomba?")
    finally:
        mark_indexed(bundle.plant.name)
    assert during.error is not None and during.error.startswith(
        "the knowledge base is still indexing (about "
    )
    assert during.error.endswith(" s)") and 5 <= int(during.error.split("about ")[1].split(" s")[0]) <= 90
    after = search_knowledge(ctx, "o que fazer em caso de cavitação da bomba?")
    assert after.error is None or "still indexing" not in after.error
