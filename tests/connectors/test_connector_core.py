"""Shared connector machinery: backoff, reconnect loop, de-duplication, registry, merging, deadlines."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from agent.clock import LoopClock, VirtualClock
from agent.errors import ConfigError, FatalError, ProtocolError, RetryableError
from agent.events import Event, EventKind, User
from agent.ports import EventSource
from agent.settings import PlatformSettings
from agent.toolbox.backoff import Backoff, Session
from agent.toolbox.dedup import Deduper
from connectors.platforms.merge import merge_sources
from connectors.platforms.options import BilibiliOptions, TwitchIrcOptions, env_secret
from connectors.platforms.reconnect import reconnect_forever
from connectors.platforms.registry import PLATFORMS, create_source, load_factory


class RecordingClock(VirtualClock):
    def __init__(self) -> None:
        super().__init__()
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


def test_backoff_grows_caps_and_jitters_deterministically() -> None:
    b = Backoff(initial_s=1.0, max_s=8.0, factor=2.0, jitter=0.5)
    delays = [b.delay(i, random.Random(5)) for i in range(6)]
    r = random.Random(5).random()
    assert delays == pytest.approx([x * (1 - 0.5 * r) for x in (1, 2, 4, 8, 8, 8)])
    assert all(0.5 * base <= d <= base for d, base in zip(delays, (1, 2, 4, 8, 8, 8), strict=True))
    assert Backoff(jitter=0.0).delay(100, random.Random()) == 60.0


async def test_reconnect_backs_off_resets_after_healthy_and_stops_on_fatal() -> None:
    clock = RecordingClock()
    outcomes: list[object] = [OSError(), ProtocolError("x"), "healthy", TimeoutError(), FatalError("stop")]

    async def connect(session: Session) -> bool:
        outcome = outcomes.pop(0)
        if outcome == "healthy":
            session.healthy()
            return True
        assert isinstance(outcome, BaseException)
        raise outcome

    backoff = Backoff(initial_s=1.0, max_s=10.0, jitter=0.0)
    with pytest.raises(FatalError):
        await reconnect_forever(connect, name="t", clock=clock, backoff=backoff, rng=random.Random(1))
    assert clock.slept == [1.0, 2.0, 1.0, 2.0]  # reset after the healthy session


async def test_reconnect_gives_up_after_max_failures_and_bugs_surface() -> None:
    clock = RecordingClock()

    async def failing(session: Session) -> bool:
        raise OSError("refused")

    with pytest.raises(RetryableError):
        await reconnect_forever(failing, name="t", clock=clock, backoff=Backoff(max_failures=3),
                                rng=random.Random(1))
    assert len(clock.slept) == 3

    async def buggy(session: Session) -> bool:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await reconnect_forever(buggy, name="t", clock=clock, backoff=Backoff(), rng=random.Random(1))


def test_deduper_is_a_bounded_lru() -> None:
    d = Deduper(2)
    assert not d.seen("a") and not d.seen("b")
    assert d.seen("a")  # refreshes a
    assert not d.seen("c")  # evicts b
    assert d.seen("a") and not d.seen("b") and len(d) == 2


def test_typed_platform_options(monkeypatch: pytest.MonkeyPatch) -> None:
    s = PlatformSettings(room="1", uid="3", wbi="no", fallback_hosts="a, b", cookie_env="MY_TOKEN")
    o = BilibiliOptions.of(s)
    assert o.uid == 3 and o.wbi is False and o.fallback_hosts == ("a", "b") and o.heartbeat_s == 30.0
    with pytest.raises(ConfigError, match=r"\[platforms\.bilibili\] key 'uid'"):
        BilibiliOptions.of(PlatformSettings(uid="x"))
    with pytest.raises(ConfigError, match=r"\[platforms\.twitch\] unknown key 'nik'.*did you mean 'nick'"):
        TwitchIrcOptions.of(PlatformSettings(room="shop", nik="bot"))
    monkeypatch.setenv("MY_TOKEN", "t0k")
    assert env_secret(o.cookie_env) == "t0k" and env_secret("") == ""


def test_registry_imports_lazily_by_path() -> None:
    assert "replay" in PLATFORMS and PLATFORMS["replay"] == "connectors.platforms.replay:ReplaySource.from_settings"
    for name in ("bilibili", "twitch", "twitch_eventsub", "douyin", "youtube", "taobao", "kuaishou", "jd"):
        assert callable(load_factory(name))
    with pytest.raises(ConfigError):
        load_factory("myspace")
    table = {"fake": "tests.connectors.test_connector_core:ListSource"}
    src = create_source("fake", PlatformSettings(room="r"), LoopClock(), table=table)
    assert isinstance(src, EventSource) and src.name == "fake"


class ListSource:
    """A tiny EventSource for merge tests (and the registry test's factory)."""

    def __init__(self, settings: PlatformSettings, clock: object, events: list[Event] | None = None,
                 fail: bool = False) -> None:
        self.name = str((settings.model_extra or {}).get("platform", "list"))
        self._events = events or []
        self._fail = fail
        self.closed = False

    async def events(self) -> AsyncIterator[Event]:
        for ev in self._events:
            await asyncio.sleep(0)
            yield ev
        if self._fail:
            raise ProtocolError("broken")

    async def aclose(self) -> None:
        self.closed = True


def ev(platform: str, i: int) -> Event:
    return Event(kind=EventKind.COMMENT, user=User("u", "U"), platform=platform, text=f"{platform}{i}")


async def test_merge_interleaves_tags_and_closes() -> None:
    a = ListSource(PlatformSettings(platform="a"), None, [ev("a", i) for i in range(3)])
    b = ListSource(PlatformSettings(platform="b"), None, [ev("b", i) for i in range(3)], fail=True)
    got: list[str] = []
    with pytest.raises(ProtocolError):
        async for e in merge_sources([a, b]):
            got.append(e.text)
    assert sorted(got) == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert got[:2] in (["a0", "b0"], ["b0", "a0"])  # interleaved, not one after the other
    assert a.closed and b.closed


async def test_merge_stops_early_without_leaking() -> None:
    a = ListSource(PlatformSettings(), None, [ev("a", i) for i in range(100)])
    stream = merge_sources([a])
    assert (await anext(stream)).text == "a0"
    await stream.aclose()
    assert a.closed
    assert {t for t in asyncio.all_tasks() if t.get_name().startswith("merge:")} == set()
