"""Which intent an understood question asks: precise readings of the user's words first (orders and
what-ifs, farewells, "why not", limits in their unit, how long, may-I), then the nearest exemplars'
intent, adjusted by what was named (tags, equipment, a sequence, a window or a statistic)."""

from __future__ import annotations

import re

from agent.planner import vocabulary as v
from agent.planner.cues import (
    asks_assessment,
    asks_definition,
    asks_now,
    asks_plc_actions,
    asks_procedure,
    asks_reference,
    asks_restart,
    asks_why,
    hypothetical,
    names_an_alarm,
)
from agent.planner.intents import IntentScore
from agent.planner.lexical import (
    asks_state,
)
from agent.planner.question import Aggregate, Intent, Question
from agent.planner.windows import (
    without_window,
)
from lockpilot.text import content_words, words, wordset

UNSURE = 0.845  # an intent score under this, with nothing of the plant named, is not understood


_WHY_NOT = re.compile(
    r"\bpor ?que (?:eu )?nao\b|\bporque nao\b|\bwhy (?:can ?n?o?'?t|cannot|won'?t|doesn'?t|isn'?t|is "
    r"not|not)\b"
    r"|\bo que (?:esta |ta )?(?:impedindo|bloqueando|falta para|falta pra)\b|\bwhat(?:'s| is) "
    r"(?:blocking|stopping|preventing|holding up)\b|\bwhat (?:blocks|stops|prevents)\b"
)


_HISTORY_WORDS = re.compile(
    r"\b(historico|history|grafico|chart|plot|tendencia|trend|evolucao|variou|varied|estatistic\w*|statistic\w*)\b"
)


# a limit crossed in the past ("chegou acima de 9 bar alguma vez?") asks the history
_EVER = re.compile(r"\b(alguma vez|ever|chegou|atingiu|reached|went|gone|ficou|stayed|got)\b")


_NEGATION = re.compile(
    r"\b(nao|not|can ?not|cannot|can'?t|won'?t|doesn'?t|isn'?t|impede|bloque\w*|block\w*)\b"
)


WHO_TO_CALL = re.compile(
    r"\bwho (do|should|can|must) (i|we) (call|contact|phone|ring|notify)\b|\bwho (to|should I) call\b"
    r"|\bquem (eu |a gente )?(chamo|chamar|aciono|acionar|ligo|ligar|aviso|avisar)\b"
    r"|\b(chamo|aciono|ligo pra|ligo para|aviso) quem\b|\bpra quem (eu )?(ligo|ligar)\b"
)


_RESET = re.compile(r"\b(rearm\w*|reset\w*|destrav\w*)\b")


_MAY_NOW = re.compile(r"\b(posso|podemos|pode|da pra|can (i|we)|may (i|we)|ja|now|agora|yet)\b")


_PROCEDURE_NOUN = re.compile(r"\b(procedimento|procedure|protocolo|passo a passo|step by step|checklist)\b")


WHY_WORD = re.compile(r"\b(por ?que|pq|why)\b")


# "qual o bloqueio?", "o motivo pelo qual …", "what's the reason …": a why without "por que".
_REASON_ASKED = re.compile(
    r"\b(?:qual (?:e )?o (?:bloqueio|motivo|impedimento)|o motivo pelo qual|motivo d[oa]"
    r"|what(?:'s| is) the reason|reason (?:for|why))\b"
)


_BLOCKED = re.compile(
    r"\b(bloquead\w*|bloqueio|blocked|impedid\w*|travad[ao] pelo|recusou|refused|not permitted|nao "
    r"(?:foi|vai|deixa|libera|"
    r"parte|abre|fecha|enche|esvazia|funcionou|obedece)|nothing happened|nada aconteceu|didn'?t "
    r"(?:work|start|open))\b"
)


PAST_ALARM = re.compile(
    r"\b(quantas vezes|how many times|ultima vez|last time|da ultima|ja (?:deu|aconteceu|teve)|"
    r"ha quanto tempo (?:nao|deu)|durou|lasted|ficou ativo|stayed active|was active)\b"
)


_HAD = re.compile(r"\b(teve|tiveram|houve|tivemos|disparou|dispararam|were there|was there|fired|went off)\b")


