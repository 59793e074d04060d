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


_REASONS = {
    "unknown_or_disabled_user": (
        "usuário desconhecido ou desativado no cadastro de usuários",
        "user unknown or disabled in the user directory",
    ),
    "four_eyes_other_approver": (
        "quatro olhos: a aprovação deve ser de outro operador, não de quem pediu",
        "four eyes: another operator than the requester must approve",
    ),
    "value_not_finite": ("o valor deve ser um número finito", "the value must be a finite number"),
}
_DECIDED = {
    "approved": ("já aprovado por", "already approved by"),
    "executing": ("já aprovado por", "already approved by"),
    "verified": ("já aprovado por", "already approved by"),
    "failed": ("já aprovado por", "already approved by"),
    "aborted": ("já aprovado por", "already approved by"),
    "rejected": ("já rejeitado por", "already rejected by"),
}


def _already_done(outcome: CommandOutcome, language: Language) -> str:
    """ "Already approved by X" for the loser of a race, else the generic sentence."""
    details = outcome.details or {}
    words = _DECIDED.get(str(details.get("status")))
    if words is None or not details.get("decided_by"):
        pt, en = _WORDS[Outcome.ALREADY_DONE]
    else:
        pt = f"{words[0]} {details['decided_by']}; nada foi escrito de novo"
        en = f"{words[1]} {details['decided_by']}; nothing written again"
    return say(
        language,
        f"Comando {outcome.command_id} ({outcome.command}): {pt}.",
        f"Command {outcome.command_id} ({outcome.command}): {en}.",
    )


def _reason(code: str, language: Language) -> str:
    if code in _REASONS:
        return say(language, *_REASONS[code])
    return reason(code, language)


def outcome_text(outcome: CommandOutcome, language: Language) -> str:
    """One or two sentences on how the command ended, with read-back and feedback when written."""
    if outcome.outcome is Outcome.ALREADY_DONE:
        return _already_done(outcome, language)
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
        text += " " + _reason(outcome.reason, language)
    return text
