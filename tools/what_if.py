"""What-if tool: predict what an action would do, on a sandbox copy of the plant (never the real one)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tools.context import ToolContext
from tools.models import Citation, CitationKind, ToolResult
from tools.whatif.action import ActionError, parse_action
from tools.whatif.predict import predict, sandbox_from_values
from twin import LockTwin

MAX_MINUTES = 60.0


class WhatIfResult(ToolResult):
    action: str = ""
    minutes: float = 0.0
    figures: dict[str, Any] = Field(default_factory=dict)
    baseline: dict[str, Any] = Field(default_factory=dict)
    alarms: list[dict[str, Any]] = Field(default_factory=list)
    chart: dict[str, Any] = Field(default_factory=dict)


def what_if(
    ctx: ToolContext, action: str, *, minutes: float = 10.0, twin: LockTwin | None = None
) -> WhatIfResult:
    """Run `action` ("abrir a válvula de enchimento 1 a 100 %") on a sandbox twin; report the course."""
    try:
        parsed = parse_action(action)
    except ActionError as exc:
        return WhatIfResult(error=str(exc))
    if twin is not None:
        sandbox = twin.copy()
    else:
        stored = ctx.current([t.name for t in ctx.plant.plc_tags])
        missing = [t for t, v in stored.items() if v is None or v.value is None]
        if missing:
            return WhatIfResult(
                error=f"no current value for {', '.join(missing[:5])}: cannot copy the plant state"
            )
        sandbox = sandbox_from_values(
            ctx.plant, {t: v.value for t, v in stored.items() if v is not None and v.value is not None}
        )
    out = predict(sandbox, ctx.bundle, parsed, minutes=min(max(minutes, 0.5), MAX_MINUTES))
    cites = [
        Citation(kind=CitationKind.TAG, id=t)
        for t in ("nivel_camara", "nivel_reservatorio_montante", "nivel_jusante")
    ]
    cites += [Citation(kind=CitationKind.RULE, id=a["id"]) for a in out["alarms"]]
    return WhatIfResult(citations=cites, **out)