_LASTED = re.compile(r"\b(durou|lasted|ficou ativo|stayed active|was active|levou da ultima)\b")


HOW_LONG = re.compile(
    r"\b(quanto tempo|quanto falta|falta muito|em quanto tempo|how long|how much longer|eta|"
    r"quantos minutos|how many minutes|minutes? (are )?left|time left|tempo restante"
    r"|termina quando|acaba quando|quando (?:termina|acaba)|when (?:will|does) it (?:finish|end|be done)"
    r"|quanto demora|demora quanto|vai demorar|demora muito|how long will it take)\b"
)


_ALARM_WORDS = wordset("alarme alarmes alarm alarms alerta alertas alert alerts")


def tag_query(folded: str) -> str:
    """The text without its time window and request words, so only the measurement is searched ("the oil
    temperature alarm": the alarm's measurement, when the words name one besides the alarm)."""
    kept = [w for w in words(without_window(folded)) if w not in v.NOT_TAG_WORDS]
    measured = [w for w in kept if w not in _ALARM_WORDS]
    return " ".join(measured if len(content_words(" ".join(measured))) >= 2 else kept)


def _opens_check(folded: str) -> bool:
    """A may-I question ("posso abrir...?", "can I fill...?", "está liberado...?", "which interlock
    conditions are not satisfied?")."""
    stripped = folded.lstrip(" ?!¿")
    return (
        stripped.startswith(v.QUESTION_OPENERS)
        or any(f" {o} " in f" {stripped} " for o in v.QUESTION_OPENERS)
        or bool(_INTERLOCKS.search(stripped))
    )


_INTERLOCKS = re.compile(
    r"\b(?:interlocks?|intertravamentos?|permissivos?|permissives?)\b"
    r"|\b(?:could|can) (?:the |it )?[\w ]{0,30}?be (?:opened|closed|started|filled|emptied)\b"
)


_WHATS_WRONG = re.compile(
    r"(what'?s|what is|what are)( \w+)? (wrong|the (problem|issue|matter|fault))|"
    r"(qual|que) (e )?(o|a) (problema|falha|defeito|pane)"
)


def _asks_a_limit(folded: str) -> bool:
    """ "a partir de quantos graus o óleo é considerado quente?": where a limit lies, not the value now."""
    return asks_reference(folded) and not asks_now(folded)


def asks_value(folded: str) -> bool:
    """The question opens by asking for a value ("qual a pressão...", "what is the..."), not what is
    wrong ("what's wrong with the gate?", "qual o problema da bomba?")."""
    opened = folded.lstrip(" ?!¿")
    if _WHATS_WRONG.match(opened):
        return False
    return opened.startswith(v.VALUE_OPENERS) or _VALUE_AT_THE_END.search(opened) is not None


# A value asked after its measurement: "óleo tá quanto?", "a porta tá em quanto?", "marca quanto?".
_VALUE_AT_THE_END = re.compile(r"\b(?:ta|tah|esta|estao|tao|marca|marcando|em) (?:em )?quant[oa]s?\b")


# Intents a bare measurement name ("turbidez?") is never asking for.
_NOT_FOR_A_NAME = (
    Intent.PROCEDURE,
    Intent.KNOWLEDGE,
    Intent.TIME_TO,
    Intent.STATUS,
    Intent.WHAT_TO_DO,
    Intent.EXPLAIN,
    Intent.SEARCH_TAGS,
)


# A question about the tags themselves: which exist, what they are called.
_ABOUT_TAGS = re.compile(
    r"\b(?:tags?|variave(?:l|is)|variables?|sensor(?:es|s)?|instrumentos?|transmissores|lista\w*|list"
    r"|existem|exist|nome|name)\b"
)


_FAREWELL = re.compile(r"\b(?:ate (?:a proxima|mais|logo|amanha|depois)|tchau|bye|see you|good ?night)\b")


FAREWELL_WORDS = 5


_ACTIVE_LIST = re.compile(
    r"\b(?:quais|que|which|what|any) (?:os |as )?(?:alarmes|alarms)(?: \w+){0,2}? "
    r"(?:ativos|active|tao ativos|estao ativos|tem agora|are on|are active)\b"
)


