"""An operator that keeps the lock cycling (fill, open upstream, close, empty, open downstream, close)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from twin.equipment import Sequence

if TYPE_CHECKING:
    from twin.model import LockTwin

log = structlog.get_logger(__name__)
CYCLE = (
    Sequence.ENCHIMENTO,
    Sequence.ABERTURA_COMPORTA_MONTANTE,
    Sequence.FECHAMENTO_COMPORTAS,
    Sequence.ESVAZIAMENTO,
    Sequence.ABERTURA_COMPORTA_JUSANTE,
    Sequence.FECHAMENTO_COMPORTAS,
)
GATE_OPEN_DWELL_S = 150.0  # gate open for vessels to enter or leave
RETRY_AFTER_S = 60.0  # an operator looks at a fault for a minute before acknowledging it


@dataclass(slots=True)
class AutoCycle:
    """Issues sequence commands through DB50 like a control-room operator would."""

    index: int = 0
    started: bool = False
    wait_until_s: float = 0.0

    def drive(self, twin: LockTwin) -> None:
        """Look at the PLC status and issue the next command when the lock is idle."""
        v, now = twin.values(), twin.sim_time_s
        if now < self.wait_until_s:
            return
        if v["alarme_geral"] or v["sequencia_em_falha"]:
            twin.command("comando_reconhecer_falhas", True)
            self.started = v["sequencia_ativa"] != 0
            self.wait_until_s = now + RETRY_AFTER_S
            return
        if not v["bomba_principal_status"]:
            twin.command("comando_ligar_bomba_principal", True)
            return
        if self.started or v["sequencia_ativa"] != 0:
            self.started = True
            self._follow(v["sequencia_ativa"], now)
            return
        twin.command("comando_iniciar_sequencia", int(CYCLE[self.index]))
        self.started = True
        log.info("auto_cycle_start", sequence=CYCLE[self.index].name)

    def _follow(self, active: object, now: float) -> None:
        """Advance once the started sequence has finished (a refused one shows as sequencia_em_falha)."""
        if active == 0:
            dwell = GATE_OPEN_DWELL_S if CYCLE[self.index].name.startswith("ABERTURA") else 5.0
            self.index = (self.index + 1) % len(CYCLE)
            self.started, self.wait_until_s = False, now + dwell
