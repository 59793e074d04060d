"""The PLC scan: commands, sequences, fault logic, interlocks, then the status image (DB30, DB40 counters)."""

from __future__ import annotations

from lockpilot.samples import Value
from twin.equipment import FaultCode, Side
from twin.params import Params
from twin.plc import manual, sequences
from twin.plc.faultlogic import FaultLogic
from twin.plc.interlocks import IO, enforce, equalised
from twin.plc.memory import CRITICAL, PlcMemory

HEARTBEAT_WRAP = 32768
_FLAGS = {
    "falha_cavitacao_bomba": {FaultCode.CAVITACAO_BOMBA},
    "falha_sobrepressao_sistema": {FaultCode.SOBREPRESSAO_SISTEMA},
    "falha_travamento_comporta_montante": {FaultCode.TRAVAMENTO_COMPORTA_MONTANTE},
    "falha_travamento_comporta_jusante": {FaultCode.TRAVAMENTO_COMPORTA_JUSANTE},
    "falha_sobrecorrente_motor": {FaultCode.SOBRECORRENTE_MOTOR},
    "falha_temperatura_oleo": {FaultCode.TEMPERATURA_OLEO_ALTA, FaultCode.TEMPERATURA_OLEO_MUITO_ALTA},
}


class Plc:
    """The lock's PLC program, scanned once per simulation tick."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.mem = PlcMemory()
        self.faults = FaultLogic(params)
        self.commands: manual.Commands = manual.initial_commands()
        self.cycles_base = 48_213

    def scan(self, io: IO, dt_s: float, *, jitter: float) -> None:
        """One scan: read commands, run the sequence, detect faults, enforce interlocks."""
        mem = self.mem
        manual.handle(mem, io, self.commands, self.faults, self.params)
        sequences.run(mem, io, self.params, dt_s)
        self.faults.scan(mem, io, dt_s)
        enforce(mem, io, self.params)
        mem.heartbeat = (mem.heartbeat + 1) % HEARTBEAT_WRAP
        mem.scan_ms = 6.0 + 1.5 * (mem.sequence != 0) + 0.4 * len(mem.latched) + 0.25 * jitter

    def status(self, io: IO) -> dict[str, Value]:
        """DB30 status bits and words and the PLC's own DB40 counters."""
        mem, p = self.mem, self.params
        out: dict[str, Value] = {tag: bool(mem.latched & codes) for tag, codes in _FLAGS.items()}
        out.update(
            {
                "modo_remoto": True,
                "modo_local_comporta_montante": False,
                "modo_local_comporta_jusante": False,
                "emergencia_acionada": False,
                "botao_emergencia_montante": False,
                "botao_emergencia_jusante": False,
                "alarme_geral": bool(mem.latched),
                "alarme_critico_ativo": bool(mem.latched & CRITICAL),
                "sistema_pressurizado": float(io["pressao_sistema"]) >= p["pressao_sistema_min_operacao_bar"],
                "niveis_equalizados_montante": equalised(io, Side.UPSTREAM, p),
                "niveis_equalizados_jusante": equalised(io, Side.DOWNSTREAM, p),
                "energia_principal_ok": True,
                "gerador_emergencia_ligado": False,
                "plc_em_run": True,
                "sequencia_em_falha": mem.seq_failed,
                "modo_operacao": mem.mode,
                "sequencia_ativa": int(mem.sequence),
                "passo_sequencia": mem.step,
                "codigo_primeira_falha": int(mem.first_out),
                "sinal_montante_verde": mem.drives.green[Side.UPSTREAM],
                "sinal_jusante_verde": mem.drives.green[Side.DOWNSTREAM],
                "motor_comporta_montante_ligado": mem.drives.gate_motion[Side.UPSTREAM] != 0,
                "motor_comporta_jusante_ligado": mem.drives.gate_motion[Side.DOWNSTREAM] != 0,
                "ciclos_eclusa": self.cycles_base + mem.cycles,
                "plc_heartbeat": mem.heartbeat,
                "tempo_ciclo_plc": mem.scan_ms,
            }
        )
        return out
