"""A DataPlane on free loopback ports (twin, chat, API): the shape the test stacks and the benches use."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.dataplane import DataPlane
from app.options import HttpOptions, PlaneOptions, TwinOptions
from lockpilot.net import free_port
from lockpilot.settings import Settings
from rules.bundle import PlantBundle


def loopback_plane(
    settings: Settings,
    *,
    bundle: PlantBundle | None = None,
    twin: TwinOptions | None = None,
    http: bool = True,
    **options: Any,
) -> DataPlane:
    """A plane with its twin and (with `http`) its web app on free ports; `options` override PlaneOptions."""
    twin_options = replace(twin or TwinOptions(auto_cycle=False), port=free_port())
    plane_options = PlaneOptions(
        twin=twin_options,
        http=HttpOptions(port=free_port()) if http else None,
        index_knowledge=False,
        write_endpoints=False,
    )
    return DataPlane(settings, replace(plane_options, **options), bundle=bundle)
