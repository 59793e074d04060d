"""Every text the planner embeds for a plant: exemplar phrasings, tag descriptions, rule names and causes.

`lockpilot planner vectors` writes their vectors to the committed `vectors.npz`, and a test checks that the
file covers them all, so a fresh process never embeds hundreds of texts before its first answer.
"""

from __future__ import annotations

from agent.planner.intents import load_exemplars
from agent.planner.linker import equipment_phrases, mask_equipment, rule_texts, tag_texts
from rules.bundle import PlantBundle
from tools.rule_views import rule_view


def planner_texts(bundle: PlantBundle) -> list[str]:
    """The exemplars, then the plant's tag texts, then its rule texts (duplicates removed, order kept)."""
    phrases = equipment_phrases(bundle.commands)
    exemplars = [mask_equipment(t, phrases) for phrasings in load_exemplars().values() for t in phrasings]
    rules = [rule_view(r, bundle.plant) for r in bundle.rules.rules]
    return list(dict.fromkeys([*exemplars, *tag_texts(bundle.plant), *rule_texts(rules)]))
