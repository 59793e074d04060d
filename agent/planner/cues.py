"""Phrasings of a question's purpose that vary word by word: "o que (eu) faço", "why", "e se eu abrir...?"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockpilot.text import content_words

# "o que eu faço", "o que devo fazer", "como proceder", "what should I do", "how do we handle it"...
_PROCEDURE = re.compile(
    r"\bo que (?:eu |a gente |nos |voce )?(?:devo |posso |tenho que |preciso |deveria |vou |faz |se )?"
    r"(?:faco|fazer|faz|faca)\b"
    r"|\bcomo (?:eu |a gente |devo |posso |se )*(?:proceder|procedo|agir|ajo|resolver|resolvo|tratar|"
    r"lidar|corrigir|corrijo)\b"
    r"|\bwhat (?:should|do|can|must|shall) (?:i|we) do\b|\bhow (?:do|should|can) (?:i|we) "
    r"(?:handle|fix|deal|proceed|respond)\b"
    r"|\bcomo (?:e que )?(?:se )?faz\b|\bhow do (?:i|we|you) do (?:it|that|this)\b"
    r"|\b(?:que|o que) (?:eu )?faco\b|\bfaco o que\b|\be agora\W*$|\b(?:what|now) now\W*$|\bnow what\b"
    r"|\bnext (?:action|step)s?\b|\bproximo passo\b|\brecommended action\b|\bacao recomendada\b"
    r"|\b(?:prescribed|required|standard|expected) (?:response|action|procedure)\b"
    r"|\b(?:resposta|acao|conduta) (?:prevista|prescrita|padrao|esperada)\b"
)
# "o que é cavitação?", "what is a mitre gate?", "pra que serve a régua?", "what does X mean?"...
_DEFINITION = re.compile(
    r"^(?:o )?que (?:e|sao) (?!que\b)|\bo que (?:e|sao|significa|quer dizer) "
    r"(?!(?:esse|este|isso|isto|essa|esta|"
    r"aquele|aquela|o alarme|a falha)\b)"
    r"|\b(?:pra|para) que serve\b|\bcomo funciona\b|\bqual (?:e )?(?:a )?diferenca\b(?! de \w+ entre)"
    r"|\bdifference between\b(?! (?:the )?(?:upstream|downstream|chamber|levels?|pressures?)\b)"
    r"|\bwhat (?:is|are) (?:a|an)\b|^what is (?!the\b|it\b|this\b|that\b|going\b|happening\b|wrong\b)\w+\W*$"
    r"|\bwhat does (?:the |a |an )?[\w-]+(?: [\w-]+)? mean\b|\bhow does (?:the |a |an )?.+ work\b"
    r"|\bwhat is .+ for\W*$"
)
# Design and reference values, asked in general ("qual o nível normal?", "até quanto aguenta?").
_REFERENCE = re.compile(
    r"\b(normal|normais|tipic[oa]s?|typical(?:ly)?|geralmente|costuma|usually|normally|nominal|de "
    r"projeto|design"
    r"|aguenta|suporta|withstand|tolera|tolerate|limite|limites|limit|limits|permitid[oa]|allowed|permitted"
    r"|no maximo|at most|maximo permitido|maximum allowed|pode chegar|can reach|deve ficar|should be"
    r"|supposed to|counts as|considerad[oa]|em que (?:valor|pressao|nivel|temperatura)|at what (?:pressure"
    r"|level|temperature|value|speed|point)|a partir de quant[oa]|from what)\b"
)
# Words that put a reference question back in the present ("a pressão tá normal?").
_PRESENT = re.compile(
    r"\b(agora|now|atual|atualmente|currently|right now|present|presently|esta|ta|tah|is it|are we|estamos)\b"
)
# "o que houve", "what went wrong" (what is going on is the plant's status, not a fault)...
_WHY = re.compile(
    r"\bo que (?:houve|ha|aconteceu|deu|causou|provocou)\b|\bqual (?:o|e o) problema\b"
    r"|\bwhat(?: is|'s|s)? (?:wrong|the problem)\b|\bwhat went wrong\b|\bhow come\b"
)
_WHAT_IF = re.compile(
    r"^(?:e|and|mas|but)? ?(?:se|if) (?:eu |nos |a gente |i |we |you )?"
    r"|^what (?:if|happens if|would happen if) (?:i |we |you )?"
    r"|^o que (?:acontece|aconteceria|vai acontecer) se (?:eu |nos |a gente )?"
    r"|^(?:simule|simular|simulate|preveja|prever|predict) (?:o que acontece se |what happens if )?"
)
# What the running step waits for: "qual o critério pra esse passo concluir?", "tá esperando o quê?",
# "o que falta pra esse passo terminar?", "what is this step waiting for?"
_STEP_WAIT = re.compile(
    r"\bcriterios? (?:de |para |pra |pro )?(?:que )?(?:\w+ ){0,4}?(?:conclu|termin|complet|acab|avanc|fim)"
    r"|\b(?:aguarda|espera|aguardando|esperando)(?: o que| oque)\b"
    r"|\bo que (?:el[ae] |o passo |a etapa |esse passo |essa etapa |este passo |a sequencia |o clp )?"
    r"(?:esta |ta |fica )?(?:aguarda|espera|aguardando|esperando)\b"
    r"|\bo que falta (?:pra|para|pro) (?:ess[ea] |o |a |est[ea] )?(?:passo|etapa|el[ae]|sequencia) "
    r"(?:\w+ )?(?:terminar|concluir|acabar|completar|avancar|passar|seguir|fechar)"
    r"|\bwaiting (?:for|on)\b|\bwhat (?:does|will) (?:it|this step|the step|the sequence) need to "
    r"(?:finish|complete|end|move on|advance)\b"
    r"|\bwhen (?:does|will) (?:this|the) step (?:end|finish|complete)"
    r"|\bwhat (?:ends|completes|finishes) (?:this|the) step\b|\bcompletion criteri|\bstep criteri"
)
_MINUTES = re.compile(r"\b(?:por|durante|nos proximos|em|for|over|in|the next)\s+(\d+(?:[.,]\d+)?)\s*min")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A hypothetical action to try on a sandbox copy of the plant."""

    action: str
    minutes: float


