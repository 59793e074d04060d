"""Clients and their devices: operators manage them, a data user sees only its own client."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from api.deps import CurrentUser, Store, check_client, require, scope_client, visible_device
from lockpilot.roles import Role
from metering.models import Client, ClientCreate, Device, DeviceCreate, DeviceUpdate

router = APIRouter(tags=["clients"])


@router.get("/clients", response_model=list[Client])
def list_clients(store: Store, user: CurrentUser) -> list[Client]:
    """List the clients the caller may see."""
    return store.clients(only_id=None if user.sees_all_clients else user.client_id)


@router.post("/clients", response_model=Client, status_code=status.HTTP_201_CREATED)
def create_client(new: ClientCreate, store: Store, user: CurrentUser) -> Client:
    """Create a client (operator)."""
    require(user, Role.OPERATOR)
    return store.create_client(new, actor=user.username)


@router.delete("/clients/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_client(client_id: int, store: Store, user: CurrentUser) -> Response:
    """Delete a client with its devices, measurements and rules (operator)."""
    require(user, Role.OPERATOR)
    if not store.delete_client(client_id, actor=user.username):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"client {client_id} not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/devices", response_model=list[Device])
def list_devices(store: Store, user: CurrentUser, client_id: int | None = None) -> list[Device]:
    """List devices, optionally of one client; a data user gets only its own."""
    return store.devices(client_id=scope_client(user, client_id))


@router.get("/devices/{device_id}", response_model=Device)
def get_device(device_id: int, store: Store, user: CurrentUser) -> Device:
    """Read one device."""
    return visible_device(store, user, device_id)


@router.post("/devices", response_model=Device, status_code=status.HTTP_201_CREATED)
def create_device(new: DeviceCreate, store: Store, user: CurrentUser) -> Device:
    """Create a device of a client (operator)."""
    require(user, Role.OPERATOR)
    if not store.clients(only_id=new.client_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"client {new.client_id} not found")
    return store.create_device(new, actor=user.username)


@router.patch("/devices/{device_id}", response_model=Device)
def update_device(device_id: int, change: DeviceUpdate, store: Store, user: CurrentUser) -> Device:
    """Rename, (de)activate or reconfigure a device (operator)."""
    require(user, Role.OPERATOR)
    updated = store.update_device(device_id, change, actor=user.username)
    if updated is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"device {device_id} not found")
    return updated


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_device(device_id: int, store: Store, user: CurrentUser) -> Response:
    """Delete a device and its measurements (operator)."""
    require(user, Role.OPERATOR)
    check_client(user, visible_device(store, user, device_id).client_id)
    store.delete_device(device_id, actor=user.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
