"""Radio framing around a question: who is called ("sala,", "central,", "manutenção pra sala:"), who is
calling ("eletricista aqui."), and the sign-off ("câmbio", "over"). None of it is the question."""

from __future__ import annotations

import re

_CALLED = (
    r"(?:sala(?: de controle)?|central|controle|cco|operador|operacao|operação|control room|control|eclusa"
    r"|lock control)"
)
# "sala, ...", "central: ...", "manutenção pra sala: ...", "campo para central, ..."
_VOCATIVE = re.compile(
    rf"^\s*(?:(?:[\wçãéêíóõú]+ ){{0,3}}(?:pra|para|p/|to) (?:a )?)?{_CALLED}\s*[,:;.!-]\s*", re.IGNORECASE
)
# "eletricista aqui.", "aqui é a manutenção na casa de bombas.", "campo falando."
_CALLER = re.compile(
    r"^\s*(?:[\wçãéêíóõú]+ ){0,3}(?:aqui|falando|na escuta)\s*[,.;:!]\s*"
    r"|^\s*aqui (?:(?:e|é) [^?.,;:!]*|[\wçãéêíóõú]+)[.,;:!]\s*"
    # a boat master names the boat: "comandante do comboio que tá na câmara.", "this is the tug Tietê,"
    r"|^\s*(?:(?:aqui (?:e|é)|this is) )?(?:o |a |the )?(?:comandante|mestre|pr[aá]tico|capit[aã]o|skipper|"
    r"captain|master)\b[^?.,;:!]*[.,;:!]\s*",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"[\s,.;:!-]*\b(?:c[aâ]mbio(?: e desligo)?|over(?: and out)?|qsl|copy)\W*$", re.IGNORECASE
)


def without_radio(text: str) -> str:
    """The message without its radio call, caller and sign-off; the text itself when that is all it is."""
    stripped = _SIGN_OFF.sub("", text)
    stripped = _VOCATIVE.sub("", stripped, count=1)
    stripped = _CALLER.sub("", stripped, count=1)
    stripped = stripped.strip(" ,;:-")
    return stripped or text
