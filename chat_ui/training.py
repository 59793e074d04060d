"""`/treino` in the chat: a trainer starts a scenario on a sandbox twin; the chat's questions go to it.

While a session runs, this chat's messages are answered by a copilot over the sandbox (never the live plant),
alarms of the scenario come with a *Reconhecer* button, command requests are approved into the sandbox only,
and `/treino fim` (or the scenario's end) shows the scored report.
"""

from __future__ import annotations

import asyncio
import contextlib

import chainlit as cl

from api.services import Services
from chat_ui.render import cell, command_card
from chat_ui.turn import run_turn
from evals.training import TrainingReport, list_scenarios
from evals.training_sandbox import SANDBOX_ROLE, TrainingSandbox, open_sandbox
from lockpilot.roles import Role
from lockpilot.text import fold
from twin.scenario import Truth

ACK, APPROVE, REJECT = "training_ack", "training_approve", "training_reject"
AUTHOR = "Treino"
SESSION_KEY, WATCH_KEY, DEBRIEF_KEY = "training", "training_watch", "training_debrief"
CHAT_SPEED = 2.0  # simulated s per wall s in the chat: a 180 s scenario leaves the trainee 90 s
MAX_CHAT_SPEED = 60.0
DEBRIEF_S = 600.0  # after the end, claims about the cause are checked against the scenario this long
END_WORDS = ("fim", "encerrar", "parar")
TICK_S = 1.0
REASON_TIMEOUT_S = 120


def current() -> TrainingSandbox | None:
    """The training session of this chat, if one runs."""
    found = cl.user_session.get(SESSION_KEY)
    return found if isinstance(found, TrainingSandbox) else None


def _ack_button() -> cl.Action:
    return cl.Action(name=ACK, payload={}, label="Reconhecer alarmes (treino)", icon="bell-off")


async def _say(text: str, *, actions: list[cl.Action] | None = None) -> None:
    await cl.Message(content=text, author=AUTHOR, actions=actions or []).send()


def scenarios_table(svc: Services) -> str:
    """The plant's training scenarios as a table."""
    rows = [
        f"| `{s.id}` | {cell(s.title.pt if s.title else '')} | {s.speed:g}× | {s.length_s():g} s |"
        for s in list_scenarios(svc.plant)
    ]
    return (
        "### Cenários de treino\n| cenário | título | velocidade | duração simulada |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nNo chat o cenário corre a {CHAT_SPEED:g}× (tempo simulado por segundo real). Um instrutor "
        "inicia com `/treino NOME [aprendiz] [xVELOCIDADE]` e encerra com `/treino fim`."
    )


def report_table(report: TrainingReport) -> str:
    """The trainer's report: times from the first alarm, actions, score, what happened and the log."""

    def after(x: float | None) -> str:
        return "não" if x is None else f"{x:.1f} s após o alarme"

    rows = [
        ("Cenário", f"`{report.scenario}`"),
        ("Aprendiz", report.trainee),
        ("Causa raiz", f"`{report.root_cause}`" if report.root_cause else "nenhuma"),
        ("Primeiro alarme", "não disparou" if report.alarm_at_s is None else f"{report.alarm_at_s:.1f} s"),
        ("Reconhecimento", after(report.acknowledged_after_s)),
        ("Causa nomeada", after(report.cause_named_after_s)),
        ("Ações corretas", ", ".join(report.right_actions) or "nenhuma"),
        ("Ações proibidas", ", ".join(report.forbidden_actions) or "nenhuma"),
        ("**Nota**", f"**{report.score}/100**"),
    ]
    table = "\n".join(f"| {k} | {cell(v)} |" for k, v in rows)
    log = "\n".join(report.log) or "(vazio)"
    return (
        f"### Relatório do treino\n| | |\n|---|---|\n{table}\n\n{report.summary_pt}\n\n"
        f"**Registro do treino**\n\n```text\n{log}\n```\n\n"
        "Diga agora qual foi a causa: a resposta é conferida com a verdade do cenário."
    )


