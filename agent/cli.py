"""`lockpilot ask`, `approve`, `reject`, `chat` and `bench agent`."""

from __future__ import annotations

import getpass
import os
from collections import defaultdict
from typing import Annotated

import typer

from agent.commands.store import Role
from lockpilot.cligroups import shared_group
from lockpilot.output import console, err_console, print_json, print_table
from lockpilot.settings import get_settings

UserOpt = Annotated[str, typer.Option("--user", help="Who is asking (default: the login name).")]
RoleOpt = Annotated[Role, typer.Option("--role", help="Role of the user; only operators approve commands.")]
DEFAULT_ROLE = Role(os.environ.get("LOCKPILOT_ROLE", Role.OPERATOR.value))


def _user(user: str) -> str:
    return user or getpass.getuser()


def ask_command(
    question: Annotated[str, typer.Argument(help="The question or request.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer JSON.")] = False,
    user: UserOpt = "",
    role: RoleOpt = DEFAULT_ROLE,
    thread: Annotated[str, typer.Option("--thread", help="Thread id (default cli:USER).")] = "",
) -> None:
    """Ask the copilot one question (pt or en)."""
    from agent.runtime import copilot_from_settings

    handle = copilot_from_settings(get_settings())
    try:
        result = handle.copilot.ask(question, user=_user(user), role=role, thread_id=thread or None)
    finally:
        handle.close()
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(result.answer, markup=False)
    if result.pending_command is not None:
        console.print(
            f"\n{result.pending_command.summary}\n\nlockpilot approve {result.pending_command.command_id}",
            markup=False,
        )


def approve_command(command_id: str, user: UserOpt = "", role: RoleOpt = DEFAULT_ROLE) -> None:
    """Approve a pending command: it is re-checked, written, read back and verified."""
    from agent.runtime import copilot_from_settings

    handle = copilot_from_settings(get_settings())
    try:
        outcome, text = handle.copilot.approve(command_id, user=_user(user), role=role)
    finally:
        handle.close()
    console.print(text, markup=False)
    if outcome.outcome.value not in ("verified",):
        raise typer.Exit(1)


def reject_command(
    command_id: str,
    user: UserOpt = "",
    role: RoleOpt = DEFAULT_ROLE,
    reason: Annotated[str, typer.Option("--reason", help="Why.")] = "",
) -> None:
    """Reject a pending command; it is never written."""
    from agent.runtime import copilot_from_settings

    handle = copilot_from_settings(get_settings())
    try:
        outcome, text = handle.copilot.reject(command_id, user=_user(user), role=role, reason=reason)
    finally:
        handle.close()
    console.print(text, markup=False)
    if outcome.outcome.value != "rejected":
        raise typer.Exit(1)


def chat_command(
    user: UserOpt = "",
    role: RoleOpt = DEFAULT_ROLE,
    thread: Annotated[str, typer.Option("--thread", help="Thread id (default cli:USER).")] = "",
) -> None:
    """Chat with the copilot in the terminal (empty line or Ctrl-D ends)."""
    from agent.runtime import copilot_from_settings

    handle = copilot_from_settings(get_settings())
    who = _user(user)
    try:
        while question := typer.prompt(">", default="", show_default=False).strip():
            result = handle.copilot.ask(question, user=who, role=role, thread_id=thread or None)
            console.print(result.answer, markup=False)
            pending = result.pending_command
            if pending is not None:
                console.print(pending.summary, markup=False)
                if typer.confirm("Aprovar / approve?", default=False):
                    console.print(
                        handle.copilot.approve(pending.command_id, user=who, role=role)[1], markup=False
                    )
                else:
                    console.print(
                        handle.copilot.reject(pending.command_id, user=who, role=role)[1], markup=False
                    )
    except (EOFError, typer.Abort):
        pass
    finally:
        handle.close()


def bench_agent_command(
    repeats: Annotated[int, typer.Option(help="Rounds over the question set.")] = 10,
) -> None:
    """Offline planner over a fixed question set against the running twin: p50/p95 per question and tool."""
    from agent.bench import TARGET_P95_S, run_agent_bench
    from agent.runtime import copilot_from_settings

    tool_times: dict[str, list[float]] = defaultdict(list)
    handle = copilot_from_settings(
        get_settings(), offline=True, on_tool_time=lambda name, s: tool_times[name].append(s)
    )
    try:
        report = run_agent_bench(handle.copilot, tool_times, repeats=repeats)
    finally:
        handle.close()
    rows = [
        (x.name, x.count, f"{x.p50_s * 1000:.1f}", f"{x.p95_s * 1000:.1f}")
        for x in [*report.questions, report.overall]
    ]
    print_table("agent: latency per question (ms)", ["question", "n", "p50", "p95"], rows)
    print_table(
        "agent: latency per tool call (ms)",
        ["tool", "n", "p50", "p95"],
        [(x.name, x.count, f"{x.p50_s * 1000:.1f}", f"{x.p95_s * 1000:.1f}") for x in report.tools],
    )
    verdict = "meets" if report.meets_target else "MISSES"
    err_console.print(
        f"p95 {report.overall.p95_s * 1000:.1f} ms {verdict} the target {TARGET_P95_S * 1000:.0f} ms"
    )


def register(app: typer.Typer) -> None:
    """Add the agent's commands to the `lockpilot` CLI."""
    app.command("ask")(ask_command)
    app.command("approve")(approve_command)
    app.command("reject")(reject_command)
    app.command("chat")(chat_command)
    shared_group(app, "bench", "Benchmarks that print figures.").command("agent")(bench_agent_command)
