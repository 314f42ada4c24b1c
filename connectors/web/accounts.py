"""Console accounts: users with a role and a bcrypt-hashed password, and API keys for scripts, in one SQLite file.

The console is how people steer a live show, so who may do what is stored, not configured: an admin edits
settings and users, a moderator runs the show's controls, a viewer watches. Passwords are kept only as bcrypt
hashes; API keys (``lh_<id>_<secret>``) only as the sha256 of their secret, shown to their owner once. The
file is shared by the running console and the ``livehost user`` command (WAL: one writer, readers never
wait); a password change made by the command is seen by the console through :meth:`Accounts.password_changed`.

bcrypt is slow on purpose (~0.25 s at cost 12): in async code call :meth:`Accounts.verify` from a worker thread.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import bcrypt

from agent.errors import FatalError
from agent.settings import Settings
from agent.toolbox.sqlite import Database

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_BYTES = 72  # bcrypt reads no further; a longer password is refused, never cut
KEY_RE = re.compile(r"lh_([0-9a-f]{8})_([A-Za-z0-9_-]{32})")

SCHEMA = """
CREATE TABLE IF NOT EXISTS users(
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'viewer')),
    hash TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys(
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT '',
    hash TEXT NOT NULL,
    created REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys(user);
"""


class Role(StrEnum):
    """What a console user may do; each role may do everything the ones below it may."""

    ADMIN = "admin"
    MODERATOR = "moderator"
    VIEWER = "viewer"

    @property
    def can_control(self) -> bool:
        """Run the show: controls, approvals, prompt and topic edits."""
        return self in (Role.ADMIN, Role.MODERATOR)

    @property
    def can_admin(self) -> bool:
        """Edit settings files and users."""
        return self is Role.ADMIN


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    created: float


@dataclass(frozen=True)
class ApiKey:
    id: str
    user: str
    label: str
    created: float
    revoked: bool


class AccountError(FatalError):
    """An account operation was refused; the message names the field (or the user) and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def users_db_path(settings: Settings) -> Path:
    """The accounts file: ``console.users_db``, in the data folder unless absolute."""
    p = Path(settings.console.users_db)
    return p if p.is_absolute() else settings.data_dir / p


def parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError("role", f"'{role}' is not one of {', '.join(r.value for r in Role)}") from None


def _check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise AccountError("user name", f"'{name[:40]}' must be 1-32 characters of A-Z a-z 0-9 _ . -")
    return name


def _password_bytes(password: str) -> bytes:
    if len(password) < PASSWORD_MIN_CHARS:
        raise AccountError("password", f"must be at least {PASSWORD_MIN_CHARS} characters")
    raw = password.encode("utf-8")
    if len(raw) > PASSWORD_MAX_BYTES:
        raise AccountError("password", f"must be at most {PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt's limit); "
                                       f"this one is {len(raw)}")
    return raw


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _user(r: sqlite3.Row) -> User:
    return User(r["name"], Role(r["role"]), float(r["created"]))


def _key(r: sqlite3.Row) -> ApiKey:
    return ApiKey(r["id"], r["user"], r["label"], float(r["created"]), bool(r["revoked"]))


class Accounts:
    """The users and API keys in one SQLite file. Names are unique regardless of case; every method hands back
    the name as stored."""

    def __init__(self, path: Path | str, *, wall: Callable[[], float] = time.time, rounds: int = 12) -> None:
        if not 4 <= rounds <= 31:
            raise ValueError("bcrypt rounds must be within 4..31")
        self._db = Database(path, SCHEMA)
        self._wall = wall
        self._rounds = rounds
        self._dummy: bytes | None = None  # hashed on first use, at the same cost as real ones

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _hash(self, raw: bytes) -> str:
        return bcrypt.hashpw(raw, bcrypt.gensalt(self._rounds)).decode("ascii")

    def _dummy_check(self) -> None:
        """Spend what checking a real password costs, so a refusal takes as long for an unknown name."""
        if self._dummy is None:
            self._dummy = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(self._rounds))
        bcrypt.checkpw(b"not the password", self._dummy)

    # -- users --------------------------------------------------------------------------------------------

    def add(self, name: str, role: Role | str, password: str) -> User:
        _check_name(name)
        r = parse_role(role)
        digest = self._hash(_password_bytes(password))
        now = self._wall()
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError("user name", f"'{name}' already exists")
            conn.execute("INSERT INTO users(name, role, hash, created, updated) VALUES (?, ?, ?, ?, ?)",
                         (name, r.value, digest, now, now))
        log.info("console user added", extra={"user": name, "role": r.value})
        return User(name, r, now)

    def remove(self, name: str) -> None:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AccountError("user name", f"'{name}' does not exist")
            if row["role"] == Role.ADMIN and self._admins(conn) <= 1:
                raise AccountError("user name", f"'{row['name']}' is the last admin; add another admin first")
            conn.execute("DELETE FROM users WHERE name = ?", (name,))
        log.info("console user removed", extra={"user": row["name"]})

    def set_password(self, name: str, password: str) -> None:
        digest = self._hash(_password_bytes(password))
        with self._db.transaction() as conn:
            cur = conn.execute("UPDATE users SET hash = ?, updated = ? WHERE name = ?", (digest, self._wall(), name))
            if cur.rowcount == 0:
                raise AccountError("user name", f"'{name}' does not exist")
        log.info("console password changed", extra={"user": name})

    def set_role(self, name: str, role: Role | str) -> User:
        r = parse_role(role)
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AccountError("user name", f"'{name}' does not exist")
            if row["role"] == Role.ADMIN and r is not Role.ADMIN and self._admins(conn) <= 1:
                raise AccountError("role", f"'{row['name']}' is the last admin; make another user admin first")
            conn.execute("UPDATE users SET role = ? WHERE name = ?", (r.value, name))
        log.info("console role changed", extra={"user": row["name"], "role": r.value})
        return User(row["name"], r, float(row["created"]))

    @staticmethod
    def _admins(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0])

    def get(self, name: str) -> User | None:
        rows = self._db.query("SELECT name, role, created FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def list(self) -> list[User]:
        return [_user(r) for r in self._db.query("SELECT name, role, created FROM users ORDER BY name")]

    def has_users(self) -> bool:
        return bool(self._db.query("SELECT 1 FROM users LIMIT 1"))

    def verify(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; None for a wrong password or an unknown name, after the same
        bcrypt work either way."""
        rows = self._db.query("SELECT name, role, created, hash FROM users WHERE name = ?", (name,))
        raw = password.encode("utf-8")
        if not rows or len(raw) > PASSWORD_MAX_BYTES:
            self._dummy_check()
            return None
        if not bcrypt.checkpw(raw, rows[0]["hash"].encode("ascii")):
            return None
        return _user(rows[0])

    def password_changed(self, name: str) -> float:
        """When the password was last set (sessions started before it should end)."""
        rows = self._db.query("SELECT updated FROM users WHERE name = ?", (name,))
        if not rows:
            raise AccountError("user name", f"'{name}' does not exist")
        return float(rows[0]["updated"])

    # -- API keys -----------------------------------------------------------------------------------------

    def new_api_key(self, name: str, label: str = "") -> tuple[ApiKey, str]:
        """A new key for ``name``: the record, and the key itself, which is stored nowhere and shown once."""
        if len(label) > 200:
            raise AccountError("label", "must be at most 200 characters")
        secret = secrets.token_urlsafe(24)  # 32 characters
        now = self._wall()
        with self._db.transaction() as conn:
            row = conn.execute("SELECT name FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise AccountError("user name", f"'{name}' does not exist")
            key_id = secrets.token_hex(4)
            while conn.execute("SELECT 1 FROM api_keys WHERE id = ?", (key_id,)).fetchone():
                key_id = secrets.token_hex(4)
            conn.execute("INSERT INTO api_keys(id, user, label, hash, created, revoked) VALUES (?, ?, ?, ?, ?, 0)",
                         (key_id, row["name"], label, _sha256(secret), now))
        log.info("console api key added", extra={"user": row["name"], "key_id": key_id})
        return ApiKey(key_id, row["name"], label, now, False), f"lh_{key_id}_{secret}"

    def api_keys(self, name: str | None = None) -> builtins.list[ApiKey]:
        if name is None:
            rows = self._db.query("SELECT * FROM api_keys ORDER BY user, created, id")
        else:
            if self.get(name) is None:
                raise AccountError("user name", f"'{name}' does not exist")
            rows = self._db.query("SELECT * FROM api_keys WHERE user = ? ORDER BY created, id", (name,))
        return [_key(r) for r in rows]

    def revoke_api_key(self, key_id: str) -> None:
        with self._db.transaction() as conn:
            cur = conn.execute("UPDATE api_keys SET revoked = 1 WHERE id = ?", (key_id,))
            if cur.rowcount == 0:
                raise AccountError("key id", f"'{key_id[:40]}' does not exist")
        log.info("console api key revoked", extra={"key_id": key_id})

    def by_api_key(self, key: str) -> User | None:
        """The owner of a valid, unrevoked key; None for anything else (malformed, unknown, revoked)."""
        m = KEY_RE.fullmatch(key)
        if m is None:
            return None
        rows = self._db.query(
            "SELECT k.hash, k.revoked, u.name, u.role, u.created FROM api_keys k JOIN users u ON u.name = k.user "
            "WHERE k.id = ?", (m.group(1),))
        given = _sha256(m.group(2))
        stored = rows[0]["hash"] if rows else "0" * 64
        if not hmac.compare_digest(given, stored) or not rows or rows[0]["revoked"]:
            return None
        return _user(rows[0])
