"""Who is calling the console, and what they may do.

A person logs in with a name and password (``livehost user add``) and gets a session in a cookie that
scripts on the page cannot read (HttpOnly), that other sites never send (SameSite=Strict), that travels only
over a secure context (Secure; Chromium counts http://localhost and 127.0.0.1 as one) and that expires. Every
change made with a session also carries the session's CSRF token in a header. A script uses its account's
API key as ``Authorization: Bearer <key>``, never in a URL. Failed logins are limited per address. Roles:
viewers read, moderators steer the show and edit prompts, admins also edit settings files. Every login,
refusal of a login and change is written to the audit trail by the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from agent.records.audit import AuditLog
from connectors.web.accounts import Accounts, Role
from connectors.web.prompt_files import ConsoleError
from connectors.web.sessions import LoginGuard, Session, Sessions

log = logging.getLogger(__name__)

COOKIE = "livehost_session"
CSRF_HEADER = "x-csrf-token"
Need = Literal["read", "control", "admin"]
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class Caller:
    """The account behind a request, how it came (session or API key) and its session (for CSRF)."""

    name: str
    role: Role
    via: Literal["session", "key"]
    session: Session | None = None

    def may(self, need: Need) -> bool:
        if need == "read":
            return True
        if need == "control":
            return self.role.can_control
        return self.role.can_admin


def client_of(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else ""


class Auth:
    """Sessions, API keys, CSRF and the login limit over one account store."""

    def __init__(self, accounts: Accounts, sessions: Sessions, guard: LoginGuard, audit: AuditLog) -> None:
        self.accounts = accounts
        self.sessions = sessions
        self.guard = guard
        self.audit = audit

    def identify(self, conn: HTTPConnection) -> Caller | None:
        auth = conn.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            user = self.accounts.by_api_key(auth[7:].strip())
            return None if user is None else Caller(user.name, user.role, "key")
        token = conn.cookies.get(COOKIE)
        session = self.sessions.get(token) if token else None
        if session is None:
            return None
        # removed, re-passworded (perhaps by `livehost user` in another process) or re-roled since login
        user = self.accounts.get(session.user)
        if user is None or self.accounts.password_changed(user.name) > session.created:
            self.sessions.end(session.token)
            return None
        return Caller(user.name, user.role, "session", session)

    def require(self, conn: HTTPConnection, need: Need) -> Caller:
        """The caller, or a refusal: 401 without a session or key, 403 for another site, a missing or wrong
        CSRF token on a change, or a role that may not do this."""
        method = conn.scope.get("method", "GET")
        changing = conn.scope["type"] == "websocket" or method not in SAFE_METHODS
        origin = conn.headers.get("origin")
        if changing and origin is not None and urlsplit(origin).netloc != conn.headers.get("host", ""):
            self._deny(conn, 403, "request from another web site refused")
        caller = self.identify(conn)
        if caller is None:
            self._deny(conn, 401, "log in first (or send an API key as 'Authorization: Bearer <key>')")
        assert caller is not None
        if changing and conn.scope["type"] == "http" and caller.session is not None:
            given = conn.headers.get(CSRF_HEADER, "")
            if not given or not self.sessions.check_csrf(caller.session, given):
                self._deny(conn, 403, "missing or wrong CSRF token: reload the console")
        if not caller.may(need):
            self._deny(conn, 403, f"your role ({caller.role.value}) may not do this")
        return caller

    @staticmethod
    def _deny(conn: HTTPConnection, status: int, message: str) -> None:
        log.warning("console request refused", extra={"status": status, "path": conn.url.path,
                                                       "client": client_of(conn)})
        raise ConsoleError(status, message)

    # -- login, logout, who am I -------------------------------------------------------------------------------
    async def login(self, request: Request, body: dict[str, Any]) -> Response:
        address = client_of(request)
        name, password = body.get("name"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
            raise ConsoleError(400, "give 'name' and 'password'")
        if not self.guard.allowed(address):
            self.audit.add(who=name[:64], action="login", client=address, ok=False, detail="too many attempts")
            raise ConsoleError(429, "too many failed logins from this address: wait a minute")
        too_long = len(password.encode("utf-8")) > 72
        user = None if too_long else await asyncio.to_thread(self.accounts.verify, name, password)
        if user is None:
            self.guard.failed(address)
            self.audit.add(who=name[:64], action="login", client=address, ok=False, detail="wrong name or password")
            raise ConsoleError(401, "wrong name or password")
        self.guard.succeeded(address)
        session = self.sessions.create(user)
        self.audit.add(who=user.name, role=user.role.value, action="login", client=address)
        response = JSONResponse(self.me_json(session))
        response.set_cookie(COOKIE, session.token, max_age=max(1, int(session.expires - session.created)),
                            httponly=True, secure=True, samesite="strict", path="/")
        return response

    async def logout(self, request: Request, caller: Caller) -> Response:
        if caller.session is not None:
            self.sessions.end(caller.session.token)
        response = JSONResponse({"ok": True})
        response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    @staticmethod
    def me_json(session: Session | None, caller: Caller | None = None) -> dict[str, Any]:
        if session is not None:
            return {"user": session.user, "role": session.role.value, "csrf": session.csrf,
                    "expires": session.expires}
        assert caller is not None
        return {"user": caller.name, "role": caller.role.value, "csrf": None, "expires": None}

    def record(self, caller: Caller, request: HTTPConnection) -> Callable[..., int]:
        """An audit writer bound to this caller and request: ``record(action=..., target=..., before=...)``."""

        def add(**fields: Any) -> int:
            return self.audit.add(who=caller.name, role=caller.role.value, client=client_of(request), **fields)

        return add
