"""Which rules a question is about, from the rules' own data: names, symptoms, equipment, tags read."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agent.planner import vocabulary as v
from agent.planner.symptoms import Symptom, symptoms_of
from lockpilot.text import STOPWORDS, word_matches, words, wordset
from tools.ports import RuleView

# Words of rule names too common to tell rules apart.
RULE_STOPWORDS = STOPWORDS | wordset(
    "sem nao com ao but not entre between acima abaixo above below limite limit muito very durante during "
    "while ou or se if active ativo ativa ativos ativas on"  # an alarm's state, not its name ("activated")
    " eclusa eclusas eclusagem eclusagens lock locks lockage lockages"  # the whole plant: no one rule's name
)


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """What a rule can be recognised by."""

    id: str
    equipment: str
    equipments: frozenset[str]  # its own and that of every tag its condition reads
    symptoms: frozenset[Symptom]
    words: frozenset[str]
    tags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Mention:
    """What a question says that can point to a rule."""

    words: list[str]
    symptoms: frozenset[Symptom]
    equipment: str | None
    tags: frozenset[str]
    alarm_named: bool = False  # "the oil temperature alarm": a rule on the measurement named is meant


def stem(word: str) -> str:
    """A word without its plural ending ("comportas" -> "comporta"), so plurals do not look distinctive."""
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def profile(rule: RuleView, tag_equipment: Mapping[str, str | None]) -> RuleProfile:
    """A rule's profile from its id, names and condition tags."""
    text = f"{rule.id} {rule.name.pt} {rule.name.en}"
    owners = {tag_equipment.get(t) for t in rule.tags} - {None}
    return RuleProfile(
        id=rule.id,
        equipment=rule.equipment,
        equipments=frozenset({rule.equipment, *(e for e in owners if e)}),
        symptoms=symptoms_of(text),
        words=frozenset(stem(w) for w in words(text) if w not in RULE_STOPWORDS),
        tags=frozenset(rule.tags),
    )


def _word_scores(question: list[str], profiles: list[RuleProfile]) -> dict[str, tuple[float, bool]]:
    """Per rule: idf of its name words the question names (typo-tolerant), and whether one is distinctive."""
    df: dict[str, int] = {}
    for p in profiles:
        for w in p.words:
            df[w] = df.get(w, 0) + 1
    n = len(profiles)
    distinctive = math.log(1 + n / 2)  # a word of at most two rules
    content = [stem(w) for w in question if w not in RULE_STOPWORDS and w not in v.COMMAND_VERBS]
    content = [w for w in content if w not in v.STATE_WORDS]
    out: dict[str, tuple[float, bool]] = {}
    for p in profiles:
        matched = [
            w for w in p.words if any(q == w or (len(w) >= 6 and word_matches(q, w) > 0) for q in content)
        ]
        idf = [math.log(1 + n / df[w]) for w in matched]
        out[p.id] = (sum(idf), max(idf, default=0.0) >= distinctive)
    return out


def _key(p: RuleProfile, m: Mention, word_score: float) -> tuple[int, int, int, float]:
    """Shared symptoms first, then the equipment, the tags asked about and the name words."""
    equipment = 2 if m.equipment == p.equipment else 1 if m.equipment in p.equipments else 0
    return (len(m.symptoms & p.symptoms), equipment, int(bool(m.tags & p.tags)), round(word_score, 6))


TOGETHER_MAX = 2  # rules a pair of common words may name together ("temperatura" + "óleo": high, very high)
TOGETHER_MARGIN = 1.5  # idf by which they must lead every other rule


def _named_together(
    m: Mention, ps: list[RuleProfile], by_words: dict[str, tuple[float, bool]]
) -> list[tuple[tuple[int, int, int, float], int, str]]:
    """The one or two rules an alarm's words name only together, well ahead of every other rule."""
    ranked = sorted(ps, key=lambda p: -by_words[p.id][0])
    best = by_words[ranked[0].id][0]
    lead = [p for p in ranked if by_words[p.id][0] == best]
    rest = [by_words[p.id][0] for p in ranked[len(lead) :]]
    if best <= 0 or len(lead) > TOGETHER_MAX or (rest and best - rest[0] < TOGETHER_MARGIN):
        return []
    return [(_key(p, m, best), -len(p.words), p.id) for p in lead]


def rank_rules(m: Mention, profiles: Iterable[RuleProfile]) -> list[str]:
    """The rules the question is about, best first; several only when they are equally likely."""
    ps = list(profiles)
    if not ps:
        return []
    by_words = _word_scores(m.words, ps)
    keyed = [
        (_key(p, m, by_words[p.id][0]), -len(p.words), p.id)
        for p in ps
        if m.symptoms & p.symptoms
        or (by_words[p.id][1] and m.equipment in (None, *p.equipments))
        or (m.alarm_named and m.tags & p.tags)
    ]
    if not keyed and m.alarm_named:  # "o alarme de temperatura do óleo": no one word is distinctive, both are
        keyed = _named_together(m, ps, by_words)
    if not keyed:
        return []
    keyed.sort(key=lambda k: (k[0], k[1]), reverse=True)  # stable: ties keep the rule file's order
    best = keyed[0][0]
    return [rule_id for key, _, rule_id in keyed if key == best]


_PROFILES: dict[tuple[str, ...], list[RuleProfile]] = {}


def profiles_for(rules: list[RuleView], tag_equipment: Mapping[str, str | None]) -> list[RuleProfile]:
    """The rules' profiles, computed once per rule set."""
    key = tuple(f"{r.id}|{r.name.pt}|{r.name.en}|{r.equipment}|{','.join(r.tags)}" for r in rules)
    if key not in _PROFILES:
        _PROFILES.clear()
        _PROFILES[key] = [profile(r, tag_equipment) for r in rules]
    return _PROFILES[key]
