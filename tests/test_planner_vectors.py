"""The committed vector cache covers every text the planner embeds, so a fresh process starts answering at
once; and the intents file names only known intents, each with phrasings in both languages."""

from __future__ import annotations

import numpy as np

from agent.planner.intents import load_exemplars
from agent.planner.lexical import detect_language
from agent.planner.question import Intent
from agent.planner.semantic import VECTORS_FILE, text_key
from agent.planner.vector_texts import planner_texts
from lockpilot.language import Language
from lockpilot.text import words
from rules.bundle import PlantBundle


def test_vectors_file_covers_every_planner_text(bundle: PlantBundle) -> None:
    with np.load(VECTORS_FILE) as data:
        keys = set(data["keys"].tolist())
        vectors = data["vectors"].astype(np.float32)
    missing = [t for t in planner_texts(bundle) if text_key(t) not in keys]
    assert not missing, (
        f"run `lockpilot planner vectors`: {len(missing)} texts are missing, e.g. {missing[:3]}"
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)


def test_every_intent_has_phrasings_in_both_languages() -> None:
    exemplars = load_exemplars()
    spoken = set(Intent) - {Intent.CLARIFY}
    assert set(exemplars) == spoken
    for intent, phrasings in exemplars.items():
        languages = {detect_language(words(p)) for p in phrasings}
        assert languages == {Language.PT, Language.EN} or intent is Intent.GREETING, intent
