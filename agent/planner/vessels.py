"""A vessel's passage asked in the lockmaster's words ("o rebocador já pode entrar?", "posso liberar a
chata?"): whether the gate on its side is fully open and the signal green, from the readings of that side."""

from __future__ import annotations

import re
from typing import Any

from agent.planner.answer_readings import Voice
from lockpilot.text import words, wordset

SIDES = ("montante", "jusante")
_VESSELS = wordset(
    "barco barcos embarcacao embarcacoes chata chatas comboio comboios rebocador rebocadores lancha lanchas "
    "navio navios balsa balsas barcaca barcacas vessel vessels boat boats barge barges tow tows tug tugs ship"
)
_MOVES = re.compile(
    r"\b(?:entrar|entra|sair|sai|passar|passa|liberar|libera|libero|soltar|solta|solto|seguir|segue|"
    r"atracar|chamar|chamo|enter|leave|go in|come in|exit|move in|proceed|pass|release|let)\b"
)
_SIDE_WORDS = {
    "montante": ("montante", "upstream", "de cima", "upper"),
    "jusante": ("jusante", "downstream", "de baixo", "lower"),
}


def passage_asked(folded: str) -> bool:
    """A vessel and its moving in or out named together ("a chata já pode sair?", "can the tug enter?")."""
    return bool(_VESSELS.intersection(words(folded))) and _MOVES.search(folded) is not None


_RAISED_OR_LOWERED = re.compile(
    r"\b(?:subindo|descendo|baixando|going up|going down|being (?:raised|lowered))\b"
)


def vessel_moved(folded: str) -> bool:
    """A vessel being raised or lowered ("já tá descendo a chata?"): what the lock is doing with it."""
    return bool(_VESSELS.intersection(words(folded))) and _RAISED_OR_LOWERED.search(folded) is not None


def passage_side(folded: str) -> str | None:
    """The side the passage is asked of ("pra montante", "downstream"), None when it names none or both."""
    named = [side for side, said in _SIDE_WORDS.items() if any(re.search(rf"\b{w}\b", folded) for w in said)]
    return named[0] if len(named) == 1 else None


def passage_tags(side: str | None) -> list[str]:
    """What a passage on a side depends on: its signal, its gate's open limit switch and the gate position."""
    return [
        tag
        for s in ([side] if side else SIDES)
        for tag in (f"sinal_{s}_verde", f"comporta_{s}_aberta", f"posicao_comporta_{s}")
    ]


def passage_sentence(readings: list[dict[str, Any]], v: Voice) -> str | None:
    """Yes when a side's gate is fully open and its signal green; else why not yet, with the positions."""
    values = {r["tag"]: r.get("value") for r in readings if r.get("freshness") == "current"}
    doubted = sorted({a for r in readings for a in r.get("suspect_by") or []})
    sides = [s for s in SIDES if f"posicao_comporta_{s}" in values or f"comporta_{s}_aberta" in values]
    if not sides:
        return None
    if doubted:  # an open gate read through a lost link is no "yes": what it reads, and why it is doubted
        return v.say(
            f"Não dá para confirmar: as leituras da comporta e do semáforo são suspeitas "
            f"({', '.join(doubted)}); confirme no local antes de liberar a embarcação.",
            f"Cannot confirm: the gate and signal readings are suspect ({', '.join(doubted)}); check on site "
            "before letting the vessel move.",
        )
    for s in sides:
        if values.get(f"comporta_{s}_aberta") is True and values.get(f"sinal_{s}_verde") is True:
            where = v.say(f"de {s}", "upstream" if s == "montante" else "downstream")
            return v.say(
                f"Sim: a comporta {where} está totalmente aberta e o semáforo {where} está verde.",
                f"Yes: the {where} gate is fully open and the {where} signal is green.",
            )
    said = []
    for s in sides:
        where = v.say(f"de {s}", "upstream" if s == "montante" else "downstream")
        position = values.get(f"posicao_comporta_{s}")
        at = v.number(position, "%") if isinstance(position, int | float) else "—"
        opened = values.get(f"comporta_{s}_aberta") is True
        said.append(
            v.say(
                f"a comporta {where} {'está aberta' if opened else f'não está totalmente aberta ({at})'} e o "
                f"semáforo {where} {'está verde' if values.get(f'sinal_{s}_verde') else 'não está verde'}",
                f"the {where} gate is {'open' if opened else f'not fully open ({at})'} and the {where} "
                f"signal is {'green' if values.get(f'sinal_{s}_verde') else 'not green'}",
            )
        )
    return v.say("Ainda não: ", "Not yet: ") + "; ".join(said) + "."
