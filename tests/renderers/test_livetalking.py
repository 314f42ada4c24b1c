"""LiveTalking renderer against a fake LiveTalking HTTP server: sentences, interrupts, auth, reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from agent.clock import VirtualClock
from agent.ports import Renderer
from agent.render import UtteranceEnded, UtteranceStarted
from connectors.renderers.livetalking import LiveTalkingConfig, LiveTalkingRenderer
from testkit.livetalking_server import FakeLiveTalking
from tests.renderers.polling import until
from tests.web.tones import chunk


@pytest.fixture
async def lt() -> AsyncIterator[FakeLiveTalking]:
    fake = FakeLiveTalking(prefix="/api", sessions={7})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.aclose()


def renderer(fake: FakeLiveTalking, clock: VirtualClock | None = None, **kw: object) -> LiveTalkingRenderer:
    cfg = LiveTalkingConfig.model_validate({
        "base_url": fake.url, "sessionid": 7, "human_route": "/api/human",
        "interrupt_route": "/api/interrupt_talk", "is_speaking_route": "/api/is_speaking", **kw,
    })
    return LiveTalkingRenderer(cfg, clock or VirtualClock())


async def test_sentences_then_interrupt_in_order(lt: FakeLiveTalking) -> None:
    r = renderer(lt)
    assert isinstance(r, Renderer)
    await r.start()
    try:
        assert not await r.is_speaking()
        await r.send(UtteranceStarted("u1", "script"))
        await r.send(chunk("Welcome everyone.", 0.05, seq=0))
        await r.send(chunk("Today: silk.", 0.05, seq=1))
        await lt.wait_for(lambda: len(lt.received) >= 3)  # is_speaking + 2 sentences
        assert await r.is_speaking()
        await r.send(UtteranceEnded("u1", "script", "Welcome everyone.", interrupted=True))
        await r.send(chunk("About your question...", 0.05, utt="u2"))
        await until(lambda: r.delivered >= 4)
    finally:
        await r.aclose()
    calls = [(path, body) for path, body in lt.received if not path.endswith("is_speaking")]
    assert calls == [
        ("/api/human", {"sessionid": 7, "type": "echo", "text": "Welcome everyone.", "interrupt": False}),
        ("/api/human", {"sessionid": 7, "type": "echo", "text": "Today: silk.", "interrupt": False}),
        ("/api/interrupt_talk", {"sessionid": 7}),
        ("/api/human", {"sessionid": 7, "type": "echo", "text": "About your question...", "interrupt": True}),
    ]


async def test_unknown_session_is_rejected_not_retried(lt: FakeLiveTalking) -> None:
    clock = VirtualClock()
    r = renderer(lt, clock, sessionid=99)
    await r.start()
    try:
        await r.send(chunk("One.", 0.05))
        await r.send(chunk("Two.", 0.05))
        await lt.wait_for(lambda: len(lt.texts()) == 2)
        clock.advance(30)
        await asyncio.sleep(0.05)
        assert lt.texts() == ["One.", "Two."] and r.delivered == 0
    finally:
        await r.aclose()


async def test_bearer_token_from_env(lt: FakeLiveTalking, monkeypatch: pytest.MonkeyPatch) -> None:
    lt.token = "proxy-secret"
    monkeypatch.setenv("TEST_LT_TOKEN", "proxy-secret")
    ok = renderer(lt, token_env="TEST_LT_TOKEN")
    bad = renderer(lt, token_env="TEST_LT_UNSET")
    await ok.start()
    await bad.start()
    try:
        await bad.send(chunk("Refused.", 0.05))
        await ok.send(chunk("Allowed.", 0.05))
        await until(lambda: ok.delivered >= 1)
        await asyncio.sleep(0.05)
        assert ok.delivered == 1 and bad.delivered == 0 and lt.texts() == ["Allowed."]
    finally:
        await ok.aclose()
        await bad.aclose()


async def test_retries_until_livetalking_is_back(lt: FakeLiveTalking) -> None:
    clock = VirtualClock()
    r = renderer(lt, clock)
    await r.start()
    try:
        await r.send(chunk("Before.", 0.05))
        await lt.wait_for(lambda: lt.texts() == ["Before."])
        await lt.aclose()
        await r.send(chunk("During the outage.", 0.05))
        await until(lambda: clock.pending > 0)  # the worker failed and now sleeps on the clock
        await lt.start()  # same port
        async with asyncio.timeout(5):
            while r.delivered < 2:
                clock.advance(0.5)
                await asyncio.sleep(0.02)
        assert lt.texts() == ["Before.", "During the outage."]
    finally:
        await r.aclose()
