"""Typed dependencies of the plant routers: the Services container and the caller's copilot role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from api.deps import CurrentUser
from api.services import Services
from lockpilot.roles import Role


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(get_services)]


def plant_role(user: CurrentUser) -> Role:
    """The caller's role on the plant (operator, trainer, viewer); 403 for a metering data user."""
    if user.role is Role.DATA_USER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {user.role.value} has no access to the plant")
    return user.role


PlantRole = Annotated[Role, Depends(plant_role)]


def need(part: Any, name: str) -> Any:
    """The part, or 503 when it does not run in this process."""
    if part is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"{name} is not available")
    return part


def operator_only(role: Role) -> None:
    """403 unless the caller is an operator."""
    if role is not Role.OPERATOR:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an operator may do this")