# Reversing an operation under way (filling into emptying): what the documents forbid or allow.
_REVERSE = re.compile(
    r"\b(?:inverter|inverte|inverto|invertendo|reverter|reverte|reverto|reverse|reversing)\b"
    r"|\b(?:mudar|trocar|switch|change) (?:o |the )?(?:sentido|direction)\b"
)


def restart_asked(q: Question, folded: str) -> bool:
    """ "posso rearmar a bomba já?", "posso ligar dnv?", "can I restart it?": may what tripped start again."""
    reset_now = _RESET.search(folded) and _MAY_NOW.search(folded) and q.equipment
    return (asks_restart(folded) or bool(reset_now)) and not asks_definition(folded)


def _names_only(folded: str) -> bool:
    """The question is little more than a measurement's name ("turbidez?", "pressão do sistema")."""
    return len(content_words(tag_query(folded))) <= 3 and not _opens_check(folded)


def _semantic(q: Question, ranked: list[IntentScore], folded: str, named: bool) -> tuple[Intent, float]:
    """The nearest exemplars' intent; orders and what-ifs come only from the user's own words."""
    usable = [s for s in ranked if s.intent not in (Intent.COMMAND, Intent.WHAT_IF)]
    top, margin = usable[0], usable[0].score - usable[1].score
    chatty = (Intent.OUT_OF_DOMAIN, Intent.GREETING, Intent.CAPABILITIES)
    if top.intent in chatty:
        if not named or (top.intent is Intent.GREETING and not q.tags and len(content_words(folded)) <= 2):
            return top.intent, margin
        top = next(s for s in usable if s.intent not in chatty)
    if top.score < UNSURE and not named:
        return Intent.CLARIFY, margin
    return top.intent, margin


# A question word: "is the oil temperature high?" has none; "what is a high vibration?" asks more.
_WH_WORD = re.compile(r"\b(?:o que|que|por ?que|porque|what|why|how|como|qual|quais|quem|who|when|quando)\b")


_EXPLAIN_ALARM = re.compile(
    r"\b(?:expli\w*|explain\w*|significa\w*|quer dizer|mean\w*|dispara|disparar|aciona|acionar|trigger\w*|"
    r"go(?:es)? off|trips?|real|verdade\w*|verdadeiro|falso|false|confi\w*|trust\w*|bad sensor|sensor ruim)\b"
    r"|\b(?:que|qual) alarme (?:\w+ ){0,3}?e ess[ea]\b"
    r"|\b(?:what|which) alarm (?:\w+ ){0,3}?is (?:this|that)\b"
)  # "que alarme de desalinhamento é esse na montante?"


_AMOUNT_READS = frozenset({Intent.PROCEDURE, Intent.KNOWLEDGE, Intent.STATUS})


def _general(folded: str) -> bool:
    return asks_definition(folded) or asks_reference(folded) or asks_procedure(folded)


_UNIT_READS = frozenset({Intent.KNOWLEDGE, Intent.READ, Intent.STATUS, Intent.HISTORY, Intent.ACTIVE_ALARMS})


_NOW = (None, Aggregate.TREND)  # a rate asked in its unit is read now; a max or mean is history


_NOT_EXPLAINING = frozenset({Intent.ACTIVE_ALARMS, Intent.KNOWLEDGE, Intent.READ, Intent.STATUS})


def _limit_in_its_unit(q: Question, unit: str) -> bool:
    """A threshold said in the unit of the measurement named: "passou de 10,5 metros", "acima de 8,5 bar"."""
    t = q.threshold
    return bool(t and t.unit and q.named_tags and q.tags and unit == t.unit)


