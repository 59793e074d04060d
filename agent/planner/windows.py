"""Time windows, aggregates and thresholds in a question ("o maior nível nos últimos 5 minutos")."""

from __future__ import annotations

import re

from agent.planner import vocabulary as v
from agent.planner.question import Aggregate, Threshold

_AMOUNT_WORDS = "|".join(sorted(v.NUMBER_WORDS, key=len, reverse=True))
_UNIT = r"(s|seg\w*|sec\w*|min\w*|h|hrs?|horas?|hours?|dias?|days?|semanas?|weeks?)\b"
WINDOW = re.compile(
    r"(?:ultim[oa]s?|last|past|nos|nas|in the|over the|nesses|nessas|nestes|nestas|desses|dessas|in those"
    r"|those|these)(?:\s+(?:mesm[oa]s|same|ultim[oa]s|last))?"
    rf"\s+(?:(\d+(?:[.,]\d+)?)\s*|({_AMOUNT_WORDS})\s+)?" + _UNIT + r"(\s+(?:e meio|e meia|and a half))?"
)
# "3 minutos atrás", "há 10 min", "5 minutes ago": the value back then.
AGO = re.compile(
    rf"\b(?:ha|faz)\s+(?:(\d+(?:[.,]\d+)?)\s*|({_AMOUNT_WORDS})\s+){_UNIT}"
    rf"|(?:(\d+(?:[.,]\d+)?)\s*|\b({_AMOUNT_WORDS})\s+){_UNIT}\s*(?:atras|ago)\b"
)
_TREND = re.compile(
    r"\b(subindo|descendo|caindo|baixando|aumentando|diminuindo|esquentando|esfriando|aquecendo|resfriando"
    r"|variando|oscilando|estavel|estabilizou|rising|falling|dropping|increasing|decreasing|climbing"
    r"|going (?:up|down)|heating up|cooling (?:down)?|warming up|stable|steady|trending"
    r"|getting (?:hotter|colder|warmer|cooler|higher|lower|worse|better)"
    r"|ficando (?:mais )?(?:quente|fri[oa]|alt[oa]|baix[oa]|pior)|piorando|melhorando)\b"
)
# "no mesmo período", "nesse intervalo", "over the same window": the window of the previous turn.
SAME_WINDOW = re.compile(
    r"\b(?:n?[oe]ss?[ea]s? (?:mesm[oa]s? )?|n?[oa]s? mesm[oa]s? )(?:periodo|intervalo|janela|tempo|minutos)\b"
    r"|\b(?:same|that|this) (?:window|period|interval|time span|timeframe)\b"
)
AGO_MARGIN_S = 60.0  # "3 minutos atrás": the window reaches a minute further back
TREND_WINDOW_S = 300.0  # "tá subindo?": the last five minutes
_TODAY = re.compile(r"\b(hoje|today|desde a meia ?noite|since midnight)\b")
_YESTERDAY = re.compile(r"\b(ontem|yesterday)\b")
_THIS_WEEK = re.compile(r"\b(essa|esta|nesta|nessa) semana\b|\b(this|the past) week\b")
_THIS_MONTH = re.compile(r"\b(esse|este|neste|nesse) mes\b|\bthis month\b")
# The unit after a threshold's number, as said or written, and the tag unit it means.
_THRESHOLD_UNITS: tuple[tuple[str, str], ...] = (
    (r"m/min|metros? por minuto|m por min\w*|meters? per minute|metres? per minute", "m/min"),
    (r"mm/s", "mm/s"),
    (r"m3/s|m³/s|metros? cubicos? por segundo", "m3/s"),
    (r"bar", "bar"),
    (r"metros?|meters?|metres?|m", "m"),
    (r"°c|c|graus|degrees?", "°C"),
    (r"amperes?|amps?|a", "A"),
    (r"volts?|v", "V"),
    (r"kw", "kW"),
    (r"rpm", "rpm"),
    (r"hz|hertz", "Hz"),
    (r"%|por ?cento|percent", "%"),
)
_THRESHOLD_UNIT = "|".join(f"(?:{pattern})" for pattern, _ in _THRESHOLD_UNITS)
_THRESHOLD = re.compile(
    r"\b(passou de|passou dos|passando de|passando dos|passar de|passar dos|passa de|passa dos|"
    r"ultrapassou|ultrapassando|acima de|acima dos|mais de|"
    r"maior que|superou|excedeu|chegou a|chegou aos|chegou em|atingiu|"
    r"above|exceeded|exceeds|exceed|went above|went over|rose above|got above|passed|more than|higher "
    r"than|reached|abaixo de|abaixo dos|menos de|menor que|"
    r"caiu abaixo de|caiu para menos de|below|under|less than|lower than|dropped below|fell below)\s+"
    rf"(?:os |as |o |a )?(-?\d+(?:[.,]\d+)?)\s*({_THRESHOLD_UNIT})?(?![\w/])"
)
_BELOW = ("abaixo", "menos", "menor", "caiu", "below", "under", "less", "lower", "dropped", "fell")
_AGGREGATES: tuple[tuple[Aggregate, re.Pattern[str]], ...] = (
    (Aggregate.MAX, re.compile(r"\b(maior|maxim[oa]|max|pico|mais alt[oa]|highest|maximum|peak|top)\b")),
    (Aggregate.MIN, re.compile(r"\b(menor|minim[oa]|min|mais baix[oa]|lowest|minimum)\b")),
    (Aggregate.MEAN, re.compile(r"\b(media|medio|average|mean|avg)\b")),
)


