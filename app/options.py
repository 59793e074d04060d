"""What a DataPlane runs: one set of options for `up`, `collect`, `serve`, the test stacks and the benches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from api.web_settings import WebSettings

if TYPE_CHECKING:
    from twin.model import LockTwin


@dataclass(frozen=True)
class TwinOptions:
    """The embedded twin playing the PLC (None in PlaneOptions means: read the real PLC)."""

    speed: float = 1.0
    seed: int = 0
    auto_cycle: bool = True
    port: int | None = None  # None: settings.twin_port
    setup: Callable[[LockTwin], None] | None = None  # applied to the model before it is served


@dataclass(frozen=True)
class HttpOptions:
    """Chat, REST API and dashboard on one port."""

    host: str = "127.0.0.1"
    port: int = 8000
    in_thread: bool = True  # False: DataPlane.serve() runs the server in the caller's thread


@dataclass(frozen=True)
class CopilotOptions:
    """The copilot the web side, the bots and the CLI talk to."""

    model: str | None = None  # LOCKPILOT_MODEL; None or "" is the offline planner
    expires_after_s: float = 120.0
    knowledge: bool = True  # search_knowledge over the plant's index
    on_tool_time: Callable[[str, float], None] | None = None


@dataclass(frozen=True)
class PlaneOptions:
    """Which parts run. Stores: given URLs, else settings, else a running stack's, else embedded servers."""

    twin: TwinOptions | None = field(default_factory=TwinOptions)
    database_url: str | None = None
    redis_url: str | None = None
    collector: bool = True
    poll_period_s: float | None = None  # None: devices.yaml
    sink_batch_age_s: float | None = None  # history and current-value batching (None: the parts' default)
    rules: bool = True
    anomalies: bool = True
    meters: bool = True
    metering: bool = True
    index_knowledge: bool = True  # bring the knowledge index up to date in the background
    copilot: CopilotOptions | None = field(default_factory=CopilotOptions)
    http: HttpOptions | None = None
    web: WebSettings = field(default_factory=WebSettings)
    write_endpoints: bool = True  # publish the stores and the PLC in <data_dir>/endpoints.json
    fleet: bool = True  # publish the lock over MQTT Sparkplug B when LOCKPILOT_MQTT_URL is set