def decide(
    q: Question,
    ranked: list[IntentScore],
    folded: str,
    *,
    bits_only: bool = False,
    first_unit: str = "",
) -> tuple[Intent, float]:
    """The intent: precise readings first, then the nearest exemplars, adjusted by what was named."""
    named = bool(q.tags or q.equipment or q.symptoms or q.sequence)
    if q.what_if is not None or (hypothetical(folded) and not asks_procedure(folded)):
        return Intent.WHAT_IF, 1.0  # one the sandbox cannot play is answered from the documents
    if _FAREWELL.search(folded) and len(content_words(folded)) <= FAREWELL_WORDS:
        return Intent.GREETING, 1.0  # "fechou, até a próxima"
    if _ACTIVE_LIST.search(folded) and not q.what_if:
        return Intent.ACTIVE_ALARMS, 1.0  # "o painel tá piscando, quais alarmes tão ativos?"
    if _REVERSE.search(folded):  # "posso inverter o enchimento com a chata dentro?": a rule of the documents
        return Intent.KNOWLEDGE, 1.0  # no precondition of the PLC says it: the answer is not "sim, pode"
    why = asks_why(folded) or bool(WHY_WORD.search(folded)) or bool(_REASON_ASKED.search(folded))
    if (q.sequence or q.equipment) and (_WHY_NOT.search(folded) or (why and _BLOCKED.search(folded))):
        return Intent.WHY_NOT, 1.0
    intent, margin = _semantic(q, ranked, folded, named)
    if intent is Intent.EXPLAIN and q.named_tags and q.symptoms and asks_value(folded) and not why:
        return Intent.READ, margin  # "how hot is the motor winding?": how hot, not why it is hot
    judged = q.named_tags and asks_assessment(folded) and q.aggregate is None and not q.window_s
    if judged and not (why or _WH_WORD.search(folded) or bits_only):
        return Intent.READ, margin  # "is the oil temperature high?": the reading, against its limits
    if q.amount_asked and q.named_tags and intent in _AMOUNT_READS and not _general(folded):
        return Intent.READ, margin  # "as válvulas de saída tão abertas quanto?"
    if (
        q.unit_asked
        and intent in _UNIT_READS
        and not (asks_definition(folded) or _asks_a_limit(folded) or q.aggregate not in _NOW)
    ):
        return Intent.READ, margin  # "main pump vibration in mm/s?", "tá subindo quanto por minuto?"
    if q.unit_unmeasured and intent in _UNIT_READS | {Intent.TIME_TO} and not q.sequence:
        return Intent.KNOWLEDGE, margin  # "a válvula de alívio abre com quantos bar?": the documents say
    if WHO_TO_CALL.search(folded):
        return Intent.PROCEDURE, margin  # "who do I call?", "chamo quem?": the documents say which team
    if intent in (Intent.GREETING, Intent.OUT_OF_DOMAIN, Intent.CAPABILITIES, Intent.CLARIFY):
        return intent, margin
    if intent is Intent.WHY_NOT and not (why or _NEGATION.search(folded)):  # no "why", no "not": next best
        intent = next(
            s.intent for s in ranked if s.intent not in (Intent.WHY_NOT, Intent.COMMAND, Intent.WHAT_IF)
        )
    # a limit alone ("ainda tá acima de 10,5 m?", "above 130 % of nominal?") asks about now
    history_asked = bool(
        q.aggregate or q.window_s or _HISTORY_WORDS.search(folded) or (q.threshold and _EVER.search(folded))
    )
    if q.rule and PAST_ALARM.search(folded) and not q.named_tags:  # "quantas vezes travou", "last time"
        return Intent.ALARM_HISTORY, margin
    if intent is Intent.ACTIVE_ALARMS and q.window_s and _HAD.search(folded) and not q.named_tags:
        return Intent.ALARM_HISTORY, margin  # "teve algum alarme na última hora?": which fired
    if _limit_in_its_unit(q, first_unit) and not (history_asked or why or asks_definition(folded)):
        return Intent.READ, margin  # "a taxa tá passando de 1,2 m/min?", "já passou de 10,5 metros?": now
    if q.aggregate in (Aggregate.TREND, Aggregate.AGO) and not why and not q.sequence:
        return Intent.HISTORY, margin  # "tá subindo ainda?", "e 3 minutos atrás?"
    if q.rule and names_an_alarm(folded) and _EXPLAIN_ALARM.search(folded) and intent in _NOT_EXPLAINING:
        return Intent.EXPLAIN, margin  # "explica o alarme de vento forte", "what triggers the filter alarm?"
    if asks_plc_actions(folded):
        return Intent.EXPLAIN, margin  # "quais ações automáticas o CLP executou?"
    if _ALL_OK.search(folded) and not q.named_tags:
        return Intent.STATUS, margin  # "tá tudo certo com a abertura de montante?"
    if (_HAPPENING.search(folded) or _FRESH.search(folded)) and not q.named_tags and not why:
        return Intent.STATUS, margin  # "what's happening in the chamber?", "esses valores são atuais?"
    if HOW_LONG.search(folded) and not _LASTED.search(folded):
        general = asks_reference(folded) or _GENERAL_DURATION.search(folded) or IF_CLAUSE.search(folded)
        return (Intent.KNOWLEDGE if general else Intent.TIME_TO), margin
    if intent is Intent.TIME_TO and _WHEN.search(folded):
        return Intent.KNOWLEDGE, margin  # "quando é que o sinal fica verde?": how the lock works
    if _opens_check(folded) and q.sequence is not None:
        return Intent.CHECK_SEQUENCE, margin
    if (
        intent in (Intent.KNOWLEDGE, Intent.READ, Intent.PROCEDURE)
        and (q.sequence or SEQUENCE_WORD.search(folded))
        and (not q.named_tags or (q.sequence and _PROGRESS.search(folded)))
        and not (asks_definition(folded) or asks_reference(folded) or asks_procedure(folded))
        and (_GOING.search(folded) or _RUNNING_NOW.search(folded))
    ):
        return Intent.STATUS, margin  # "how's the filling going?", "which sequence is running?"
    if q.sequence and _ENDED.intersection(words(folded)) and not why and not HOW_LONG.search(folded):
        return Intent.STATUS, margin  # "o fechamento das comportas já terminou?": where it stands, not may-I
    doing = PROGRESSIVE.search(folded) and not why
    if intent is Intent.TIME_TO and doing and not HOW_LONG.search(folded):
        return Intent.STATUS, margin  # "já tá enchendo?": whether it is, not how long it takes
    if intent in (Intent.CHECK_SEQUENCE, Intent.WHY_NOT) and doing:
        return Intent.STATUS, margin  # "já tá fechando as portas?": what it is doing, not whether it may
    if restart_asked(q, folded):
        return Intent.WHAT_TO_DO, margin  # "posso rearmar a bomba já?": what its trip asks before a reset
    if asks_procedure(folded) or (_PROCEDURE_NOUN.search(folded) and (q.fault or q.symptoms)):
        return Intent.WHAT_TO_DO, margin  # "comporta travada, qual o procedimento?"
    if q.threshold and q.named_tags and not (history_asked or why or asks_definition(folded)):
        return Intent.READ, margin  # "is the motor current above 130 % of nominal?": now, against it
    if asks_definition(folded) or (asks_reference(folded) and not history_asked):
        return Intent.KNOWLEDGE, margin  # "o que é cavitação?", "qual a pressão normal?"
    if intent is Intent.CHECK_SEQUENCE and q.sequence and not (why or q.symptoms or q.fault):
        return Intent.CHECK_SEQUENCE, margin  # "as condições pra encher estão ok?"
    explains = (
        asks_why(folded)
        or (intent is Intent.WHY_NOT and (q.symptoms or not _NEGATION.search(folded)))
        or (intent is Intent.CHECK_SEQUENCE and bool(q.symptoms))
    )
    if explains and not (intent is Intent.CHECK_SEQUENCE and _opens_check(folded)):
        return (Intent.READ if asks_value(folded) and q.tags else Intent.EXPLAIN), margin
    if intent in (Intent.READ, Intent.STATUS, Intent.KNOWLEDGE) and q.tags and history_asked:
        return Intent.HISTORY, margin
    if intent is Intent.HISTORY and q.tags and not history_asked:
        return Intent.READ, margin
    if (
        intent is Intent.KNOWLEDGE
        and q.equipment
        and not q.named_tags
        and not (asks_definition(folded) or asks_reference(folded) or asks_procedure(folded))
    ):
        return (Intent.EXPLAIN if q.fault or q.symptoms else Intent.READ), margin  # "how's the pump doing?"
    if intent is Intent.READ and q.equipment and not q.named_tags and q.fault and not asks_value(folded):
        return Intent.EXPLAIN, margin  # "a bomba deu pau?"
    if intent is Intent.KNOWLEDGE and q.tags and (asks_value(folded) or asks_state(words(folded))):
        return Intent.READ, margin
    if intent is Intent.KNOWLEDGE and q.named_tags and asks_now(folded) and not asks_definition(folded):
        return Intent.READ, margin  # "a pressão tá normal?": the value now, against its normal
    if intent is Intent.HISTORY and not q.tags and q.rule and re.search(r"\balarm", folded):
        return Intent.ALARM_HISTORY, margin
    if q.symptoms and not asks_value(folded) and intent in (Intent.READ, Intent.STATUS):
        return Intent.EXPLAIN, margin
    if why and intent in (Intent.READ, Intent.STATUS, Intent.ACTIVE_ALARMS):
        return Intent.EXPLAIN, margin
    if why and intent is Intent.ALARM_HISTORY and not PAST_ALARM.search(folded):
        return Intent.EXPLAIN, margin  # "why is the HPU oil temperature alarm on?": why now, not when before
    if intent is Intent.CHECK_SEQUENCE and q.sequence is None and q.tags:
        return Intent.READ, margin
    if intent is Intent.EXPLAIN and q.named_tags and asks_state(words(folded)) and not why:
        return Intent.READ, margin  # "as comportas estão fechadas?"
    if intent is Intent.STATUS and q.named_tags and asks_value(folded):  # "quanto tá a potência?"
        return Intent.READ, margin
    if (
        intent is Intent.STATUS
        and (q.named_tags or (q.equipment and asks_state(words(folded))))
        and not (q.sequence or _GOING.search(folded) or history_asked)
        and not (SEQUENCE_WORD.search(folded) or _OVERALL.search(folded))
    ):
        return Intent.READ, margin  # "a eclusa encontra-se em modo remoto?", "o pump tá running ou tá off?"
    if _PER_CYCLE.search(folded) and not why:
        return Intent.ENERGY_PER_CYCLE, margin  # "quanto a eclusa consome por ciclo?"
    if (
        intent is Intent.ENERGY_PER_CYCLE
        and COUNT.search(folded)
        and not _ENERGY_WORDS.intersection(words(folded))
    ):
        return Intent.READ, margin  # "quantos ciclos a eclusa já fez?": its counter, not energy per cycle
    if (
        intent in (Intent.POWER_BY_EQUIPMENT, Intent.ENERGY_PER_CYCLE)
        and q.named_tags
        and (
            not _ENERGY_WORDS.intersection(words(folded))
            or bits_only
            or (intent is Intent.POWER_BY_EQUIPMENT and asks_now(folded) and not history_asked)
        )
    ):
        return Intent.READ, margin  # "posição e corrente do motor", "tem energia da rede?", "potência agora?"
    if (
        intent is Intent.CHECK_SEQUENCE
        and q.named_tags
        and not (_opens_check(folded) or why or history_asked)
    ):
        return Intent.READ, margin  # "report the positions of both emptying valves"
    if (
        intent is Intent.HISTORY
        and q.threshold
        and q.named_tags
        and not (q.window_s or q.aggregate or _HISTORY_WORDS.search(folded))
    ):
        return Intent.READ, margin  # "a vibração passou de 4,5 mm/s?": now, against the limit
    if (
        (intent in _NOT_FOR_A_NAME or intent is Intent.CHECK_SEQUENCE)
        and q.named_tags
        and history_asked
        and not why
    ):
        return Intent.HISTORY, margin  # "average emptying rate over the last 10 minutes?"
    overall = intent is Intent.STATUS and bool(SEQUENCE_WORD.search(folded) or _OVERALL.search(folded))
    if (
        intent in _NOT_FOR_A_NAME
        and q.named_tags
        and not (q.symptoms or q.fault or overall)
        and _names_only(folded)
    ):
        return Intent.READ, margin  # "turbidez?", "taxa de enchimento?"
    if intent is Intent.READ and not (q.tags or q.equipment) and (q.symptoms or q.fault):
        return Intent.EXPLAIN, margin
    if intent is Intent.SEARCH_TAGS and q.named_tags and not _ABOUT_TAGS.search(folded):
        return Intent.READ, margin  # "whats the posiiton of filing valve 1": its value, not its tag's name
    if (
        intent is Intent.KNOWLEDGE
        and q.named_tags
        and not (
            _general(folded) or why or history_asked or _asks_a_limit(folded) or _HOW_IT_WORKS.search(folded)
        )
        and (asks_now(folded) or _READ_TO_ME.search(folded))
    ):
        return Intent.READ, margin  # "Accumulator pressure and pump discharge pressure, please."
    return intent, margin


