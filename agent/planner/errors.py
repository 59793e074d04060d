"""A tool's error (written in English for any model) said in the operator's language by the offline writer."""

from __future__ import annotations

import re

from lockpilot.language import Language

# (pattern of the tool's English error, Portuguese sentence with the pattern's groups)
_PORTUGUESE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), pt)
    for pattern, pt in (
        (r"^the knowledge base is not available$", "a base de conhecimento não está disponível"),
        (
            r"^the knowledge base is still indexing \(about (\S+) s\)$",
            r"a base de conhecimento ainda está sendo indexada (faltam cerca de \1 s)",
        ),
        (r"^the history store is not available$", "o histórico não está disponível (banco de dados fora)"),
        (r"^the rules and alarm store are not available$", "os alarmes e as regras não estão disponíveis"),
        (r"^the sequence checker is not available$", "a verificação de sequências não está disponível"),
        (
            r"^the command path is not available.*$",
            "o caminho de comandos não está disponível (sem link com o CLP ou banco de dados)",
        ),
        (r"^unknown alarm or rule '(.+)'$", r"alarme ou regra desconhecido: '\1'"),
        (r"^unknown tag '(.+)'$", r"tag desconhecida: '\1'"),
        (r"^unknown tags: (.+)$", r"tags desconhecidas: \1"),
        (r"^unknown sequence '(.+?)' \(known: (.+)\)$", r"sequência desconhecida '\1' (existem: \2)"),
        (r"^the plant has no (.+)$", r"a planta não tem \1"),
        (
            r"^no current value for (.+): cannot copy the plant state$",
            r"sem valor atual de \1: não dá para copiar o estado da planta",
        ),
    )
)


def said_error(error: str, language: Language) -> str:
    """The error in the answer's language (English as the tool wrote it; Portuguese when known)."""
    if language is not Language.PT:
        return error
    for pattern, pt in _PORTUGUESE:
        if pattern.match(error):
            return pattern.sub(pt, error)
    return error
