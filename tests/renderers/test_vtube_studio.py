"""VTube Studio renderer against a fake VTS API: token flow, denial, hotkeys, steady-rate lip-sync, reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.audio import Audio
from agent.clock import VirtualClock
from agent.ports import Renderer
from agent.render import AudioChunk, UtteranceEnded, UtteranceStarted
from connectors.renderers.supervise import AuthError
from connectors.renderers.vtube_studio import VtsConfig, VtubeStudioRenderer
from testkit.vts_server import FakeVts
from tests.renderers.polling import until

RATE = 30.0
PERIOD = 1.0 / RATE
STEP = PERIOD * 1.0001  # a hair over one period, so float rounding never leaves a tick unfired


@pytest.fixture
async def vts() -> AsyncIterator[FakeVts]:
    fake = FakeVts()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.aclose()


def config(fake: FakeVts, tmp_path: Path, **kw: object) -> VtsConfig:
    base: dict[str, object] = {
        "url": fake.url, "token_file": str(tmp_path / "vts.token"), "token_env": "", "rate_hz": RATE,
        "backoff_initial_s": 1.0,
    }
    return VtsConfig.model_validate(base | kw)


def ramp_chunk(at: float, utt: str = "u1") -> AudioChunk:
    """One second of audio whose envelope is a ramp 0, 0.02, ... 0.98 at 50 Hz."""
    levels = tuple(round(i / 50, 3) for i in range(50))
    audio = Audio(pcm=b"\0\0" * 16000, sample_rate=16000, text="Hi.", levels=levels)
    return AudioChunk(utterance_id=utt, seq=0, audio=audio, at=at)


async def injects(fake: FakeVts, n: int) -> list[float]:
    await fake.wait_for(lambda: len(fake.of_type("InjectParameterDataRequest")) >= n)
    return fake.mouth_values()


async def test_first_run_gets_a_token_then_reuses_it(vts: FakeVts, tmp_path: Path) -> None:
    clock = VirtualClock()
    r = VtubeStudioRenderer(config(vts, tmp_path), clock)
    assert isinstance(r, Renderer)
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
        await injects(vts, 1)
    finally:
        await r.aclose()
    kinds = [m["messageType"] for m in vts.received]
    assert kinds[:3] == ["AuthenticationTokenRequest", "AuthenticationRequest", "InjectParameterDataRequest"]
    assert vts.received[0]["data"] == {"pluginName": "livehost", "pluginDeveloper": "livehost"}
    assert vts.received[1]["data"]["authenticationToken"] == "vts-token-1"
    first = vts.received[2]
    assert first["apiName"] == "VTubeStudioPublicAPI" and first["apiVersion"] == "1.0" and first["requestID"]
    assert first["data"] == {"faceFound": False, "mode": "set", "parameterValues": [{"id": "MouthOpen", "value": 0.0}]}
    assert (tmp_path / "vts.token").read_text() == "vts-token-1"
    assert (tmp_path / "vts.token").stat().st_mode & 0o077 == 0

    vts.received.clear()
    again = VtubeStudioRenderer(config(vts, tmp_path), clock)
    await again.start()
    try:
        await asyncio.wait_for(again.ready.wait(), 3)
    finally:
        await again.aclose()
    assert vts.tokens_issued == 1
    assert vts.received[0]["messageType"] == "AuthenticationRequest"


async def test_denied_access_stops_without_retrying(vts: FakeVts, tmp_path: Path) -> None:
    vts.allow = False
    clock = VirtualClock()
    r = VtubeStudioRenderer(config(vts, tmp_path), clock)
    await r.start()
    try:
        await vts.wait_for(lambda: len(vts.received) >= 1)
        await until(lambda: r.failed is not None)
        assert isinstance(r.failed, AuthError) and "denied" in str(r.failed)
        clock.advance(60)
        await asyncio.sleep(0.05)
        assert [m["messageType"] for m in vts.received] == ["AuthenticationTokenRequest"]
        assert not (tmp_path / "vts.token").exists()
    finally:
        await r.aclose()


async def test_stale_token_is_replaced(vts: FakeVts, tmp_path: Path) -> None:
    (tmp_path / "vts.token").write_text("revoked")
    r = VtubeStudioRenderer(config(vts, tmp_path), VirtualClock())
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
    finally:
        await r.aclose()
    assert [m["messageType"] for m in vts.received[:3]] == [
        "AuthenticationRequest", "AuthenticationTokenRequest", "AuthenticationRequest"]
    assert (tmp_path / "vts.token").read_text() == "vts-token-1"


async def test_token_from_env_is_used_and_not_stored(
    vts: FakeVts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vts.valid_tokens.add("from-env")
    monkeypatch.setenv("TEST_VTS_TOKEN", "from-env")
    r = VtubeStudioRenderer(config(vts, tmp_path, token_env="TEST_VTS_TOKEN"), VirtualClock())
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
    finally:
        await r.aclose()
    assert vts.tokens_issued == 0 and not (tmp_path / "vts.token").exists()


async def test_mouth_follows_levels_at_a_steady_rate_and_hotkeys_fire(vts: FakeVts, tmp_path: Path) -> None:
    clock = VirtualClock()
    cfg = config(vts, tmp_path, expressions={"reply": "Smile", "script": "hk-wave", "thanks": "Nope"})
    r = VtubeStudioRenderer(cfg, clock)
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
        assert await injects(vts, 1) == [0.0]
        await r.send(UtteranceStarted("u1", "reply"))
        await r.send(ramp_chunk(at=clock.now()))
        for k in range(1, 36):
            clock.advance(STEP)
            await injects(vts, k + 1)
        await asyncio.sleep(0.05)  # nothing more arrives without the clock moving: the rate is the clock's
        values = await injects(vts, 36)
        assert len(values) == 36
        expected = [0.0] + [round(int(k * STEP * 50) / 50, 3) if k * STEP < 1.0 else 0.0 for k in range(1, 36)]
        assert values == expected
        assert max(values) > 0.9 and values[-5:] == [0.0] * 5

        kinds = [m["messageType"] for m in vts.received]
        assert kinds.index("HotkeysInCurrentModelRequest") < kinds.index("InjectParameterDataRequest")
        triggers = vts.of_type("HotkeyTriggerRequest")
        assert [t["data"] for t in triggers] == [{"hotkeyID": "hk-smile"}]
        assert kinds.index("HotkeyTriggerRequest") == kinds.index("InjectParameterDataRequest") + 1

        await r.send(UtteranceStarted("u2", "script"))
        await r.send(ramp_chunk(at=clock.now(), utt="u2"))
        clock.advance(0.5)
        assert (await injects(vts, 37))[-1] > 0.3
        await r.send(UtteranceEnded("u2", "script", "Hi", interrupted=True))
        clock.advance(STEP)
        assert (await injects(vts, 38))[-1] == 0.0
        assert vts.of_type("HotkeyTriggerRequest")[-1]["data"] == {"hotkeyID": "hk-wave"}
        assert not any(m["messageType"] == "APIError" for m in vts.received)
    finally:
        await r.aclose()


async def test_reconnects_after_the_server_drops(vts: FakeVts, tmp_path: Path) -> None:
    clock = VirtualClock()
    r = VtubeStudioRenderer(config(vts, tmp_path), clock)
    await r.start()
    try:
        await asyncio.wait_for(r.ready.wait(), 3)
        await vts.drop()
        await until(lambda: not r.ready.is_set())
        async with asyncio.timeout(5):
            while r.sessions < 2:
                clock.advance(0.25)  # the backoff sleeps on the show clock
                await asyncio.sleep(0.02)
        before = len(vts.of_type("InjectParameterDataRequest"))
        clock.advance(STEP)
        await injects(vts, before + 1)
        assert vts.tokens_issued == 1  # the stored token was reused
        assert [m["messageType"] for m in vts.received].count("AuthenticationRequest") == 2
    finally:
        await r.aclose()