_NAMES_ALARM = re.compile(r"\b(?:alarmes?|alarms?|regras?|rules?|alertas?|alerts?|trips?)\b")


_ASSESS = re.compile(
    r"\b(?:normal|normais|alt[oa]s?|baix[oa]s?|ok|okay|bom|boa|preocup\w*|perig\w*|limites?|limits?|"
    r"high|low|fine|worr\w*|danger\w*|safe|seguro|aceitave(?:l|is)|acceptable|admissive(?:l|is)|"
    r"adequad[oa]s?|adequate|suficientes?|enough|sufficient|within (?:the )?(?:range|band))\b"
)


# "passou da zona D?", "chegou a passar do limite?", "did it go over the limit?": an extreme against a line.
_PAST_A_LINE = re.compile(
    r"\b(?:passou|passar|ultrapass\w*|exced\w*|exceed\w*|went (?:over|past|above|beyond)|go (?:over|past)"
    r"|atingiu|chegou a|reached|zona [a-e]|zone [a-e])\b"
)


def asks_past_a_line(folded: str) -> bool:
    """Asks whether a value went past a line (a limit, a zone), not only what it was."""
    return _PAST_A_LINE.search(folded) is not None


def asks_assessment(folded: str) -> bool:
    """Asks whether a value is all right (normal, high, worrying), not just what it is."""
    return _ASSESS.search(folded) is not None


def names_an_alarm(folded: str) -> bool:
    """Says "alarm" or "rule": the rule its words name is the subject, active or not."""
    return _NAMES_ALARM.search(folded) is not None


def situation_told(folded: str) -> str | None:
    """What is happening, when the message tells it besides asking what to do ("um marinheiro caiu na
    água perto da comporta de jusante, o que eu faço?"); None for "e agora, o que eu faço?"."""
    told = _PROCEDURE.sub(" ", folded)
    return told if len(content_words(told)) >= MIN_SITUATION_WORDS else None


