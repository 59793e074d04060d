"""Chat shorthand of Brazilian operators spelled out ("qto tá a pressão?" -> "quanto tá a pressão?")."""

from __future__ import annotations

import re

SHORTHAND: dict[str, str] = {
    "qto": "quanto",
    "qta": "quanta",
    "qtos": "quantos",
    "qtas": "quantas",
    "qnto": "quanto",
    "qdo": "quando",
    "qnd": "quando",
    "pq": "por que",
    "oq": "o que",
    "vc": "você",
    "vcs": "vocês",
    "tb": "também",
    "tbm": "também",
    "td": "tudo",
    "tds": "todos",
    "hj": "hoje",
    "agr": "agora",
    "dps": "depois",
    "msm": "mesmo",
    "mto": "muito",
    "mt": "muito",
    "ngm": "ninguém",
    "nd": "nada",
    "pfv": "por favor",
    "pf": "por favor",
    "obg": "obrigado",
    "vlw": "valeu",
    "blz": "beleza",
    "ñ": "não",
    "cmg": "comigo",
    "qq": "qualquer",
}
_WORD = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, sorted(SHORTHAND, key=len, reverse=True))) + r")(?![\w-])",
    re.IGNORECASE,
)


def spelled_out(text: str) -> str:
    """The text with chat shorthand replaced by the words it stands for (case of the rest kept)."""
    return _WORD.sub(lambda m: SHORTHAND[m.group(1).lower()], text)
