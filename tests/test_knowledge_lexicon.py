"""Cross-lingual full-text: the bilingual-heading lexicon, query language, the English field, eval halves."""

from __future__ import annotations

import psycopg
import pytest

from knowledge import store
from knowledge.evaluate import EvalHalf, EvalQuestion, select_half
from knowledge.fulltext import Language, query_language
from knowledge.lexicon import align, bilingual_pairs, build_lexicon


def test_bilingual_pairs_split_titles_and_skip_tag_names() -> None:
    titles = [
        "Comporta mitra (mitre gate)",
        "Cavitação (cavitation)",
        "Pressão (`pressao_sistema`)",
        "Passos",
    ]
    assert bilingual_pairs([*titles, titles[0]]) == [
        ("Comporta mitra", "mitre gate"),
        ("Cavitação", "cavitation"),
    ]


def test_align_keeps_the_best_co_occurring_stem() -> None:
    lexicon = align(
        [
            (["comport"], ["gate"]),
            (["comport", "mitr"], ["mitr", "gate"]),
            (["comport", "jusant"], ["downstream", "gate"]),
            (["valvul", "jusant"], ["downstream", "valv"]),
        ]
    )
    pairs = set(zip(lexicon.english, lexicon.portuguese, strict=True))
    assert {("gate", "comport"), ("mitr", "mitr"), ("downstream", "jusant"), ("valv", "valvul")} <= pairs
    assert ("gate", "jusant") not in pairs and ("downstream", "valvul") not in pairs


def test_select_half_alternates_and_covers_every_question() -> None:
    questions = [EvalQuestion(f"q{i}", ("x",)) for i in range(5)]
    tuning, held_out = select_half(questions, EvalHalf.TUNING), select_half(questions, EvalHalf.HELD_OUT)
    assert [q.text for q in tuning] == ["q0", "q2", "q4"] and [q.text for q in held_out] == ["q1", "q3"]
    assert select_half(questions, EvalHalf.ALL) == questions


@pytest.fixture(scope="module")
def migrated(pg_url: str) -> str:
    store.ensure_schema(pg_url)
    return pg_url


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("what is the normal hydraulic system pressure", Language.ENGLISH),
        ("level transmitters A and B disagree", Language.ENGLISH),
        ("a emergencia fecha as valvulas?", Language.PORTUGUESE),
        ("o que é cavitaçao", Language.PORTUGUESE),
        ("culvert valve stuck", Language.PORTUGUESE),  # no stopwords either way: Portuguese first
    ],
)
def test_query_language_by_stopwords(migrated: str, query: str, language: Language) -> None:
    with psycopg.connect(migrated) as conn:
        assert query_language(conn, query) is language


def test_build_lexicon_stems_with_postgres(migrated: str) -> None:
    titles = ["Enchimento (filling)", "Taxa de enchimento (filling rate)", "Câmara (lock chamber)"]
    with psycopg.connect(migrated) as conn:
        lexicon = build_lexicon(conn, titles)
    pairs = set(zip(lexicon.english, lexicon.portuguese, strict=True))
    assert ("fill", "enchiment") in pairs and ("chamber", "cam") in pairs
