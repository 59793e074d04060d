"""Fault and symptom words (pt and en), found alike in an operator's question and in a rule's own text."""

from __future__ import annotations

from enum import StrEnum

from lockpilot.text import edit_distance, words


class Symptom(StrEnum):
    """What can be wrong, as operators and rule names say it."""

    JAM = "jam"
    CAVITATION = "cavitation"
    OVERCURRENT = "overcurrent"
    OVERPRESSURE = "overpressure"
    PRESSURE_LOSS = "pressure_loss"
    OVERHEAT = "overheat"
    VIBRATION = "vibration"
    FROZEN = "frozen"
    DISAGREE = "disagree"
    OUT_OF_STEP = "out_of_step"
    LINK_LOSS = "link_loss"
    NOT_RUNNING = "not_running"
    OVERFILL = "overfill"
    UNDERFILL = "underfill"
    RATE = "rate"
    NOT_SEALED = "not_sealed"
    CLOGGED = "clogged"
    LOW_OIL = "low_oil"
    POWER_LOSS = "power_loss"
    EMERGENCY = "emergency"
    WIND = "wind"
    STROKE_TIME = "stroke_time"
    HEAD = "head"
    TOGETHER = "together"
    LOCAL_MODE = "local_mode"
    SEQUENCE_FAULT = "sequence_fault"


# Each cue is stems joined by "+" that must all occur (any order); a symptom is present when any cue is.
# A stem matches a word equal to it, or, when it has 4 letters or more, a word it begins ("x$": only x).
_CUES: dict[Symptom, str] = {
    Symptom.JAM: "travam travou travad travo emper jam jamm stuck presa$ preso$ agarr enrosc bloquead "
    "blocked",
    Symptom.CAVITATION: "cavit cavitacao cavitation ronc pedra+bomba cascalh gravel marbles",
    Symptom.OVERCURRENT: "sobrecorrent overcurrent sobrecarga overload corrente+alta current+high "
    "rele+termico thermal+relay",
    Symptom.OVERPRESSURE: "sobrepress overpress pressao+alta pressure+high",
    Symptom.PRESSURE_LOSS: "despressuriz depressuris depressuriz sem+pressao pressao+baixa pressure+low "
    "lost+pressure",
    Symptom.OVERHEAT: "esquent aquec quente overheat hot temperatura+alta temperature+high "
    "temperatura+elevada",
    Symptom.VIBRATION: "vibrando vibrating vibracao+alta vibration+high trepid barulh ruido noise noisy "
    "rangend grinding",
    Symptom.FROZEN: "congel frozen freez nao+varia not+changing nao+muda nao+mexe nao+atualiz not+updating",
    Symptom.DISAGREE: "diverg disagree discrep nao+bate don+match",
    Symptom.OUT_OF_STEP: "assimetr sincron desalinh misalign out+step desencontr so+lado one+side "
    "uma+anda+outra outra+parada other+stopped",
    Symptom.LINK_LOSS: "comunicacao communication link heartbeat atualiz updating conexao connection offline",
    Symptom.NOT_RUNNING: "fora+run clp+run plc+run cpu+run",
    Symptom.OVERFILL: "transbord overfill overflow",
    Symptom.UNDERFILL: "overempty abaixo+minimo below+minimum",
    Symptom.RATE: "taxa+acima taxa+excessiv rapido+demais too+fast rate+above",
    Symptom.NOT_SEALED: "vedacao vedada vedou mitr vazament leak",
    Symptom.CLOGGED: "obstru entup clog filtro+sujo strainer",
    Symptom.LOW_OIL: "oleo+baixo oil+low falta+oleo",
    Symptom.POWER_LOSS: "falta+energia sem+energia power+lost blackout apagao",
    Symptom.EMERGENCY: "emergenc emergency stop+button",
    Symptom.WIND: "vento+forte muito+vento ventania ventando rajada strong+wind high+wind wind+high gust "
    "windy",
    Symptom.STROKE_TIME: "tempo+curso stroke+time demorando demorou",
    Symptom.HEAD: "desnivel against+head",
    Symptom.TOGETHER: "mesmo+tempo simultane together",
    Symptom.LOCAL_MODE: "modo+local local+control",
    Symptom.SEQUENCE_FAULT: "sequencia+interromp sequencia+falh sequence+stopped passo+excedeu overdue",
}
# A reading that is "stuck" or "locked" is a frozen sensor, not a jammed machine.
MEASUREMENT_WORDS = frozenset(
    words(
        "sensor sensores transmissor transmissores transmitter transmitters leitura leituras reading "
        "readings medicao medida indicacao valor value nivel level"
    )
)
# Words that say something went wrong, without saying what.
_FAULT_CUES = (
    "falha falhou defeito problema trip tripou tripped desarm caiu fault failure failed wrong nao+abre "
    "nao+fecha nao+liga nao+parte nao+funciona won+open won+start doesn+open sozinh itself anormal$ "
    "anormalidade abnormal estranh deu+pau pifou pifado quebrou quebrada quebrado deu+problema deu+ruim "
    "broke broken busted errado errada pane"
)

Cues = tuple[tuple[str, ...], ...]


def cues(text: str) -> Cues:
    """Cues written as space-separated words, each word stems joined by "+"."""
    return tuple(tuple(cue.split("+")) for cue in text.split())


CUES: dict[Symptom, Cues] = {symptom: cues(text) for symptom, text in _CUES.items()}
FAULT_CUES = cues(_FAULT_CUES)


def stem_in(stem: str, text_words: list[str]) -> bool:
    """True when a word of the text is the stem, begins with it, or (long stems) does so within one typo;
    a stem ending in "$" matches only the whole word."""
    if stem.endswith("$"):  # a whole word only ("preso", not "pressão" mistyped "presao")
        return stem[:-1] in text_words
    for word in text_words:
        if word == stem or (len(stem) >= 4 and word.startswith(stem)):
            return True
        if len(stem) >= 7 and any(
            edit_distance(word[:k], stem) <= 1 for k in range(len(stem) - 1, len(stem) + 2)
        ):
            return True
    return False


def cue_in(cues: Cues, text_words: list[str]) -> bool:
    """True when every stem of some cue occurs in the text."""
    return any(all(stem_in(stem, text_words) for stem in cue) for cue in cues)


def symptoms_of(text: str) -> frozenset[Symptom]:
    """The symptoms a text names; a jammed reading counts as a frozen sensor."""
    text_words = words(text)
    found = {s for s, rule_cues in CUES.items() if cue_in(rule_cues, text_words)}
    if Symptom.JAM in found and MEASUREMENT_WORDS.intersection(text_words):
        found = (found - {Symptom.JAM}) | {Symptom.FROZEN}
    return frozenset(found)


def names_a_fault(text: str) -> bool:
    """True when the text says something went wrong (a symptom, or a generic fault word)."""
    return bool(symptoms_of(text)) or cue_in(FAULT_CUES, words(text))
