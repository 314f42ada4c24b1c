"""OBS renderer against a fake OBS WebSocket v5 server: auth, close 4009, caption requests, reconnect."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from agent.clock import VirtualClock
from agent.ports import Renderer
from agent.render import UtteranceEnded, UtteranceStarted
from connectors.renderers.obs import ObsConfig, ObsRenderer
from connectors.renderers.supervise import AuthError
from testkit.obs_server import FakeObs, expected_auth
from tests.renderers.polling import until
from tests.web.tones import chunk

PASSWORD = "hunter2-obs-secret"


@pytest.fixture
async def obs() -> AsyncIterator[FakeObs]:
    fake = FakeObs(password=PASSWORD)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.aclose()


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OBS_PASSWORD", PASSWORD)


def renderer(fake: FakeObs, clock: VirtualClock | None = None, **kw: object) -> ObsRenderer:
    cfg = ObsConfig.model_validate({"url": fake.url, "password_env": "TEST_OBS_PASSWORD", **kw})
    return ObsRenderer(cfg, clock or VirtualClock())


async def test_identifies_then_sets_and_clears_captions_in_order(
    obs: FakeObs, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    r = renderer(obs)
    assert isinstance(r, Renderer)
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
        await r.send(UtteranceStarted("u1", "script"))
        await r.send(chunk("First sentence.", 0.05, seq=0))
        await r.send(chunk("Second one.", 0.05, seq=1))
        await r.send(UtteranceEnded("u1", "script", "First sentence. Second one."))
        await obs.wait_for(lambda: len(obs.captions()) == 3)
    finally:
        await r.aclose()
    identify = obs.received[0]
    assert identify["op"] == 1
    assert identify["d"]["rpcVersion"] == 1
    assert identify["d"]["authentication"] == expected_auth(PASSWORD, obs.salt, obs.challenge)
    assert obs.captions() == ["First sentence.", "Second one.", ""]
    req = obs.requests("SetInputSettings")[0]
    assert req["requestData"] == {"inputName": "livehost captions", "inputSettings": {"text": "First sentence."},
                                  "overlay": True}
    assert len({r["requestId"] for r in obs.requests()}) == 3
    assert obs.inputs["livehost captions"]["text"] == ""
    for rec in caplog.records:
        assert PASSWORD not in rec.getMessage() and PASSWORD not in str(rec.__dict__)


async def test_wrong_password_gets_4009_and_stops(obs: FakeObs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OBS_PASSWORD", "wrong")
    clock = VirtualClock()
    r = renderer(obs, clock)
    await r.start()
    try:
        await until(lambda: r.failed is not None, 3)
        assert isinstance(r.failed, AuthError) and "TEST_OBS_PASSWORD" in str(r.failed)
        assert "wrong" not in str(r.failed)
        clock.advance(60)
        await asyncio.sleep(0.05)
        assert obs.close_codes == [4009] and len(obs.received) == 1
    finally:
        await r.aclose()


async def test_missing_password_is_an_auth_error(obs: FakeObs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_OBS_PASSWORD")
    r = renderer(obs)
    await r.start()
    try:
        await until(lambda: r.failed is not None, 3)
        assert isinstance(r.failed, AuthError)
    finally:
        await r.aclose()


async def test_no_auth_server_and_missing_input_keep_going() -> None:
    fake = FakeObs(password=None, inputs={})
    await fake.start()
    r = renderer(fake, caption_input="nope")
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
        await r.send(chunk("One.", 0.05))
        await r.send(chunk("Two.", 0.05))
        await fake.wait_for(lambda: len(fake.captions()) == 2)
        assert "authentication" not in fake.received[0]["d"]
        assert r.ready.is_set()
    finally:
        await r.aclose()
        await fake.aclose()


async def test_reconnects_after_obs_drops_and_sends_only_the_latest_caption(obs: FakeObs) -> None:
    clock = VirtualClock()
    r = renderer(obs, clock)
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
        await obs.drop()
        await until(lambda: not r.ready.is_set())
        await r.send(chunk("Stale.", 0.05))
        await r.send(chunk("Fresh.", 0.05))
        async with asyncio.timeout(5):
            while r.sessions < 2:
                clock.advance(0.25)
                await asyncio.sleep(0.02)
        await obs.wait_for(lambda: len(obs.captions()) == 1)
        assert obs.captions() == ["Fresh."]
        assert [m["op"] for m in obs.received].count(1) == 2
    finally:
        await r.aclose()
