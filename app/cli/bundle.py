"""The plant bundle of a CLI process: loaded and validated once, at the first command that needs it."""

from __future__ import annotations

from functools import lru_cache

from lockpilot.settings import get_settings
from rules.bundle import PlantBundle, load_bundle


@lru_cache(maxsize=1)
def load_cli_bundle() -> PlantBundle:
    """The configured plant (LOCKPILOT_PLANT under LOCKPILOT_PLANTS_DIR), whole; errors name file and line."""
    settings = get_settings()
    return load_bundle(settings.plant, root=settings.plants_dir)
