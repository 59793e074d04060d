"""Chunking, stable ids, the FAQ, generated rule pages, rank fusion and typo correction (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.corpus import Category, chunk_markdown, load_corpus, load_faq
from knowledge.evaluate import load_questions, unknown_ids
from knowledge.fulltext import Vocabulary, fold, tsquery_text
from knowledge.hybrid import reciprocal_rank_fusion
from knowledge.service import build_corpus
from rules.bundle import PlantBundle
from tests.knowledge_helpers import REPO_ROOT

PAGE = """<!-- category: procedimento -->
# Falta de energia (power loss)

## Sinais (signs)
A tensão cai a zero.

## O que fazer
1. Confirme o gerador.

## O que fazer
Segunda seção com o mesmo título.
"""


def test_one_passage_per_heading_with_stable_ids() -> None:
    passages = chunk_markdown("falta-energia", PAGE)
    assert [p.id for p in passages] == [
        "falta-energia#sinais",
        "falta-energia#o-que-fazer",
        "falta-energia#o-que-fazer-2",
    ]
    assert all(p.category is Category.PROCEDIMENTO for p in passages)
    assert passages[0].heading == "Sinais (signs)"
    assert passages[0].topic == "Falta de energia (power loss)"
    assert [p.id for p in chunk_markdown("falta-energia", PAGE)] == [p.id for p in passages]


def test_hash_changes_only_with_content() -> None:
    before = {p.id: p.content_hash for p in chunk_markdown("doc", PAGE)}
    edited = {p.id: p.content_hash for p in chunk_markdown("doc", PAGE.replace("zero.", "zero volts."))}
    changed = {pid for pid in before if before[pid] != edited[pid]}
    assert changed == {"doc#sinais"}


def test_long_sections_split_at_paragraphs() -> None:
    body = "\n\n".join(f"Parágrafo {i} " + "texto " * 60 for i in range(6))
    passages = chunk_markdown("doc", f"# T\n\n## Longa\n{body}\n", max_chars=800)
    assert [p.id for p in passages][:2] == ["doc#longa", "doc#longa-p2"]
    assert all(len(p.answer) <= 800 for p in passages)


def test_faq_has_the_knowledge_base_shape() -> None:
    faq = load_faq(REPO_ROOT / "plants/lock/docs/faq.yaml")
    assert len(faq) >= 20
    entry = next(p for p in faq if p.id == "faq#tempo-enchimento")
    assert entry.question and entry.answer and entry.keywords and entry.topic == "Enchimento"
    assert entry.category is Category.FAQ


def test_faq_entry_without_answer_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("faq:\n  - {id: x, topic: T, question: Q}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks answer"):
        load_faq(path)


def test_plant_corpus_loads_with_generated_rule_pages(bundle: PlantBundle) -> None:
    passages = build_corpus(bundle)
    ids = {p.id for p in passages}
    for rule in (
        "cavitacao_bomba",
        "sobrepressao_sistema",
        "travamento_comporta_montante",
        "travamento_comporta_jusante",
    ):
        assert {f"regras/{rule}#causa-e-consequencia", f"regras/{rule}#o-que-fazer"} <= ids
    page = next(p for p in passages if p.id == "regras/sobrepressao_sistema#causa-e-consequencia")
    assert "8.5" in page.answer and "30 s" in page.answer  # values come from parameters.yaml
    assert len(passages) == len(ids)


def test_eval_set_points_at_real_passages(bundle: PlantBundle) -> None:
    questions = load_questions(REPO_ROOT / "plants/lock/docs/eval.yaml")
    assert len(questions) >= 60
    corpus = build_corpus(bundle)
    assert unknown_ids(questions, {p.id for p in corpus}) == []


def test_generated_dir_is_not_indexed_twice(tmp_path: Path) -> None:
    (tmp_path / "gerado" / "regras").mkdir(parents=True)
    (tmp_path / "gerado" / "regras" / "x.md").write_text("# X\n\n## A\ntexto\n", encoding="utf-8")
    (tmp_path / "pagina.md").write_text("# P\n\n## A\ntexto\n", encoding="utf-8")
    assert [p.id for p in load_corpus(tmp_path)] == ["pagina#a"]


def test_rrf_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d", "a"]], k=60)
    assert [pid for pid, _ in fused][:2] == ["b", "a"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("compota", "comporta"),
        ("presao", "pressao"),
        ("valvla", "valvula"),
        ("comporta", "comporta"),
        ("emergencai", "emergencia"),
        ("xyz", "xyz"),
    ],
)
def test_typos_are_corrected_against_the_corpus(typed: str, fixed: str) -> None:
    vocabulary = Vocabulary(["A comporta de montante", "pressão do sistema", "válvula", "emergência"])
    assert vocabulary.correct(typed) == fixed


def test_query_folding_matches_the_database_function() -> None:
    assert fold("Câmara ÁGUA Pressão Ação") == "camara agua pressao acao"
    assert tsquery_text(["bomba", "cavitacao", "a|b"]) == "bomba | cavitacao"
