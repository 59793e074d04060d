"""Who runs `lockpilot ask/approve/reject/chat`: a user of the directory, proven, never a declared role.

Two proofs, in this order:
1. `LOCKPILOT_TOKEN`: an API token (`lockpilot tokens create NAME --role operator`); its user must exist
   in the user directory, and the role is the directory's (a token issued for less than operator never
   approves).
2. A password: `--user NAME` (default: the login name) and the password asked on the terminal, or read
   from standard input with `--password-stdin` (scripts).
`ask` and `chat` run without proof as a viewer; `approve` and `reject` refuse without one.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from lockpilot.output import err_console
from lockpilot.roles import Role

TOKEN_ENV = "LOCKPILOT_TOKEN"


@dataclass(frozen=True, slots=True)
class CliIdentity:
    """A CLI user: name, role (from the directory when proven), and how it was proven."""

    user: str
    role: Role
    proof: str  # "token", "password" or "none"


def _refuse(message: str) -> typer.Exit:
    err_console.print(f"[red]erro / error:[/red] {message}", markup=True)
    return typer.Exit(2)


def _password(user: str, *, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"Senha de {user} / password: ")


def resolve_identity(
    database_url: str, *, user: str, require_proof: bool, password_stdin: bool = False
) -> CliIdentity:
    """The CLI's user and their directory role; typer.Exit(2) when proof is required and missing or wrong."""
    from api.users import UserDirectory
    from metering.store import token_user

    directory = UserDirectory(database_url=database_url, users_file=_users_file())
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        owner = token_user(database_url, token)
        if owner is None:
            raise _refuse(f"{TOKEN_ENV}: token inválido ou revogado / invalid or revoked token")
        if user and user != owner.username:
            raise _refuse(
                f"--user {user} difere do dono do token ({owner.username}) / differs from the token's"
            )
        role = directory.role_of(owner.username)
        if role is None:
            if require_proof:
                raise _refuse(
                    f"{owner.username} não existe ou está desativado no cadastro de usuários "
                    "/ unknown or disabled in the user directory"
                )
            role = Role.VIEWER
        return CliIdentity(owner.username, role if owner.role is role else Role.VIEWER, "token")
    name = user or getpass.getuser()
    if not require_proof and not password_stdin:
        return CliIdentity(name, Role.VIEWER, "none")
    found = directory.verify(name, _password(name, from_stdin=password_stdin))
    if found is None:
        raise _refuse(f"usuário ou senha inválidos para {name} / wrong user or password")
    return CliIdentity(found.username, found.role, "password")


def _users_file() -> Path | None:
    from api.web_settings import WebSettings

    return WebSettings().users_file
