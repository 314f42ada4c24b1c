"""Muting viewers who keep posting banned content: counted per platform and user, on the show clock."""

from __future__ import annotations

from agent.clock import VirtualClock
from agent.moderation.strikes import Strikes


def test_third_strike_within_the_window_mutes_for_the_set_time() -> None:
    clock = VirtualClock()
    s = Strikes(clock, after=3, window_s=60, mute_s=120)
    assert s.strike("douyin", "u1") is None
    clock.advance(10)
    assert s.strike("douyin", "u1") is None
    mute = s.strike("douyin", "u1")
    assert mute is not None and mute.until == 130
    assert s.muted("douyin", "u1") is not None
    clock.advance(119)
    assert s.muted("douyin", "u1") is not None
    clock.advance(1)
    assert s.muted("douyin", "u1") is None


def test_strikes_older_than_the_window_are_forgotten() -> None:
    clock = VirtualClock()
    s = Strikes(clock, after=2, window_s=30, mute_s=60)
    s.strike("bilibili", "u1")
    clock.advance(31)
    assert s.strike("bilibili", "u1") is None
    assert s.muted("bilibili", "u1") is None


def test_the_same_name_on_two_platforms_is_two_viewers() -> None:
    clock = VirtualClock()
    s = Strikes(clock, after=2)
    s.strike("douyin", "ana")
    s.strike("twitch", "ana")
    assert s.muted("douyin", "ana") is None and s.muted("twitch", "ana") is None


def test_zero_disables_muting_and_moderators_can_mute_and_unmute() -> None:
    clock = VirtualClock()
    never = Strikes(clock, after=0)
    assert all(never.strike("x", "u") is None for _ in range(10))
    s = Strikes(clock)
    s.mute("x", "u", 30)
    assert [m.user for m in s.active()] == ["u"]
    assert s.unmute("x", "u") and s.muted("x", "u") is None


def test_tracked_viewers_stay_bounded() -> None:
    s = Strikes(VirtualClock(), after=5, max_viewers=100)
    for i in range(1000):
        s.strike("x", f"u{i}")
    assert len(s._strikes) == 100


def test_a_viewer_blocked_lately_is_flagged_until_the_window_passes() -> None:
    clock = VirtualClock()
    s = Strikes(clock, after=3, window_s=60)
    assert not s.flagged("douyin", "u1")
    s.strike("douyin", "u1")
    assert s.flagged("douyin", "u1")
    clock.advance(61)
    assert not s.flagged("douyin", "u1")
