"""The one strict base of plant-data and configuration models: unknown fields refused, values frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A frozen model that refuses fields it does not declare (a typo in YAML is an error, not a default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