MIN_SITUATION_WORDS = 3


def asks_procedure(folded: str) -> bool:
    """True when the operator asks what to do."""
    return _PROCEDURE.search(folded) is not None


_HYPOTHETICAL = re.compile(
    r"^(?:e|and|mas|but)? ?(?:se|if) (?:eu|nos|a gente|i|we|you|o|a|the)\b|\bwhat (?:if|happens if|would "
    r"happen)\b"
    r"|\bo que (?:acontece|aconteceria|vai acontecer|ocorre|ocorreria) (?:se|caso)\b|^caso (?:eu|a|o)\b"
    r"|\b(?:suppose|supposing|imagine|supondo|imagina)\b|\bthen what\b|\bqual seria a consequencia\b"
)


def hypothetical(folded: str) -> bool:
    """True for a what-if, whether or not the sandbox can play its action."""
    return _HYPOTHETICAL.search(folded.strip(" ?!¿.")) is not None


# Which alarm fired first: "what's the first-out?", "qual alarme veio primeiro?", "which one came first".
_FIRST_OUT = re.compile(
    r"\bfirst[- ]?out\b|\bprimeir[oa] (?:alarme|falha|a disparar|a cair)\b"
    r"|\b(?:qual|quem|que alarme|que falha)(?: (?:alarme|falha|deles|delas|foi que))? "
    r"(?:veio|disparou|apareceu|aconteceu|caiu|entrou|atuou|foi) (?:primeiro|antes)\b"
    r"|\bwhich (?:one |alarm |fault |of them )?(?:came|fired|tripped|went off|happened|was) first\b"
    r"|\bwhat (?:alarm |fault )?(?:came|fired|tripped|went off|happened) first\b"
)


# Starting again what tripped, or resetting its fault: "posso rearmar a bomba já?", "já dá pra religar?",
# "posso ligar dnv?", "can I restart the pump?", "is it safe to turn it back on?".
_RESTART = re.compile(
    r"\b(?:rearm\w*|reset\w*|destrav\w*|relig\w*|repartir|restart\w*|re-start\w*|reenergiz\w*)\b"
    r"|\b(?:ligar|liga|ligo|ligamos|partir|parto|dar partida|start|run|turn (?:it )?on|switch (?:it )?on"
    r"|voltar a (?:ligar|funcionar|operar))\b(?: \w+){0,3}? (?:de novo|novamente|dnv|denovo|outra vez|again"
    r"|back)\b"
    r"|\b(?:turn|switch|bring|put|power) (?:it |her |him |the \w+ )?back (?:on|up|online)\b"
)
_PERMISSION = re.compile(
    r"\b(?:posso|podemos|pode|da pra|da para|liberad[oa]|libera|can (?:i|we)|may (?:i|we)|ok to|okay to"
    r"|safe to|is it (?:ok|okay|safe|fine|alright)|alright to|quando (?:posso|podemos|da)|when can)\b"
)


def asks_restart(folded: str) -> bool:
    """Asks whether a tripped equipment may start again, or its fault be reset (not how resets work)."""
    return bool(_RESTART.search(folded) and _PERMISSION.search(folded)) and not asks_definition(folded)


# Whether a condition has gone away: "a comunicação voltou?", "a cavitação já normalizou?", "has
# communication been restored?", "is the overpressure alarm cleared?"; not "voltou a disparar" (again).
_CLEARED = re.compile(
    r"\b(?:(?:voltou|voltaram|retornou|retornaram)(?! a \w)|restabelec\w*|reestabelec\w*|normalizou"
    r"|normalizaram|normalizad[oa]s?|recuperou|recuperad[oa]|resolveu|resolvid[oa]|sumiu|sumiram|apagou|passou\W*$"
    r"|restored|back (?:to normal|up|online|on)|cleared|recovered|resolved|gone away"
    r"|went away|returned to normal)\b"
)


def asks_cleared(folded: str) -> bool:
    """Asks whether a fault or condition has gone away (a question, not an order nor a what-if)."""
    return _CLEARED.search(folded) is not None and not hypothetical(folded)