def window_s(folded: str) -> float | None:
    """Seconds of a window such as "na última hora", "últimos 10 min", "last 30 minutes", "hoje"."""
    match = WINDOW.search(folded)
    if match is None:
        if _TODAY.search(folded):
            return 86400.0
        if _THIS_WEEK.search(folded):
            return 7 * 86400.0
        if _THIS_MONTH.search(folded):
            return 30 * 86400.0
        return 2 * 86400.0 if _YESTERDAY.search(folded) else None
    number, amount_word, unit, half = match.group(1), match.group(2), match.group(3), match.group(4)
    return _seconds(number, amount_word, unit) * (1.5 if half else 1.0)


def _seconds(number: str | None, amount_word: str | None, unit: str) -> float:
    seconds = next((s for name, s in v.UNIT_SECONDS.items() if unit == name), None)
    if seconds is None:
        seconds = next(
            (s for name, s in v.UNIT_SECONDS.items() if unit.startswith(name) and len(name) > 1), 60
        )
    if number is not None:
        count = float(number.replace(",", "."))
    elif amount_word is None and unit in _PLURAL_UNITS:
        count = float(_PLURAL_UNITS[unit])  # "nos últimos minutos", "nas últimas horas": a few
    else:
        count = float(v.NUMBER_WORDS.get(amount_word or "", 1))
    return count * seconds


# How many a plural unit without a number means ("nos últimos minutos": ten of them).
_PLURAL_UNITS = {"minutos": 10, "minutes": 10, "mins": 10, "horas": 3, "hours": 3, "dias": 3, "days": 3}


def ago_s(folded: str) -> float | None:
    """How long ago a question asks the value at ("e 3 minutos atrás?", "5 minutes ago")."""
    match = AGO.search(folded)
    if match is None:
        return None
    number = match.group(1) or match.group(4)
    word = match.group(2) or match.group(5)
    unit = match.group(3) or match.group(6)
    return _seconds(number, word, unit)


def asks_trend(folded: str) -> bool:
    """True when the question asks which way a value is going ("tá subindo?", "is it falling?")."""
    return _TREND.search(folded) is not None


def threshold(folded: str) -> Threshold | None:
    """A crossing asked about: "quando a pressão passou de 180 bar", "went below 2 m"."""
    match = _THRESHOLD.search(folded)
    if match is None:
        return None
    phrase, number, said = match.group(1), match.group(2), match.group(3) or ""
    above = not phrase.startswith(_BELOW)
    unit = next((u for pattern, u in _THRESHOLD_UNITS if said and re.fullmatch(pattern, said)), "")
    return Threshold(float(number.replace(",", ".")), above=above, unit=unit)


def aggregate(folded: str) -> Aggregate | None:
    """The statistic a history question asks for (max, min, mean), or a threshold crossing."""
    if threshold(folded) is not None and re.search(
        r"\b(quando|when|ultima vez|last time|que horas)\b", folded
    ):
        return Aggregate.CROSSING
    bare = without_trend(without_window(folded))  # "nos últimos 10 min", "ficando mais alto" ask no extreme
    asked = [kind for kind, pattern in _AGGREGATES if pattern.search(bare)]
    if {Aggregate.MAX, Aggregate.MIN} <= set(asked):
        return Aggregate.RANGE  # "me dá o mínimo e o máximo": the window between both
    if asked:
        return asked[0]
    if ago_s(folded) is not None:
        return Aggregate.AGO
    return Aggregate.TREND if asks_trend(folded) else None


# The trend words that say only which way ("baixando", "rising"), not what moves ("esquentando" is a heat).
_DIRECTION = re.compile(
    r"\b(subindo|descendo|caindo|baixando|aumentando|diminuindo|rising|falling|dropping|increasing"
    r"|decreasing|climbing|going (?:up|down))\b"
)


def without_direction(folded: str) -> str:
    """The text without its direction words ("o nível de montante tá baixando" -> "o nível de montante")."""
    return _DIRECTION.sub(" ", folded)


def without_trend(folded: str) -> str:
    """The text without its trend phrase ("is the oil getting warmer" -> "is the oil")."""
    return _TREND.sub(" ", folded)


def without_aggregate(folded: str) -> str:
    """The text without its statistic words ("e a máxima?" -> "e a"): they name no measurement."""
    for _, pattern in _AGGREGATES:
        folded = pattern.sub(" ", folded)
    return folded


def without_window(folded: str) -> str:
    """The text without its window and threshold phrases (so "última hora" is not searched as a tag)."""
    return _THRESHOLD.sub(" ", AGO.sub(" ", WINDOW.sub(" ", folded)))  # nor "passou de 6 mm/s"
