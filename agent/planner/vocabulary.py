"""Words the offline planner recognises, in Portuguese and English (accent-folded, lower case)."""

from __future__ import annotations

from lockpilot.plant.commands import Action
from lockpilot.text import wordset

PT_MARKERS = wordset(
    "qual quais o a os as da do das dos de na no nas nos em e esta estao nivel porque por posso pode "
    "mostre abra feche ligue desligue ultima ultimos ultimas que faco fazer como hoje agora alarmes "
    "ativos valvula comporta bomba camara pressao ajuste sobre caso tem ha houve parou energia "
    "ciclo potencia gastou oleo temperatura tendencia subindo caindo descendo tensao alimentacao corrente "
    "velocidade vazao taxa hidraulica montante jusante enchimento esvaziamento sequencia funcionando ta "
    "tempo quanto falta agua oi ola obrigado obrigada valeu bom dia boa tarde noite voce quem"
)
EN_MARKERS = wordset(
    "what which the is are was why can could show open close start stop last of in how do does i "
    "should today now alarms active valve gate pump chamber pressure level set about case has there "
    "did stopped energy cycle power per oil temperature trend rising falling dropping voltage supply "
    "current speed flow rate hydraulic upstream downstream filling emptying sequence running working "
    "time long left water hi hello hey thanks thank morning afternoon evening you who"
)

# Imperative forms only: "posso abrir" is a question, "a bomba parou" is not an order.
COMMAND_VERBS: dict[str, Action] = {
    **dict.fromkeys(("abra", "abrir", "abre", "open"), Action.OPEN),
    **dict.fromkeys(("feche", "fechar", "fecha", "close", "shut"), Action.CLOSE),
    **dict.fromkeys(
        (
            "ligue",
            "ligar",
            "liga",
            "acione",
            "aciona",
            "acionar",
            "partir",
            "start",
            "religa",
            "religue",
            "religar",
            "restart",
        ),
        Action.START,
    ),
    **dict.fromkeys(
        ("desligue", "desligar", "desliga", "pare", "parar", "stop", "halt", "derruba", "derrube"),
        Action.STOP,
    ),
    **dict.fromkeys(
        (
            "ajuste",
            "ajustar",
            "ajusta",
            "defina",
            "definir",
            "mude",
            "mudar",
            "altere",
            "alterar",
            "coloque",
            "colocar",
            "coloca",
            "bota",
            "muda",
            "define",
            "seta",
            "set",
            "change",
            "adjust",
        ),
        Action.SET,
    ),
    **dict.fromkeys(
        (
            *("reconheca", "reconhecer", "reconhece", "rearme", "rearmar", "rearma", "resete", "resetar"),
            *("reseta", "acknowledge", "ack", "reset"),
        ),
        Action.ACKNOWLEDGE,
    ),
    **dict.fromkeys(
        ("aborte", "abortar", "aborta", "cancele", "cancelar", "cancela", "abort", "cancel"), Action.ABORT
    ),
}
# "para a comporta!", "para bomba principal" are orders; "para que serve...", "para fins de treinamento, ...",
# "para o relatório, ..." are not: "para" stops something only before the thing it stops (after an article).
STOP_PREPOSITION = "para"
ORDER_AFTER_PARA = wordset(
    "tudo ja agora imediatamente bomba comporta comportas valvula valvulas ventilador motor resfriador"
    " unidade hpu enchimento esvaziamento sequencia eclusagem manobra motobomba"
    " ela ele elas eles isso essa esse"  # "segura essa comporta, para ela já!": what the message named
)
ARTICLES = wordset("a o as os")
# A formal request names the action as a noun: "Solicito a abertura da válvula by-pass."
REQUEST_OPENERS = wordset("solicito solicitamos solicita requisito request requesting mandar")
NOUN_ACTIONS: dict[str, Action] = {
    **dict.fromkeys(("abertura", "opening"), Action.OPEN),
    **dict.fromkeys(("fechamento", "closing", "closure"), Action.CLOSE),
    **dict.fromkeys(("partida", "acionamento", "startup"), Action.START),
    **dict.fromkeys(("desligamento", "parada", "shutdown"), Action.STOP),
    **dict.fromkeys(("rearme", "reconhecimento", "reset"), Action.ACKNOWLEDGE),
    **dict.fromkeys(("aborto", "cancelamento"), Action.ABORT),
}
COMMAND_PHRASES: dict[str, Action] = {
    "turn on": Action.START,
    "switch on": Action.START,
    "turn off": Action.STOP,
    "switch off": Action.STOP,
}
# English verbs whose particle may stand after the object ("shut the main pump down").
PARTICLE_VERBS: dict[tuple[str, str], Action] = {
    **dict.fromkeys((("turn", "off"), ("switch", "off"), ("shut", "down"), ("shut", "off")), Action.STOP),
    **dict.fromkeys((("power", "down"), ("power", "off")), Action.STOP),
    **dict.fromkeys((("turn", "on"), ("switch", "on"), ("power", "up"), ("power", "on")), Action.START),
}
# An action that equipment without it takes as another ("fecha a bomba", "shut the pump": stop it).
ACTION_ALSO: dict[Action, Action] = {Action.CLOSE: Action.STOP}
POLITE = wordset(
    "por favor favor please pls voce you can could would kindly copilot lockpilot ok entao manda mande bora"
)

