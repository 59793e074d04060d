"""The whole plant corpus indexed in the machine's PostgreSQL: retrieval eval thresholds and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli.main import _register_parts, app
from knowledge.evaluate import EvalHalf, EvalQuestion, load_questions, run_eval, select_half, unknown_ids
from knowledge.search import KnowledgeBase, SearchMode
from knowledge.service import index_plant
from rules.bundle import PlantBundle
from tests.knowledge_helpers import REPO_ROOT, cached_embedder

# Issue 11's targets, on the 75 questions they were set on (eval.yaml's first 75): measured 0.973 / 0.946.
ISSUE_QUESTIONS = 75
ISSUE_HYBRID_MIN = {EvalHalf.ALL: 0.95, EvalHalf.HELD_OUT: 0.93}
# All 151 questions (76 harder ones added before the fusion was re-tuned): measured 0.914 / 0.893.
HYBRID_MIN = {EvalHalf.ALL: 0.90, EvalHalf.HELD_OUT: 0.88}
VECTOR_MIN = 0.85  # multilingual e5 alone, all questions: measured 0.881 (MiniLM: 0.623)
SEARCH_P95_MAX_MS = 150.0  # the target is 50 ms; the margin absorbs a busy test machine


@pytest.fixture(scope="module")
def indexed_url(pg_url: str, bundle: PlantBundle, request: pytest.FixtureRequest) -> str:
    report = index_plant(pg_url, bundle=bundle, embedder=cached_embedder(request.config))
    assert report.total == report.added > 150
    return pg_url


@pytest.fixture(scope="module")
def kb(indexed_url: str, request: pytest.FixtureRequest) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase.connect(indexed_url, embedder=cached_embedder(request.config))
    yield base
    base.close()


def test_eval_meets_the_targets(kb: KnowledgeBase) -> None:
    questions = load_questions(REPO_ROOT / "plants/lock/docs/eval.yaml")
    assert len(questions) > ISSUE_QUESTIONS
    assert unknown_ids(questions, kb.passage_ids()) == []
    report = run_eval(kb, questions)
    hybrid = report.score(SearchMode.HYBRID)
    assert hybrid.recall_at_k >= HYBRID_MIN[EvalHalf.ALL], hybrid.misses
    assert report.score(SearchMode.VECTOR).recall_at_k >= VECTOR_MIN
    assert hybrid.recall_at_k > report.score(SearchMode.VECTOR).recall_at_k
    assert hybrid.recall_at_k > report.score(SearchMode.FULLTEXT).recall_at_k  # fusion must add recall
    assert report.latency_p95_ms < SEARCH_P95_MAX_MS
    misses = set(hybrid.misses)

    def recall(subset: list[EvalQuestion]) -> float:
        return 1.0 - sum(1 for q in subset if q.text in misses) / len(subset)

    assert recall(select_half(questions, EvalHalf.HELD_OUT)) >= HYBRID_MIN[EvalHalf.HELD_OUT], misses
    for half, minimum in ISSUE_HYBRID_MIN.items():
        assert recall(select_half(questions[:ISSUE_QUESTIONS], half)) >= minimum, (half, misses)


def test_cli_search_json_and_eval(indexed_url: str) -> None:
    _register_parts()
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "knowledge",
            "search",
            "acabou a luz, o que faço?",
            "--json",
            "--limit",
            "2",
            "--database-url",
            indexed_url,
        ],
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 2 and hits[0]["citation"] == {"kind": "doc", "id": hits[0]["id"]}
    assert {"id", "document", "heading", "text", "score"} <= hits[0].keys()
    result = runner.invoke(app, ["knowledge", "eval", "--database-url", indexed_url])
    assert result.exit_code == 0, result.output
    assert "recall@3" in result.stdout and "hybrid" in result.stdout and "p95" in result.stdout
