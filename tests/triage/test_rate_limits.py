"""Per-viewer rate limits: the limit holds per viewer, and a flood's viewers are forgotten once idle."""

from __future__ import annotations

from agent.clock import VirtualClock
from agent.toolbox.ratelimit import KeyedRateLimiter


def test_each_viewer_gets_calls_per_window_and_a_slot_again_once_the_window_passed() -> None:
    clock = VirtualClock()
    limit = KeyedRateLimiter(2, 10.0, clock)
    assert [limit.allow("ann") for _ in range(3)] == [True, True, False]
    assert limit.allow("bob")
    clock.advance(10.0)
    assert limit.allow("ann")


def test_a_flood_of_viewers_is_forgotten_once_their_window_has_passed() -> None:
    clock = VirtualClock()
    limit = KeyedRateLimiter(3, 60.0, clock)
    for i in range(20_000):  # a flash sale: 20,000 viewers in a minute
        clock.advance(0.003)
        assert limit.allow(f"fan{i}")
    clock.advance(60.0)
    for i in range(200):  # a quiet room afterwards
        clock.advance(1.0)
        limit.allow(f"regular{i % 5}")
    assert len(limit._windows) < 20_000 - 200
    for _ in range(20_000):
        clock.advance(0.01)
        limit.allow("regular0")
    assert len(limit._windows) <= 6
