"""How a command's ending is told to the user (approved and verified, rejected, expired, aborted...)."""

from __future__ import annotations

from agent.planner.phrases import number, reason, say
from commands.desk import CommandOutcome, Outcome
from lockpilot.language import Language

_WORDS = {
    Outcome.VERIFIED: ("executado e verificado", "written and verified"),
    Outcome.FAILED: (
        "escrito, mas NÃO confirmado pelo retorno de campo",
        "written but NOT confirmed by feedback",
    ),
    Outcome.ABORTED: (
        "abortado: as condições mudaram desde o pedido; nada foi escrito",
        "aborted: conditions changed since the request; nothing was written",
    ),
    Outcome.REJECTED: ("rejeitado; nada foi escrito", "rejected; nothing was written"),
    Outcome.EXPIRED: (
        "expirado sem aprovação; nada foi escrito",
        "expired without approval; nothing was written",
    ),
    Outcome.NOT_ALLOWED: ("aprovação recusada", "approval refused"),
    Outcome.NOT_FOUND: ("não encontrado", "not found"),
    Outcome.ALREADY_DONE: (
        "já tratado antes; nada foi escrito de novo",
        "already handled; nothing written again",
    ),
    Outcome.PENDING: ("aguardando aprovação", "waiting for approval"),
    Outcome.APPROVED: ("aprovado", "approved"),
    Outcome.REFUSED: ("recusado; nada foi escrito", "refused; nothing was written"),
}


def outcome_text(outcome: CommandOutcome, language: Language) -> str:
    """One or two sentences on how the command ended, with read-back and feedback when written."""
    pt, en = _WORDS[outcome.outcome]
    text = say(
        language,
        f"Comando {outcome.command_id} ({outcome.command}): {pt}.",
        f"Command {outcome.command_id} ({outcome.command}): {en}.",
    )
    details = outcome.details or {}
    verdict = details.get("verdict_pt" if language is Language.PT else "verdict_en")
    if verdict:  # what the field did, said exactly (commands.verdict)
        head = say(
            language,
            f"Comando {outcome.command_id} ({outcome.command}): ",
            f"Command {outcome.command_id} ({outcome.command}): ",
        )
        if not details.get("read_back_ok", True) and not details.get("pulse"):
            verdict += say(
                language,
                f" A leitura de retorno não confere ({number(details.get('read_back'))}).",
                f" The read-back does not match ({number(details.get('read_back'))}).",
            )
        return head + verdict
    if "read_back" in details:
        feedback = details.get("feedback") or {}
        text += say(
            language,
            f" Leitura de retorno: {number(details['read_back'])}.",
            f" Read-back: {number(details['read_back'])}.",
        )
        if feedback.get("ok"):
            text += say(
                language,
                f" Retorno de campo: {feedback['condition']} ({number(feedback['value'])}).",
                f" Field feedback: {feedback['condition']} ({number(feedback['value'])}).",
            )
        elif feedback.get("checked"):
            text += say(
                language,
                f" Sem retorno de campo em {feedback['timeout_s']:g} s.",
                f" No field feedback within {feedback['timeout_s']:g} s.",
            )
    if details.get("changed"):
        text += " " + ", ".join(
            f"{tag}: {v['at_request']} -> {v['now']}" for tag, v in details["changed"].items()
        )
    if outcome.reason:
        text += " " + reason(outcome.reason, language)
    return text