# A reading asked for by request, not by a question word: "…, please", "me fala a vibração da bomba".
_READ_TO_ME = re.compile(
    r"\b(?:please|por favor|pfv|me fala|me passa|me da|me diz|me informa|tell me|give me|report|informe)\b"
)


# What the documents answer about something named: how it works, why, what it means or is for.
_HOW_IT_WORKS = re.compile(
    r"\b(?:como|how|por ?que|porque|why|para que|pra que|what for|expli\w*|diferenca|difference|significa\w*"
    r"|mean|means|meaning|serve|funciona\w*|work|works|calibr\w*|manuten\w*|maintenance)\b"
)


PROGRESSIVE = re.compile(
    r"\b(?:ta|esta|tao|estao|ainda|is|are)\s+(?:\w+\s+)?\w+(?:ando|endo|indo|ing)\b"
    r"|\b(?:parou|parar|stopped) (?:de )?(?:encher|esvaziar|abrir|fechar|filling|emptying|opening|closing)\b"
)  # "já tá fechando?", "parou de encher?": what it is doing, not whether it may


_ENERGY_WORDS = wordset(
    "potencia energia kw kwh consumo consumiu consome consomem gasto gasta gastou power energy consumption "
    "used"
)


COUNT = re.compile(r"\b(?:quant[oa]s|numero de|contador|how many|count)\b")


