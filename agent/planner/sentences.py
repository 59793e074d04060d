"""The sentences of a message that carry the question: without the ones that only introduce the person
asking, the asides that name nothing of the plant, and the judging sentences that name no measurement."""

from __future__ import annotations

import re
from collections.abc import Mapping

from agent.planner.lexical import find_equipment
from agent.planner.linker import with_vocabulary
from agent.planner.symptoms import FAULT_CUES, cue_in, symptoms_of
from lockpilot.plant import Plant
from lockpilot.plant.commands import CommandBook
from lockpilot.text import content_words, fold, words

QUESTION_END = re.compile(r"(?<=[?!.])\s+")  # where a sentence of a question ends
STEM_LETTERS = 6  # "hydraulics" is the plant's "hydraulic"; "isolamento" is no word of it


# A sentence that only says who is asking ("Sou da manutenção mecânica.", "I'm the night operator.").
_SELF_INTRODUCTION = re.compile(
    r"^\s*(?:eu )?(?:sou|aqui (?:e|é)|falo (?:da|do|pela|pelo)|i'?m|i am|this is|here'?s)\b[^?]*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!])\s+")


def without_introduction(text: str) -> str:
    """The message without the sentences that only introduce the person asking, when more is said."""
    sentences = _SENTENCE_END.split(text.strip())
    kept = [s for s in sentences if not _SELF_INTRODUCTION.match(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else text


def without_asides(text: str, *, vocabulary: frozenset[str], book: CommandBook) -> str:
    """A message that asks: without the statements before or between its questions that name nothing of the
    plant ("beleza, vou medir isolamento. o enrolamento tá com quantos graus?"). A statement naming the
    plant (its tags' `vocabulary`, its equipment) stays: the question may lean on it ("a comporta tá abrindo
    torta. qual que tá parada?")."""
    sentences = QUESTION_END.split(text.strip())
    if len(sentences) < 2 or not any("?" in s for s in sentences):
        return text
    last_question = max(i for i, s in enumerate(sentences) if "?" in s)
    stems = frozenset(w[:STEM_LETTERS] for w in vocabulary)

    def names_the_plant(sentence: str) -> bool:
        said = content_words(fold(sentence))
        return any(w[:STEM_LETTERS] in stems for w in said) or find_equipment(said, book=book) is not None

    def aside(sentence: str) -> bool:
        folded = fold(sentence)
        return not (
            "?" in sentence
            or names_the_plant(sentence)
            or symptoms_of(folded)
            or cue_in(FAULT_CUES, words(folded))
        )

    if not any(names_the_plant(s) for s in sentences if "?" in s):
        return text  # "Screens froze and nothing updates. What do I do?": the question leans on the rest
    kept = [s for i, s in enumerate(sentences) if i > last_question or not aside(s)]  # "…? as duas" stays
    return " ".join(kept) if kept and len(kept) < len(sentences) else text


def measured_sentences(
    folded: str, text: str, *, measurands: Mapping[str, str], book: CommandBook
) -> tuple[str, str] | None:
    """The sentences that name what is measured, folded and as written: "qual foi a vibração máxima …?
    quero saber se passou da zona D" links the first; a later one naming no measurement nor equipment only
    judges it. None when every sentence counts."""
    sentences, written = QUESTION_END.split(folded), QUESTION_END.split(text.strip())
    if len(sentences) < 2 or len(written) != len(sentences):
        return None
    kept = [
        i
        for i, s in enumerate(sentences)
        if i == 0 or measurands.keys() & set(words(s)) or find_equipment(words(s), book=book) is not None
    ]
    if len(kept) == len(sentences):
        return None
    return " ".join(sentences[i] for i in kept), " ".join(written[i] for i in kept)


def site_terms(text: str, plant: Plant, *, tag_words: frozenset[str]) -> str:
    """The plant's own terms for the site words a text uses ("caiu na água": "pessoa na água"), leaving out
    the names of places and equipment (the `tag_words`): what a situation is, to search the documents for."""
    found = with_vocabulary(text, plant)[len(fold(text)) :]
    kept = [
        term
        for canonical in plant.vocabulary
        if (term := fold(canonical)) in found and not set(words(term)) <= tag_words
    ]
    return " ".join(kept)
