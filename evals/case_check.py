"""Check eval cases against the plant data and the incidents: references exist, expected facts hold at at_s.

Static: every tool, tag, rule, sequence, command, document and incident a case names exists, and every
turn's at_s lies inside its incident. At the moment of each turn (replayed with the harness's store and
rules engine): every expected value has a stored number, every cited alarm is active, an expected command
would be accepted (its preconditions pass), a refusal has a reason, a why-not sequence is not permitted,
a how-long question has a sequence running, and data-quality stems match an active data-quality alarm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from commands.summary import condition_lines
from evals.cases import Case, Turn
from evals.harness import expected_value
from evals.incident import IncidentLibrary
from evals.moment import Moment, moment_of
from evals.store import IncidentStore
from lockpilot.plant import DataType
from lockpilot.plant.commands import CommandBook
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tools.registry import ToolName

# Mention stems that assert a fault is present: the turn's moment must have one of these alarms active.
FAULT_STEMS: dict[str, tuple[str, ...]] = {
    "congel": ("sensor_nivel_camara_congelado",),
    "frozen": ("sensor_nivel_camara_congelado",),
    "froze": ("sensor_nivel_camara_congelado",),
    "diverg": ("divergencia_nivel_camara", "divergencia_nivel_montante", "divergencia_pressao_sistema"),
    "disagree": ("divergencia_nivel_camara", "divergencia_nivel_montante", "divergencia_pressao_sistema"),
    "cavita": ("cavitacao_bomba",),
    "cavitat": ("cavitacao_bomba",),
    "sobrepress": ("sobrepressao_sistema",),
    "overpressure": ("sobrepressao_sistema",),
    "sobrecorrente": ("sobrecorrente_motor_bomba", "rele_termico_sobrecorrente"),
    "overcurrent": ("sobrecorrente_motor_bomba", "rele_termico_sobrecorrente"),
    "comunica": ("perda_comunicacao_clp",),
    "assim": ("valvulas_enchimento_assimetricas",),
    "desalinh": ("desalinhamento_folhas_comporta_montante", "desalinhamento_folhas_comporta_jusante"),
    "misalign": ("desalinhamento_folhas_comporta_montante", "desalinhamento_folhas_comporta_jusante"),
}
RULE_PREFIXES = ("qualidade_dados.", "anomalia.")  # alarms derived per tag: prefix + tag name


@dataclass
class CaseProblems:
    """What is wrong with the cases (errors) and what deserves a look (warnings)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class CaseChecker:
    """Checks cases of one plant; moments are replayed once per incident, in time order."""

    def __init__(
        self, bundle: PlantBundle, library: IncidentLibrary, *, doc_ids: Iterable[str] | None = None
    ) -> None:
        self.bundle, self.plant, self.library = bundle, bundle.plant, library
        self.book: CommandBook = bundle.commands
        self.rule_ids = {r.defn.id for r in bundle.rules.rules}
        self.sequence_ids = set(bundle.sequences)
        self._doc_ids = None if doc_ids is None else set(doc_ids)

    @cached_property
    def doc_ids(self) -> set[str]:
        """Passage ids of the plant's corpus and their document ids."""
        if self._doc_ids is None:
            from knowledge.service import build_corpus

            passages = build_corpus(self.bundle)
            self._doc_ids = {p.id for p in passages} | {p.document for p in passages}
        return self._doc_ids

    def _rule_known(self, rule_id: str) -> bool:
        if rule_id in self.rule_ids:
            return True
        return any(
            rule_id.startswith(p) and rule_id.removeprefix(p) in self.plant.tags for p in RULE_PREFIXES
        )

    def references(self, case: Case) -> list[str]:
        """Names the case uses that do not exist, and turns outside the incident."""
        out: list[str] = []
        if case.incident is not None:
            if case.incident not in self.library.ids():
                return [f"unknown incident {case.incident}"]
            duration = self.library.get(case.incident).duration_s
            out += [
                f"at_s {t.at_s:g} outside {case.incident} (0-{duration:g} s)"
                for t in case.steps
                if t.at_s > duration
            ]
        tools = {t.value for t in ToolName}
        for n, turn in enumerate(case.steps, 1):
            e = turn.expect
            where = f"turn {n}: " if case.is_conversation else ""
            out += [f"{where}unknown tool {t}" for t in (*e.tools, *e.forbid_tools) if t not in tools]
            for v in e.values:
                tag = self.plant.tags.get(v.tag)
                if tag is None or tag.type is DataType.BOOL:
                    out.append(f"{where}value of {v.tag}: not a numeric tag")
            for c in e.citations:
                kind = c.kind.value
                exists = {
                    "tag": lambda i: i in self.plant.tags,
                    "rule": self._rule_known,
                    "alarm": self._rule_known,
                    "sequence": lambda i: i in self.sequence_ids,
                    "doc": lambda i: i in self.doc_ids,
                }[kind]
                out += [f"{where}unknown {kind} {alt}" for alt in c.id.split("|") if not exists(alt)]
            if e.command is not None and self.book.get(e.command.command) is None:
                out.append(f"{where}unknown command {e.command.command}")
            out += [f"{where}empty mention" for m in e.mentions if not m.strip("| ")]
        return out

    def refused_command(self, case: Case) -> str | None:
        """The command a refusal is about: the longest command id in the id's slug (`refused.pt.<id>-...`)."""
        slug = case.id.split(".")[-1]
        found = [c.id for c in self.book.commands if c.id in slug]
        return max(found, key=len) if found else None

    def _command_passes(self, command: str, store: IncidentStore) -> bool:
        spec = self.book.get(command)
        assert spec is not None
        lines = condition_lines(self.plant, spec.preconditions, dict(store.latest))
        return all(line["passed"] for line in lines)

    def facts(self, case: Case, turn: Turn, m: Moment, store: IncidentStore) -> tuple[list[str], list[str]]:
        """Errors and warnings about one turn's expectations at its moment."""
        e, errors, warnings = turn.expect, [], []
        active = m.active_ids()
        for v in e.values:
            if expected_value(store, v) is None:
                errors.append(f"{v.tag} has no stored value" + ("" if v.stat is None else " in the window"))
        for c in e.citations:
            alts = set(c.id.split("|"))
            if c.kind.value == "alarm" and not alts & active:
                errors.append(f"alarm {c.id} cited but not active")
            if c.kind.value == "rule" and not alts & active:
                warnings.append(f"rule {c.id} cited but not active")
        if e.command is not None:
            if case.user.role is not Role.OPERATOR:
                errors.append(f"command {e.command.command} expected for a {case.user.role.value}")
            elif not self._command_passes(e.command.command, store):
                errors.append(f"command {e.command.command} expected but its preconditions fail")
        elif "request_command" in e.tools and case.user.role is Role.OPERATOR:
            refused = self.refused_command(case)
            if refused is None:
                errors.append("a refusal is expected: name the refused command id in the case id")
            elif self._command_passes(refused, store):
                errors.append(f"{refused} expected refused but its preconditions pass")
        if case.style == "why_not":
            for c in e.citations:
                if c.kind.value == "sequence" and m.checks[c.id].permitted:
                    errors.append(f"why-not on {c.id}, which is permitted at {turn.at_s:g} s")
        if case.style == "how_long" and m.sequence is None and not case.is_conversation:
            errors.append("how-long asked with no sequence running")
        for mention in e.mentions:
            stems = [alt.strip().lower() for alt in mention.split("|")]
            if not all(stem in FAULT_STEMS for stem in stems):
                continue  # an alternative that asserts no fault
            rules = {r for stem in stems for r in FAULT_STEMS[stem]}
            if not active & rules:
                target = errors if case.style == "dataq" else warnings
                target.append(f"mention '{mention}' but none of {', '.join(sorted(rules))} is active")
        return errors, warnings

    def check(self, cases: Iterable[Case]) -> CaseProblems:
        """Every problem of every case, each prefixed with the case id (and turn)."""
        problems = CaseProblems()
        todo: list[tuple[Case, int, Turn]] = []
        for case in cases:
            refs = self.references(case)
            problems.errors += [f"{case.id}: {r}" for r in refs]
            if not refs and case.incident is not None:
                todo += [(case, n, t) for n, t in enumerate(case.steps, 1)]
        todo.sort(key=lambda x: (x[0].incident or "", x[2].at_s))
        store: IncidentStore | None = None
        for case, n, turn in todo:
            if store is None or store.incident.id != case.incident or store.at_s > turn.at_s:
                store = IncidentStore(self.library.get(case.incident or ""), self.bundle)
            m = moment_of(store, at_s=turn.at_s)
            errors, warnings = self.facts(case, turn, m, store)
            label = (
                f"{case.id} (turn {n} @ {turn.at_s:g} s)"
                if case.is_conversation
                else f"{case.id} (@ {turn.at_s:g} s)"
            )
            problems.errors += [f"{label}: {x}" for x in errors]
            problems.warnings += [f"{label}: {x}" for x in warnings]
        return problems