async def command(svc: Services, arg: str, *, user: str, role: Role, tick_s: float = TICK_S) -> None:
    """`/treino` lists, `/treino NOME [aprendiz]` starts (trainers only), `/treino fim` reports."""
    cl.user_session.set(DEBRIEF_KEY, None)
    name, trainee, speed = _arguments(arg)
    if not name or name.lower() == "lista":
        await _say(await asyncio.to_thread(scenarios_table, svc))
    elif name.lower() in END_WORDS:
        await finish()
    elif role is not Role.TRAINER:
        await _say("Somente um **instrutor** (papel trainer) pode iniciar um treino.")
    elif current() is not None:
        await _say("Já há um treino em andamento neste chat; encerre com `/treino fim`.")
    else:
        await begin(svc, name, trainee=trainee or user, tick_s=tick_s, speed=speed)


def _arguments(arg: str) -> tuple[str, str, float]:
    """`NOME [aprendiz] [x5]`: the scenario, the trainee and the chat speed."""
    words, speed = arg.split(), CHAT_SPEED
    for word in list(words[1:]):
        if word[:1] in "x×" and word[1:].replace(",", ".").replace(".", "", 1).isdigit():
            speed = min(MAX_CHAT_SPEED, max(0.1, float(word[1:].replace(",", "."))))
            words.remove(word)
    return (words[0] if words else ""), " ".join(words[1:]), speed


async def begin(
    svc: Services, name: str, *, trainee: str, tick_s: float = TICK_S, speed: float = CHAT_SPEED
) -> TrainingSandbox | None:
    """Open the sandbox, announce the session and play the scenario every `tick_s` s (0: the caller polls)."""
    model = svc.copilot.model if svc.copilot is not None else None
    try:
        sandbox = await asyncio.to_thread(
            open_sandbox,
            name,
            trainee,
            clock=svc.clock,
            bundle=svc.bundle,
            model=model,
            knowledge=svc.tools.knowledge,
        )
    except KeyError as exc:
        await _say(f"Atenção: {exc.args[0]}")
        return None
    scenario = sandbox.session.scenario.model_copy(update={"speed": speed})
    sandbox.session.scenario = scenario  # simulated durations stay; the chat plays them at a human pace
    cl.user_session.set(SESSION_KEY, sandbox)
    title = scenario.title.pt if scenario.title else scenario.id
    await _say(
        f"### Treino iniciado: {title}\nAprendiz: **{trainee}** · velocidade {scenario.speed:g}× · "
        f"{scenario.length_s():g} s simulados.\n\nA partir de agora as perguntas deste chat vão ao "
        "**gêmeo de treino** (nunca à eclusa real) e os comandos só são escritos nele. "
        "Reconheça os alarmes com o botão; `/treino fim` encerra e mostra o relatório.",
        actions=[_ack_button()],
    )
    if tick_s > 0:
        cl.user_session.set(WATCH_KEY, asyncio.create_task(watch(period_s=tick_s)))
    return sandbox


async def poll() -> bool:
    """Play the scenario up to now: announce new alarms, report at the end; False when no session runs."""
    sandbox = current()
    if sandbox is None:
        return False
    raised = await asyncio.to_thread(sandbox.sync)
    if raised:
        names = ", ".join(f"`{a}`" for a in raised)
        text = f"**Treino, alarme:** {names} (t = {sandbox.session.sim_s:.0f} s)"
        await _say(text, actions=[_ack_button()])
    if sandbox.finished:
        await _say("Fim do cenário.")
        await finish()
        return False
    return True


async def watch(*, period_s: float) -> None:
    """Poll every `period_s` seconds until the session ends."""
    while await poll():
        await asyncio.sleep(period_s)


async def finish() -> TrainingReport | None:
    """End this chat's session and show the scored report."""
    sandbox = current()
    if sandbox is None:
        await _say("Nenhum treino em andamento neste chat.")
        return None
    cl.user_session.set(SESSION_KEY, None)
    stop()
    report = await asyncio.to_thread(sandbox.report)
    truth = sandbox.session.scenario.truth
    if truth is not None:
        until = sandbox.session.clock.now().timestamp() + DEBRIEF_S
        cl.user_session.set(DEBRIEF_KEY, (truth, until))
    await _say(report_table(report))
    return report


