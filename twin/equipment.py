"""Names of the lock's equipment shared by the physics, the PLC program and the sensors."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Side(StrEnum):
    """A side of the chamber; the value is the suffix the plant's tag names use."""

    UPSTREAM = "montante"
    DOWNSTREAM = "jusante"

    @property
    def other(self) -> Side:
        return Side.DOWNSTREAM if self is Side.UPSTREAM else Side.UPSTREAM


class ValveId(StrEnum):
    """Culvert valves; the value is the stem of their tag names."""

    FILLING_1 = "enchimento_1"
    FILLING_2 = "enchimento_2"
    EMPTYING_1 = "esvaziamento_1"
    EMPTYING_2 = "esvaziamento_2"

    @property
    def side(self) -> Side:
        """Filling valves take water from upstream, emptying valves release it downstream."""
        return Side.UPSTREAM if self.value.startswith("enchimento") else Side.DOWNSTREAM

    @classmethod
    def of_side(cls, side: Side) -> tuple[ValveId, ValveId]:
        """The two valves of one side."""
        if side is Side.UPSTREAM:
            return cls.FILLING_1, cls.FILLING_2
        return cls.EMPTYING_1, cls.EMPTYING_2


class Motion(IntEnum):
    """Drive command of a gate motor."""

    STOP = 0
    OPEN = 1
    CLOSE = -1


class Sequence(IntEnum):
    """Sequence codes of `comando_iniciar_sequencia` and `sequencia_ativa`."""

    NONE = 0
    ENCHIMENTO = 1
    ESVAZIAMENTO = 2
    ABERTURA_COMPORTA_MONTANTE = 3
    ABERTURA_COMPORTA_JUSANTE = 4
    FECHAMENTO_COMPORTAS = 5


class FaultCode(IntEnum):
    """First-out codes the PLC latches in `codigo_primeira_falha`."""

    NONE = 0
    CAVITACAO_BOMBA = 1
    SOBREPRESSAO_SISTEMA = 2
    TRAVAMENTO_COMPORTA_MONTANTE = 3
    TRAVAMENTO_COMPORTA_JUSANTE = 4
    SOBRECORRENTE_MOTOR = 5
    TEMPERATURA_OLEO_ALTA = 6
    TEMPERATURA_OLEO_MUITO_ALTA = 7
    DISCREPANCIA_NIVEL_CAMARA = 8
    DISCREPANCIA_VALVULA = 9
    TIMEOUT_SEQUENCIA = 10