def asks_step_wait(folded: str) -> bool:
    """ "o que esse passo aguarda?", "what is it waiting for?": the feedback that ends the running step."""
    return bool(_STEP_WAIT.search(folded))


def asks_first_out(folded: str) -> bool:
    """Asks which alarm fired first (the first-out), not what first-out means."""
    return _FIRST_OUT.search(folded) is not None and not asks_definition(folded)


# Two like readings set against each other: which one lags, how far apart they are.
_COMPARE = re.compile(
    r"\b(?:lagging|lags|behind|atrasad[ao]s?|(?:ficou|ficando|esta|ta) (?:para|pra) tras|nao acompanha\w*"
    r"|out of step|how far apart|quao (?:longe|distantes)|distantes? uma da outra"
    r"|diferenca entre (?:as|os|elas|eles)"
    r"|qual (?:das|dos) (?:duas|dois) (?:esta|ta) (?:mais|menos))\b"
)


def asks_comparison(folded: str) -> bool:
    """Asks which of two like readings lags, or how far apart they are."""
    return _COMPARE.search(folded) is not None


def asks_definition(folded: str) -> bool:
    """True when the operator asks what something is, means or is for (the documentation answers)."""
    return _DEFINITION.search(folded.strip(" ?!¿.")) is not None or _DEFINITION.search(folded) is not None


def asks_now(folded: str) -> bool:
    """True when the question is about the present ("tá", "agora", "currently")."""
    return _PRESENT.search(folded) is not None


def asks_reference(folded: str) -> bool:
    """True when the operator asks a design or normal value in general, not the value now."""
    return _REFERENCE.search(folded) is not None and _PRESENT.search(folded) is None


# Where a fault rule draws its line ("a partir de quantos graus é quente?", "até quanto pode ir?",
# "can we keep operating in strong wind?"): the rules' limits answer it, beside the documents.
_LIMIT = re.compile(
    r"\b(limites?|limits?|considerad[oa]s?|counts? as|a partir de quant[oa]s?|from what"
    r"|at what (?:pressure|level|temperature|value|speed|point)"
    r"|em que (?:valor|pressao|nivel|temperatura|velocidade)"
    r"|ate quant[oa]s? (?:pode|aguenta|vai|deixa|posso|da)"
    r"|how (?:high|far|hot|low|fast) (?:can|may|should|is it)"
    r"|maximo permitido|maximum allowed|pode chegar|can reach|aguenta|withstand|tolera|tolerate"
    r"|keep operating|continuar operando|pode(?:mos)? operar|da (?:pra|para) operar|safe to operate"
    r"|aceitave(?:l|is)|acceptable|admissive(?:l|is))\b"
)


def asks_limit(folded: str) -> bool:
    """True when the operator asks where a limit lies (not whether the value is past it now)."""
    return _LIMIT.search(folded) is not None


def asks_why(folded: str) -> bool:
    """True when the operator asks what happened or what is wrong."""
    return _WHY.search(folded) is not None


def what_if(folded: str, default_minutes: float = 10.0) -> WhatIf | None:
    """The action of an "e se eu abrir ...?" / "what if I open ...?" question, None for anything else."""
    text = folded.strip(" ?!¿.")
    opener = _WHAT_IF.match(text)
    if opener is None or opener.end() == 0:
        return None
    minutes = _MINUTES.search(text)
    action = _MINUTES.sub(" ", text[opener.end() :]).strip(" ,?")
    if not action:
        return None
    return WhatIf(action, float(minutes.group(1).replace(",", ".")) if minutes else default_minutes)


_PLC_ACTIONS = re.compile(
    r"\b(acoes automaticas|automatic actions|o (que o )?clp (ja )?(faz|fez|executou)|"
    r"what (does|did) the plc do|plc (does|did) on its own|clp faz sozinho|on its own)\b"
)


def asks_plc_actions(folded: str) -> bool:
    """True when the question is what the PLC does (or did) by itself about a fault."""
    return _PLC_ACTIONS.search(folded) is not None
