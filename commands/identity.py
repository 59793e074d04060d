"""Who may decide on a command: the user directory, asked at the moment of each approval or rejection."""

from __future__ import annotations

from typing import Protocol

from lockpilot.roles import Role


class Approvers(Protocol):
    """The one place a user's current role and status come from (api.users.UserDirectory in the product)."""

    def role_of(self, username: str) -> Role | None:
        """The user's role now; None when the user is unknown or disabled."""
        ...


class FixedRole:
    """Every user has one role: the training sandbox, where the trainee plays the operator on a twin."""

    def __init__(self, role: Role) -> None:
        self.role = role

    def role_of(self, username: str) -> Role | None:
        return self.role