async def debrief(text: str, *, now_s: float) -> bool:
    """After the end, a claim about the cause is answered against the scenario's truth; False otherwise."""
    found = cl.user_session.get(DEBRIEF_KEY)
    if not found or text.startswith("/"):
        return False
    truth, until = found
    if now_s > until:
        cl.user_session.set(DEBRIEF_KEY, None)
        return False
    if not is_claim(truth, text):  # a question goes to the copilot as usual
        return False
    await _say(claim_verdict(truth, text))
    return True


CLAIM_WORDS = ("causa", "culpa", "cause", "foi ", "era ", "was ")


def is_claim(truth: Truth, text: str) -> bool:
    """A statement about what happened (not a question): it says "causa", "foi"... or names the cause."""
    folded = fold(text)
    if "?" in text:
        return False
    return any(w in folded for w in CLAIM_WORDS) or any(fold(w) in folded for w in truth.cause_words)


def claim_verdict(truth: Truth, text: str) -> str:
    """ "correto: ..." when the claim names the scenario's cause, else what the cause was."""
    named = any(fold(w) in fold(text) for w in truth.cause_words)
    cause = f"`{truth.root_cause}`" if truth.root_cause else "nenhuma falha"
    if named:
        return f"**Correto:** a causa era {cause}. {truth.summary.pt}"
    return f"**Não é isso:** a causa era {cause}. {truth.summary.pt}"


def stop() -> None:
    """Stop playing the scenario (the chat ended, or the session did)."""
    task = cl.user_session.get(WATCH_KEY)
    cl.user_session.set(WATCH_KEY, None)
    if task is not None and task is not asyncio.current_task():
        task.cancel()


async def ask(question: str, *, user: str) -> bool:
    """Answer over the sandbox when a session runs (the message is scored); False when none runs."""
    sandbox = current()
    if sandbox is None:
        return False
    await asyncio.to_thread(sandbox.message, question)
    thread_id = f"treino:{cl.context.session.thread_id}"
    await run_turn(sandbox.copilot, question, user=user, role=SANDBOX_ROLE, thread_id=thread_id)
    result = await asyncio.to_thread(sandbox.copilot.result, thread_id)
    await asyncio.to_thread(sandbox.log_refusals)
    pending = result.pending_command
    record = sandbox.commands.get(pending.command_id) if pending is not None else None
    if record is not None:
        left = max(0.0, (record.expires_at - sandbox.session.clock.now()).total_seconds())
        payload = {"command_id": record.id}
        await _say(
            "(treino: só o gêmeo de treino recebe o comando)\n\n"
            + command_card(record.summary, seconds_left=left, can_approve=True),
            actions=[
                cl.Action(name=APPROVE, payload=payload, label="Aprovar (treino)", icon="check"),
                cl.Action(name=REJECT, payload=payload, label="Rejeitar (treino)", icon="x"),
            ],
        )
    return True


async def acknowledge(action: cl.Action, *, user: str) -> None:
    """The *Reconhecer* button: scored, and the sandbox's alarms are acknowledged."""
    sandbox = current()
    if sandbox is None:
        await _say("Nenhum treino em andamento neste chat.")
        return
    done = await asyncio.to_thread(sandbox.acknowledge, user=user)
    with contextlib.suppress(Exception):  # the button may be gone already
        await action.remove()
    await _say(f"Treino: reconhecido por {user} ({', '.join(done) or 'nenhum alarme pendente'}).")


async def approve(action: cl.Action, *, user: str) -> None:
    """Approve a training command: written to the sandbox twin only."""
    sandbox = current()
    if sandbox is None:
        await _say("Nenhum treino em andamento neste chat.")
        return
    await action.remove()
    _, text = await asyncio.to_thread(sandbox.approve, action.payload["command_id"], user=user)
    await _say(f"(treino) {text}")


async def reject(action: cl.Action, *, user: str) -> None:
    """Reject a training command, asking the reason; nothing is written."""
    sandbox = current()
    if sandbox is None:
        await _say("Nenhum treino em andamento neste chat.")
        return
    reply = await cl.AskUserMessage(
        content="Motivo da rejeição?", timeout=REASON_TIMEOUT_S, author=AUTHOR
    ).send()
    reason = (reply or {}).get("output", "").strip() or "sem motivo informado"
    await action.remove()
    _, text = await asyncio.to_thread(sandbox.reject, action.payload["command_id"], user=user, reason=reason)
    await _say(f"(treino) {text}")
