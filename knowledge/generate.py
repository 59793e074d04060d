"""Generate the per-rule and per-sequence pages from rules.yaml and sequences.yaml, so they never drift."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import structlog

from rules.bundle import PlantBundle
from rules.loader import AllOf, AnyOf, CondTree, NotOf, Rule
from rules.model import Check, Priority, SequenceDef, Severity, Step

log = structlog.get_logger(__name__)

_PARAM = re.compile(r"\$\{([a-z0-9_]+)\}")
_SEVERITY_PT = {
    Severity.CRITICAL: "crítica",
    Severity.MAJOR: "alta",
    Severity.MINOR: "baixa",
    Severity.WARNING: "aviso",
}
_PRIORITY_PT = {
    Priority.CRITICAL: "crítica",
    Priority.HIGH: "alta",
    Priority.MEDIUM: "média",
    Priority.LOW: "baixa",
}
# Which team the operator calls, by the equipment a rule is about (prefix match, first wins).
_TEAMS = (
    ("bomba", "a manutenção mecânica"),
    ("unidade_hidraulica", "a manutenção mecânica"),
    ("comporta", "a manutenção mecânica"),
    ("valvula", "a manutenção mecânica"),
    ("reservatorio", "a instrumentação"),
    ("camara", "a instrumentação"),
    ("plc", "a automação"),
    ("clp", "a automação"),
    ("eclusa", "a manutenção elétrica"),
    ("casa_comando", "a manutenção elétrica"),
)


RULE_PAGES = "regras/"  # the documents generated from rules.yaml, one per alarm


def _fill(text: str, params: dict[str, float]) -> str:
    """Replace `${param}` by its value from parameters.yaml."""
    return _PARAM.sub(lambda m: f"{params[m.group(1)]:g}" if m.group(1) in params else m.group(0), text)


def render_condition(tree: CondTree | Mapping[str, Any], params: dict[str, float]) -> str:
    """Render a condition (loaded tree, or raw YAML all/any/not mapping) as text with parameter values."""
    if isinstance(tree, str):
        return f"`{_fill(tree, params)}`"
    if isinstance(tree, Mapping):
        ((key, value),) = tree.items()
        tree = NotOf(value) if key == "not" else (AllOf if key == "all" else AnyOf)(tuple(value))
    if isinstance(tree, NotOf):
        return f"não ({render_condition(tree.child, params)})"
    joiner = " E " if isinstance(tree, AllOf) else " OU "
    return "(" + joiner.join(render_condition(child, params) for child in tree.children) + ")"


def _team(equipment: str) -> str:
    """Return the maintenance team for an equipment id."""
    return next((team for prefix, team in _TEAMS if equipment.startswith(prefix)), "a manutenção")


def _maintenance(rule: Rule) -> str:
    """Say when to call maintenance for a rule, from its severity and equipment."""
    team = _team(rule.defn.equipment)
    if rule.defn.severity in (Severity.CRITICAL, Severity.MAJOR):
        return f"chamar {team} sempre, com a eclusa em condição segura."
    return f"chamar {team} se persistir ou se repetir no turno."


def rule_page(rule: Rule, params: dict[str, float]) -> str:
    """Write the Markdown page of one fault rule."""
    d = rule.defn
    actions = "; ".join(a.pt.lower() + (f" (`{a.tag}`)" if a.tag else "") for a in d.plc_actions)
    delay = f"; atraso de {d.for_s:g} s" if d.for_s else ""
    severity, priority = _SEVERITY_PT[d.severity], _PRIORITY_PT[d.priority]
    return f"""<!-- category: regra -->
# {d.name.pt} ({d.name.en})

## Causa e consequência (cause and consequence)
Regra `{d.id}`, equipamento `{d.equipment}`, severidade {severity}, prioridade {priority}.
{d.description.pt}
Condição: {render_condition(rule.condition, params)}{delay}.
Causa: {d.explanation.cause.pt}
Consequência: {d.explanation.consequence.pt}
EN: {d.description.en} Cause: {d.explanation.cause.en} Consequence: {d.explanation.consequence.en}

## O que fazer (what to do)
Operador: {d.explanation.action.pt}
Ações automáticas do CLP: {actions + "." if actions else "nenhuma; é um alarme do copiloto."}
Manutenção: {_maintenance(rule)}
EN: {d.explanation.action.en}
"""


def _checks(checks: tuple[Check, ...], params: dict[str, float]) -> str:
    """List checks as sentences with their conditions."""
    return "\n".join(f"- {c.sentence.pt} (`{_fill(c.condition, params)}`)" for c in checks)


def _value(value: float | bool) -> str:
    """Format a command value."""
    return ("verdadeiro" if value else "falso") if isinstance(value, bool) else f"{value:g}"


def _steps(steps: tuple[Step, ...], params: dict[str, float]) -> str:
    """List the steps with commands, expected feedback and timeout."""
    lines = []
    for s in steps:
        commands = ", ".join(f"`{c.tag}` = {_value(c.value)}" for c in s.commands)
        commanded = f"Comandos: {commands}. " if commands else ""
        lines.append(
            f"{s.step}. {s.name.pt} ({s.name.en}). {commanded}Termina quando "
            f"{render_condition(s.feedback, params)}; timeout {s.timeout_s:g} s."
        )
    return "\n".join(lines)


def sequence_page(seq: SequenceDef, params: dict[str, float]) -> str:
    """Write the Markdown procedure page of one operating sequence."""
    name = seq.name.pt.lower()
    post = _checks(seq.postconditions, params) or "- Nenhuma."
    safety = _checks(seq.safety_checks, params) or "- Nenhuma além das precondições."
    return f"""<!-- category: sequencia -->
# Procedimento {seq.name.pt} ({seq.name.en})

## Descrição (description)
Sequência `{seq.id}`, código {seq.code} em `comando_iniciar_sequencia` e `sequencia_ativa`.
{seq.description.pt}
EN: {seq.description.en}

## Precondições (preconditions)
Para iniciar {name} é preciso (o CLP e o copiloto verificam):
{_checks(seq.preconditions, params)}

## Passos (steps)
Passos da sequência de {name}:
{_steps(seq.steps, params)}

## Pós-condições e segurança (postconditions and safety checks)
Ao final de {name}:
{post}
Durante toda a sequência:
{safety}
"""


def generate_pages(bundle: PlantBundle) -> dict[str, str]:
    """Return document -> Markdown for every rule and sequence of the plant."""
    params = dict(bundle.parameters)
    pages = {f"{RULE_PAGES}{rule.id}": rule_page(rule, params) for rule in bundle.rules.rules}
    pages.update({f"sequencias/{seq.id}": sequence_page(seq, params) for seq in bundle.sequences.values()})
    return pages


def write_pages(pages: dict[str, str], out_dir: Path) -> list[Path]:
    """Write generated pages under out_dir (for people to read; the index builds them from data)."""
    written = []
    for document, text in sorted(pages.items()):
        path = out_dir / f"{document}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
