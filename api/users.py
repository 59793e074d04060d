"""People who log in (chat, dashboard) and talk to the bots: roles, password hashes, bot identities.

Users come from PostgreSQL (`ui_users`, managed with `lockpilot users add`) and, for sites without a
database admin at hand, from a YAML file (`LOCKPILOT_USERS_FILE`): the database wins on a name clash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from psycopg.rows import dict_row
from pydantic import BaseModel

from lockpilot.roles import Role
from lockpilot.yamlio import load_yaml
from storage.pg_guard import connect

TIMEOUTS = {"connect_timeout_s": 3.0, "statement_timeout_s": 3.0}

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """Hash a password with scrypt and a random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    """Compare a password with a stored scrypt hash in constant time."""
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got.hex(), digest)


class UiUser(BaseModel):
    """One person with a role; the bots find them by their Slack or Teams id."""

    username: str
    role: Role
    display_name: str = ""
    password_hash: str | None = None
    slack_id: str | None = None
    teams_id: str | None = None
    session_epoch: int = 0  # sessions opened in an older epoch are over (role, password or status changed)


class UserDirectory:
    """Look users up by name or bot id, check passwords, add and disable users in the database.

    The one place a user's role and status come from: approvals (chat, REST, bots, CLI) and every chat or
    dashboard request ask it at that moment. Changing a user's role or password, or disabling them, moves
    their session epoch on, which ends the sessions opened before.
    """

    def __init__(
        self,
        *,
        database_url: str | None = None,
        users_file: Path | None = None,
        default_bot_role: Role = Role.VIEWER,
    ) -> None:
        self._url = database_url
        self._file_users = _load_file(users_file) if users_file else {}
        self.default_bot_role = default_bot_role

    def _query(self, where: str, value: str) -> UiUser | None:
        if self._url is None:
            return None
        with connect(self._url, row_factory=dict_row, **TIMEOUTS) as conn:
            row = conn.execute(
                f"SELECT username, role, display_name, password_hash, slack_id, teams_id, session_epoch "
                f"FROM ui_users WHERE {where} = %s AND disabled_at IS NULL",
                (value,),
            ).fetchone()
        return None if row is None else UiUser(**row)

    def _in_database(self, username: str) -> bool:
        if self._url is None:
            return False
        with connect(self._url, **TIMEOUTS) as conn:
            row = conn.execute("SELECT 1 FROM ui_users WHERE username = %s", (username,)).fetchone()
        return row is not None

    def role_of(self, username: str) -> Role | None:
        """The user's role now; None when unknown or disabled (a disabled database user hides a file one)."""
        found = self._query("username", username)
        if found is not None:
            return found.role
        if username in self._file_users and not self._in_database(username):
            return self._file_users[username].role
        return None

    def disable(self, username: str) -> bool:
        """Disable a database user: they can no longer log in, approve, or use an open session."""
        if self._url is None:
            raise RuntimeError("no database: users can only be disabled in PostgreSQL")
        with connect(self._url, autocommit=True, **TIMEOUTS) as conn:
            row = conn.execute(
                "UPDATE ui_users SET disabled_at = now(), session_epoch = session_epoch + 1 "
                "WHERE username = %s AND disabled_at IS NULL RETURNING username",
                (username,),
            ).fetchone()
        return row is not None

    def is_empty(self) -> bool:
        """True when no user can log in yet (no enabled database user and no users file entry)."""
        if self._file_users or self._url is None:
            return not self._file_users
        with connect(self._url, **TIMEOUTS) as conn:
            row = conn.execute("SELECT count(*) FROM ui_users WHERE disabled_at IS NULL").fetchone()
        return row is None or row[0] == 0

    def get(self, username: str) -> UiUser | None:
        """The enabled user of that name, or None."""
        found = self._query("username", username)
        if found is None and username in self._file_users and not self._in_database(username):
            return self._file_users[username]
        return found

    def verify(self, username: str, password: str) -> UiUser | None:
        """The user when the password matches, else None."""
        user = self.get(username)
        return user if user is not None and check_password(password, user.password_hash) else None

    def by_bot_id(self, *, slack_id: str | None = None, teams_id: str | None = None) -> UiUser | None:
        """The user behind a Slack or Teams id, or None."""
        column, value = ("slack_id", slack_id) if slack_id else ("teams_id", teams_id)
        if not value:
            return None
        found = self._query(column, value)
        return found or next((u for u in self._file_users.values() if getattr(u, column) == value), None)

    def role_of_bot_user(self, *, slack_id: str | None = None, teams_id: str | None = None) -> Role:
        """The role a bot user acts with: their directory role, else the default (viewer)."""
        user = self.by_bot_id(slack_id=slack_id, teams_id=teams_id)
        return user.role if user else self.default_bot_role

    def add(
        self,
        username: str,
        *,
        role: Role,
        password: str | None = None,
        display_name: str = "",
        slack_id: str | None = None,
        teams_id: str | None = None,
    ) -> UiUser:
        """Create or update a user in the database."""
        if self._url is None:
            raise RuntimeError("no database: users can only be added to PostgreSQL")
        user = UiUser(
            username=username,
            role=role,
            display_name=display_name or username,
            password_hash=hash_password(password) if password else None,
            slack_id=slack_id,
            teams_id=teams_id,
        )
        with connect(self._url, autocommit=True, **TIMEOUTS) as conn:
            row = conn.execute(
                "INSERT INTO ui_users (username, role, display_name, password_hash, slack_id, teams_id) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, "
                "display_name = EXCLUDED.display_name, password_hash = COALESCE(EXCLUDED.password_hash, "
                "ui_users.password_hash), slack_id = EXCLUDED.slack_id, teams_id = EXCLUDED.teams_id, "
                "disabled_at = NULL, session_epoch = ui_users.session_epoch + CASE WHEN "
                "ui_users.role <> EXCLUDED.role OR ui_users.disabled_at IS NOT NULL OR "
                "EXCLUDED.password_hash IS NOT NULL THEN 1 ELSE 0 END RETURNING session_epoch",
                (user.username, user.role.value, user.display_name, user.password_hash, slack_id, teams_id),
            ).fetchone()
        return user.model_copy(update={"session_epoch": int(row[0]) if row else 0})


def _load_file(path: Path) -> dict[str, UiUser]:
    """Users of a YAML file: `users: [{username, role, password_hash, slack_id, teams_id}]`."""
    data: Any = load_yaml(path) if path.exists() else {}
    return {u["username"]: UiUser(**u) for u in (data or {}).get("users", [])}