_PER_CYCLE = re.compile(r"\b(por|cada|each|per) (ciclo|cycle|eclusagem|lockage)\b")


_ALL_OK = re.compile(
    r"\b(tudo (certo|ok|bem|normal)|all (good|ok|right|fine)|everything (ok|okay|fine|good|alright))\b"
)


_GENERAL_DURATION = re.compile(
    r"\b(is an?|does an?|takes an?|leva (um|uma)|demora (um|uma)|normalmente|typically|usually|"
    r"em media|on average|a full|um curso|uma manobra)\b"
)


_WHEN = re.compile(r"\b(quando e que|quando que|em que momento|when does|when is)\b")


_OVERALL = re.compile(r"\b(geral|general|overall|status|resumo|summary)\b")


_PROGRESS = re.compile(r"\b(going|indo|andando|andamento|progress\w*)\b")


_HAPPENING = re.compile(r"\b(happening|going on|acontecendo|rolando|se passando)\b")


_FRESH = re.compile(
    r"\b(sao|estao|tao|are|is) (atuais|atualizad\w*|current|up to date|live|reais)\b|\bup to date\b"
)


# Words that a sequence ended ("já terminou?"); "pronta" asks whether it is ready, a may-I.
_ENDED = wordset("terminou terminaram acabou acabaram concluiu concluida completou finished done completed")


SEQUENCE_WORD = re.compile(r"\b(sequencias?|sequences?|manobras?|operac\w+)\b")


_GOING = re.compile(r"\b(going|indo|andando|progress\w*|andamento)\b|\bcomo (esta|ta)\b|\bhow('?s| is)\b")


_RUNNING_NOW = re.compile(r"\b(running|rodando|ativa|active|em curso|executando|em execucao)\b")


# A condition put to a what-to-do ("o que fazer se um transmissor falhar?", "what if the power goes?"),
# not the reflexive "se" of "o que se faz agora?".
# ("em caso de cavitação" names the fault: its own what-to-do).
IF_CLAUSE = re.compile(
    r"(?<!\bem )\bcaso\b(?! de\b)|\bif\b|\bin case\b(?! of\b)|\bsuppose\b|\bse (?!faz|deve|usa|pode|faco)\w+"
)
