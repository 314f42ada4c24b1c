"""A platform connection that drops again and again: the connector reconnects each time (logged, backoff reset
after each healthy session) and the comments keep flowing, each once, none lost after a reconnect.

Against the local Twitch IRC server (testkit/twitch_server.py), which cuts the TCP connection without a
close frame, as a network drop does."""

from __future__ import annotations

import logging
import random

import pytest

from agent.clock import LoopClock
from connectors.platforms.twitch_irc import TwitchIrcSource
from testkit.twitch_server import FakeTwitchIrc, privmsg
from tests.connectors.helpers import make_settings, nothing_more, take

DROPS = 5


async def test_comments_keep_flowing_after_repeated_drops(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with FakeTwitchIrc().running() as fake:
        src = TwitchIrcSource(make_settings(room="shop", endpoint=fake.url), LoopClock(), rng=random.Random(7))
        try:
            src.start()
            await fake.wait_for(lambda: len(fake.joined) == 1)
            got: list[str] = []
            for n in range(DROPS + 1):
                # at-least-once delivery: the message before the drop comes again, and is not said twice
                again = [privmsg("shop", "ann", f"before drop {n - 1}", f"m{n - 1}")] if n else []
                await fake.send(*again, privmsg("shop", "ann", f"before drop {n}", f"m{n}"))
                got += [e.text for e in await take(src, 1)]
                if n < DROPS:
                    await fake.drop()
                    await fake.wait_for(lambda n=n: len(fake.joined) == n + 2)  # type: ignore[misc]
            await nothing_more(src)
        finally:
            await src.aclose()
    assert got == [f"before drop {n}" for n in range(DROPS + 1)]
    retries = [r for r in caplog.records if r.getMessage() == "connection ended; reconnecting after backoff"]
    assert len(retries) == DROPS
    assert all(getattr(r, "attempt", None) == 1 for r in retries)  # each drop came after a healthy session
