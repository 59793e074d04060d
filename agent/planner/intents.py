"""Recognise a question's intent by its nearest exemplar phrasings (intents.yaml), in vector space."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from agent.planner.question import Intent
from agent.planner.semantic import VectorCache

INTENTS_FILE = Path(__file__).resolve().parent / "intents.yaml"
TOP_K = 2  # an intent's score: the mean similarity of its two nearest exemplars


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: Intent
    score: float


def load_exemplars(path: Path = INTENTS_FILE) -> dict[Intent, list[str]]:
    """Exemplar phrasings per intent; an unknown intent name in the file is an error naming it."""
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    out: dict[Intent, list[str]] = {}
    for name, phrasings in tree.items():
        try:
            intent = Intent(name)
        except ValueError:
            raise ValueError(f"{path.name}: unknown intent '{name}'") from None
        out[intent] = [str(p) for p in phrasings]
    return out


class IntentModel:
    """Exemplar vectors grouped by intent (exemplars masked as questions are: equipment names replaced)."""

    def __init__(
        self, exemplars: dict[Intent, list[str]], cache: VectorCache, *, mask: Callable[[str], str] = str
    ) -> None:
        self.texts = [mask(t) for phrasings in exemplars.values() for t in phrasings]
        self.labels = [i for i, phrasings in exemplars.items() for _ in phrasings]
        self.matrix = cache.vectors(self.texts)
        self._rows = {i: np.array([k for k, lab in enumerate(self.labels) if lab is i]) for i in exemplars}

    def rank(self, vector: np.ndarray) -> list[IntentScore]:
        """Every intent with its score, best first."""
        sims = self.matrix @ vector
        scores = []
        for intent, rows in self._rows.items():
            best = np.sort(sims[rows])[::-1][:TOP_K]
            scores.append(IntentScore(intent, float(best.mean())))
        return sorted(scores, key=lambda s: -s.score)

    def nearest(self, vector: np.ndarray) -> tuple[str, float]:
        """The single nearest exemplar and its similarity (for explanations and tests)."""
        sims = self.matrix @ vector
        k = int(np.argmax(sims))
        return self.texts[k], float(sims[k])


@lru_cache(maxsize=1)
def shared_cache() -> VectorCache:
    """The process-wide vector cache (the committed vectors.npz, then memory)."""
    return VectorCache()
