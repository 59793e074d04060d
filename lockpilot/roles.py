"""Who a user is, for every door into the product: chat, REST API, bots, CLI."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Operators request and approve commands; trainers run training; viewers read; a data user is an API
    client scoped to one metering client."""

    OPERATOR = "operator"
    TRAINER = "trainer"
    VIEWER = "viewer"
    DATA_USER = "data_user"