QUESTION_OPENERS = (
    "posso",
    "podemos",
    "pode",
    "da pra",
    "da para",
    "e possivel",
    "e seguro",
    "esta liberado",
    "can i",
    "can we",
    "may i",
    "may we",
    "could we",
    "are we allowed",
    "is it safe",
    "is it possible",
    "am i allowed",
    "could i",
)
CHECK_ACTIONS = {
    "abrir": Action.OPEN,
    "open": Action.OPEN,
    "fechar": Action.CLOSE,
    "close": Action.CLOSE,
    "encher": Action.START,
    "fill": Action.START,
    "enchimento": Action.START,
    "filling": Action.START,
    "esvaziar": Action.STOP,
    "empty": Action.STOP,
    "esvaziamento": Action.STOP,
    "emptying": Action.STOP,
    "iniciar": Action.START,
    "start": Action.START,
    "ligar": Action.START,
}

WHY = (
    "por que",
    "porque",
    "por qual motivo",
    "qual o motivo",
    "qual a causa",
    "why",
    "what caused",
    "explique",
    "explica",
    "explain",
    "o que significa",
    "what does",
    "what is wrong",
    "o que aconteceu",
    "what happened",
)
PROCEDURE = (
    "o que faco",
    "o que fazer",
    "o que devo fazer",
    "como proceder",
    "como devo",
    "qual o procedimento",
    "procedimento",
    "what should i do",
    "what do i do",
    "what to do",
    "how do i",
    "how should i",
    "procedure",
    "em caso de",
    "in case of",
)
ALARMS = (
    "alarmes ativos",
    "alarme ativo",
    "alarmes",
    "active alarms",
    "alarms",
    "alarm active",
    "alarmes em aberto",
)
KPIS = (
    "kpi",
    "kpis",
    "indicadores de alarme",
    "taxa de alarmes",
    "alarm rate",
    "alarm kpis",
    "avalanche",
    "flood",
    "chattering",
    "alarmes por hora",
    "alarms per hour",
)
ENERGY = ("energia", "energy", "consumo", "consumption", "kwh", "consumiu", "gastou", "gasto", "consumed")
CYCLES = ("ciclo", "ciclos", "cycle", "cycles", "eclusagem", "lockage")
POWER = ("potencia", "power")
PER_EQUIPMENT = ("por equipamento", "cada equipamento", "per equipment", "each equipment", "by equipment")
HISTORY = (
    "historico",
    "history",
    "grafico",
    "chart",
    "plot",
    "tendencia",
    "trend",
    "mostre",
    "show me",
    "evolucao",
    "media",
    "average",
    "maximo",
    "maxima",
    "minimo",
    "minima",
    "maximum",
    "minimum",
    "estatistica",
    "statistics",
    "variou",
    "over the",
)
TAG_SEARCH = (
    "quais tags",
    "which tags",
    "lista de tags",
    "list tags",
    "tags da",
    "tags do",
    "tags of",
    "tags for",
    "que sinais",
    "which signals",
)
READ_WORDS = (
    "qual",
    "quanto",
    "quanta",
    "what is",
    "what's",
    "whats",
    "how much",
    "how high",
    "status",
    "estado",
    "valor",
    "value",
    "esta ligad",
    "is running",
    "is the",
    "current",
)

