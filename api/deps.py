"""Typed dependencies: the metering store, the calling user, role checks and client scoping."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lockpilot.roles import Role
from metering.models import Device, User
from metering.store import MeteringStore

bearer = HTTPBearer(auto_error=False)
NOT_FOUND = "not found"  # the same for what does not exist and what is not yours (nothing disclosed)


def get_store(request: Request) -> MeteringStore:
    store: MeteringStore = request.app.state.store
    return store


Store = Annotated[MeteringStore, Depends(get_store)]


def current_user(
    store: Store, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> User:
    """The token's user; 401 without a valid bearer token."""
    user = store.user_of(credentials.credentials) if credentials is not None else None
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "invalid or missing token", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(user: User, *roles: Role) -> None:
    """403 unless the user has one of `roles`."""
    if user.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {user.role.value} may not do this")


def check_client(user: User, client_id: int) -> None:
    """404 when a data user reaches for another client's data (its existence is not disclosed)."""
    if not user.sees_all_clients and user.client_id != client_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)


def visible_device(store: MeteringStore, user: User, device_id: int) -> Device:
    """The device if it exists and the user may see it, else 404."""
    device = store.device(device_id)
    if device is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    check_client(user, device.client_id)
    return device


def scope_client(user: User, client_id: int | None) -> int | None:
    """The client filter to apply: a data user's own client, whatever was asked."""
    if user.sees_all_clients:
        return client_id
    if client_id is not None and client_id != user.client_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return user.client_id
