"""Console login sessions and the guard against password guessing, both in memory.

A session is a random token in a cookie plus a CSRF token the page echoes on each change; it ends at its
expiry, at logout, or when its user is removed, demoted or given a new password. Sessions live in the
console process only: a restart logs everyone out, which is the safe default for a tool that steers a live
show. :class:`LoginGuard` refuses an address after a few failed logins within a minute. Time is an injected
wall-clock callable (the show clock may be virtual; expiry must not be).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from agent.toolbox.ratelimit import Window
from connectors.web.accounts import Role, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    token: str
    csrf: str
    user: str
    role: Role
    created: float
    expires: float


class Sessions:
    """Live sessions by token; at most ``max_sessions`` (the oldest is ended to make room)."""

    def __init__(self, ttl_s: float, *, wall: Callable[[], float] = time.time, max_sessions: int = 10_000) -> None:
        if ttl_s <= 0 or max_sessions < 1:
            raise ValueError("ttl_s must be > 0 and max_sessions >= 1")
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._wall = wall
        self._by_token: dict[str, Session] = {}  # in creation order: the oldest first

    def __len__(self) -> int:
        return len(self._by_token)

    def create(self, user: User) -> Session:
        now = self._wall()
        self._purge(now)
        while len(self._by_token) >= self.max_sessions:
            oldest = next(iter(self._by_token))
            del self._by_token[oldest]
            log.warning("console session evicted: too many sessions", extra={"max_sessions": self.max_sessions})
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), user.name, user.role, now, now + self.ttl_s)
        self._by_token[s.token] = s
        log.info("console session started", extra={"user": user.name, "role": user.role.value})
        return s

    def get(self, token: str) -> Session | None:
        """The live session for ``token``; an expired one is ended and None returned."""
        s = self._by_token.get(token)
        if s is None:
            return None
        if self._wall() >= s.expires:
            del self._by_token[token]
            return None
        return s

    def end(self, token: str) -> None:
        self._by_token.pop(token, None)

    def end_user(self, name: str) -> int:
        """End every session of ``name`` (removed, demoted, new password); returns how many ended."""
        gone = [t for t, s in self._by_token.items() if s.user == name]
        for t in gone:
            del self._by_token[t]
        if gone:
            log.info("console sessions ended", extra={"user": name, "count": len(gone)})
        return len(gone)

    @staticmethod
    def check_csrf(session: Session, given: str) -> bool:
        return hmac.compare_digest(session.csrf.encode("ascii"), given.encode("utf-8", "replace"))

    def _purge(self, now: float) -> None:
        for t in [t for t, s in self._by_token.items() if now >= s.expires]:
            del self._by_token[t]


class LoginGuard:
    """At most ``attempts_per_min`` failed logins per client address in any minute; a success clears the
    address. The least recently seen addresses beyond ``max_addresses`` are forgotten."""

    PER_S = 60.0

    def __init__(self, attempts_per_min: int, *, wall: Callable[[], float] = time.monotonic,
                 max_addresses: int = 50_000) -> None:
        Window(attempts_per_min, self.PER_S)  # the same checks on the arguments
        if max_addresses < 1:
            raise ValueError("max_addresses must be >= 1")
        self.attempts_per_min = attempts_per_min
        self.max_addresses = max_addresses
        self._wall = wall
        self._failures: OrderedDict[str, Window] = OrderedDict()

    def allowed(self, address: str) -> bool:
        """Whether ``address`` may try a password now."""
        return self.retry_after(address) == 0

    def retry_after(self, address: str) -> float:
        """Seconds until ``address`` may try again (0: now)."""
        window = self._failures.get(address)
        if window is None:
            return 0.0
        self._failures.move_to_end(address)
        wait = window.wait_time(self._wall())
        if not window.stamps:
            del self._failures[address]
        return max(0.0, wait)

    def failed(self, address: str) -> None:
        window = self._failures.get(address)
        if window is None:
            window = self._failures[address] = Window(self.attempts_per_min, self.PER_S)
            if len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)
        else:
            self._failures.move_to_end(address)
        now = self._wall()
        if not window.take(now):
            return  # already refused; the window's oldest failure still decides when it may try again
        if window.wait_time(now) > 0:
            log.warning("console login refused: too many failures", extra={"address": address})

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)