# Action words that, with the next word, do something else ("fill in a form", "fill out", "open up about").
NOT_AN_ACTION = frozenset({("fill", "in"), ("fill", "out"), ("open", "up"), ("close", "to")})

# Sequence ids by what they do, for "posso abrir a comporta de montante?" and "can I fill the chamber?".
SEQUENCE_BY_ACTION: dict[tuple[Action, str | None], str] = {
    (Action.OPEN, "comporta_montante"): "abertura_comporta_montante",
    (Action.OPEN, "comporta_jusante"): "abertura_comporta_jusante",
    (Action.CLOSE, "comporta_montante"): "fechamento_comportas",
    (Action.CLOSE, "comporta_jusante"): "fechamento_comportas",
    (Action.CLOSE, None): "fechamento_comportas",
    (Action.START, None): "enchimento",
    (Action.START, "camara"): "enchimento",
    (Action.STOP, None): "esvaziamento",
    (Action.STOP, "camara"): "esvaziamento",
}

NUMBER_WORDS = {
    "um": 1,
    "uma": 1,
    "one": 1,
    "a": 1,
    "an": 1,
    "dois": 2,
    "duas": 2,
    "two": 2,
    "tres": 3,
    "three": 3,
    "cinco": 5,
    "five": 5,
    "dez": 10,
    "ten": 10,
    "quinze": 15,
    "fifteen": 15,
    "vinte": 20,
    "twenty": 20,
    "trinta": 30,
    "thirty": 30,
    "meia": 0.5,
}
UNIT_SECONDS = {
    "s": 1,
    "seg": 1,
    "segundo": 1,
    "segundos": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "min": 60,
    "mins": 60,
    "minuto": 60,
    "minutos": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hora": 3600,
    "horas": 3600,
    "hour": 3600,
    "hours": 3600,
    "hr": 3600,
    "hrs": 3600,
    "dia": 86400,
    "dias": 86400,
    "day": 86400,
    "days": 86400,
    "semana": 604800,
    "week": 604800,
}

# Words of a request that never name a measurement.
NOT_TAG_WORDS = wordset(
    "show mostre mostra exiba exibir plot grafico chart historico history over during durante trend "
    "tendencia media average max min maximo maxima minimo minima estatistica statistics since desde "
    "hoje today please favor last past ultima ultimo ultimas ultimos evolucao variou see ver quero "
    "want tell diga informe esta estao ligada ligado desligada desligado running on off parada parado "
    "funcionando aberta aberto fechada fechado open closed state estado status both ambas ambos duas dois "
    "report reportar informar relatar ta tah tava actually first then so s primeiro antes entao afinal "
    "mesmo really right ok okay trust confiar confio confiavel confiaveis reliable reading readings leitura "
    "leituras can posso pode como how when did does go went goes quando "
    "passa passe manda mande fala fale diz dize give gimme fim turno passagem shift handover planilha "
    "algum alguma alguns algumas any some"
)
# Words asking whether equipment is on/off/open/closed: read its status tags.
STATE_WORDS = wordset(
    "ligada ligado desligada desligado running on off parada parado parou funcionando aberta aberto "
    "fechada fechado open closed state estado status stopped operando operating fechadas fechados abertas "
    "abertos ligadas ligados desligadas desligados paradas parados rodando girando abrindo fechando opening "
    "closing"
)
# "on"/"off" ask for a state only at the end ("is the pump on?"), not in "level on transmitter 2".
TRAILING_STATE_WORDS = wordset("on off")
TIME_WORDS = wordset("now agora still ainda right")
VALUE_OPENERS = (
    *("qual", "quanto", "quanta", "what is", "what's", "whats", "what was"),
    *("how much", "how high", "how hot", "how cold", "how fast", "how low", "how open", "how far"),
)
LIST_CUES = wordset(
    "quais quantos lista listar liste ativos ativo active which list any there existe existem"
)
# Words naming the like parts of one equipment that move together (a mitre gate's two leaves).
MEMBER_WORDS = wordset("folha folhas leaf leaves")
