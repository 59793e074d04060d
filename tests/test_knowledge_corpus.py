"""Chunking, stable ids, the FAQ, generated rule pages, rank fusion and typo correction (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.corpus import Category, Passage, chunk_markdown, load_corpus, load_faq
from knowledge.evaluate import load_questions, unknown_ids
from knowledge.fulltext import Vocabulary, fold, tsquery_text
from knowledge.hybrid import reciprocal_rank_fusion, standard_score_fusion
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


def test_standard_score_fusion_weighs_scales_alike() -> None:
    # Cosines crowd near 0.8, full-text ranks spread over 0-10: standardised, neither scale wins by size.
    vector = [("a", 0.90), ("b", 0.85), ("c", 0.80), ("d", 0.79)]
    fulltext = [("b", 9.0), ("d", 8.0), ("e", 1.0), ("f", 0.5)]
    fused = [pid for pid, _ in standard_score_fusion([vector, fulltext], weights=[0.5, 0.5], depth=3)]
    assert fused[0] == "b"  # second in one, first in the other
    assert fused.index("a") < fused.index("e")  # absent from the full-text top counts as its lowest
    assert fused[-1] == "f"  # in neither first three: after every fused item, by its best rank
    alone = standard_score_fusion([[], fulltext], weights=[0.5, 0.5], depth=3)
    assert [pid for pid, _ in alone] == ["b", "d", "e", "f"]  # an empty ranking adds nothing
    with pytest.raises(ValueError):
        standard_score_fusion([vector], weights=[1.0, 2.0], depth=3)


def test_embed_text_reads_tag_names_as_words() -> None:
    passage = Passage(
        id="x#y",
        document="x",
        heading="Sinais (signs)",
        topic="Falta de energia",
        answer="`energia_principal_ok` falso indica perda da alimentação.",
        category=Category.PROCEDIMENTO,
    )
    assert (
        passage.embed_text
        == "Falta de energia - Sinais (signs)\nenergia principal ok falso indica perda da alimentação."
    )


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
