"""Sessions expire and end per user; CSRF tokens compare exactly; the login guard refuses guessing."""

from __future__ import annotations

import pytest

from connectors.web.accounts import Role, User
from connectors.web.sessions import LoginGuard, Sessions
from testkit.wall import Wall

ANN = User("ann", Role.ADMIN, 0.0)
BOB = User("bob", Role.VIEWER, 0.0)


def test_session_carries_user_role_and_random_tokens() -> None:
    sessions = Sessions(3600, wall=Wall())
    a, b = sessions.create(ANN), sessions.create(ANN)
    assert (a.user, a.role, a.created, a.expires) == ("ann", Role.ADMIN, 1_000.0, 4_600.0)
    assert len(a.token) >= 43 and len(a.csrf) >= 43 and a.token != a.csrf
    assert len({a.token, b.token, a.csrf, b.csrf}) == 4
    assert sessions.get(a.token) == a and sessions.get("no such token") is None


def test_session_expires_at_its_ttl_and_is_dropped() -> None:
    wall = Wall()
    sessions = Sessions(60, wall=wall)
    s = sessions.create(ANN)
    wall.t += 59.9
    assert sessions.get(s.token) == s
    wall.t += 0.1
    assert sessions.get(s.token) is None
    assert len(sessions) == 0


def test_end_ends_one_session() -> None:
    sessions = Sessions(60, wall=Wall())
    a, b = sessions.create(ANN), sessions.create(ANN)
    sessions.end(a.token)
    sessions.end(a.token)  # ending twice is harmless
    assert sessions.get(a.token) is None and sessions.get(b.token) == b


def test_end_user_ends_every_session_of_that_user_only() -> None:
    sessions = Sessions(60, wall=Wall())
    a1, a2, b = sessions.create(ANN), sessions.create(ANN), sessions.create(BOB)
    assert sessions.end_user("ann") == 2
    assert sessions.get(a1.token) is None and sessions.get(a2.token) is None
    assert sessions.get(b.token) == b
    assert sessions.end_user("ann") == 0


def test_csrf_check_accepts_only_the_sessions_own_token() -> None:
    sessions = Sessions(60, wall=Wall())
    a, b = sessions.create(ANN), sessions.create(ANN)
    assert Sessions.check_csrf(a, a.csrf)
    assert not Sessions.check_csrf(a, b.csrf)
    assert not Sessions.check_csrf(a, "")
    assert not Sessions.check_csrf(a, a.csrf[:-1])
    assert not Sessions.check_csrf(a, a.csrf + "é")


def test_sessions_beyond_the_maximum_end_the_oldest_and_expired_ones_go_first() -> None:
    wall = Wall()
    sessions = Sessions(60, wall=wall, max_sessions=2)
    old = sessions.create(ANN)
    wall.t += 30
    mid = sessions.create(BOB)
    new = sessions.create(BOB)
    assert sessions.get(old.token) is None and sessions.get(mid.token) == mid and sessions.get(new.token) == new
    wall.t += 45  # mid expired
    last = sessions.create(ANN)
    assert len(sessions) == 2 and sessions.get(new.token) == new and sessions.get(last.token) == last


def test_bad_session_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        Sessions(0)
    with pytest.raises(ValueError):
        Sessions(60, max_sessions=0)
    with pytest.raises(ValueError):
        LoginGuard(0)


def test_login_guard_blocks_after_n_failures_and_recovers_after_a_minute() -> None:
    wall = Wall()
    guard = LoginGuard(3, wall=wall)
    for _ in range(3):
        assert guard.allowed("10.0.0.1")
        guard.failed("10.0.0.1")
        wall.t += 1
    assert not guard.allowed("10.0.0.1")
    assert guard.retry_after("10.0.0.1") == pytest.approx(57.0)
    assert guard.allowed("10.0.0.2")  # other addresses are not affected
    guard.failed("10.0.0.1")  # a refused try does not extend the wait
    wall.t += 56.9
    assert not guard.allowed("10.0.0.1")
    wall.t += 0.1  # a minute after the first failure
    assert guard.allowed("10.0.0.1")


def test_login_guard_counts_failures_within_a_sliding_minute_only() -> None:
    wall = Wall()
    guard = LoginGuard(2, wall=wall)
    guard.failed("a")
    wall.t += 61
    guard.failed("a")
    assert guard.allowed("a")
    guard.failed("a")
    assert not guard.allowed("a")


def test_login_guard_success_clears_the_address() -> None:
    wall = Wall()
    guard = LoginGuard(2, wall=wall)
    guard.failed("a")
    guard.succeeded("a")
    guard.failed("a")
    assert guard.allowed("a")


def test_login_guard_forgets_the_least_recently_seen_addresses_beyond_its_maximum() -> None:
    wall = Wall()
    guard = LoginGuard(1, wall=wall, max_addresses=2)
    guard.failed("a")
    guard.failed("b")
    assert not guard.allowed("a")  # "a" is now the most recently seen
    guard.failed("c")  # "b" is forgotten
    assert guard.allowed("b") and not guard.allowed("a") and not guard.allowed("c")
