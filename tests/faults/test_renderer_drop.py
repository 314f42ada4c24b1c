"""A renderer whose peer goes away in the middle of an utterance and comes back: the host does not stop
talking (the utterance plays to its end, the script goes on) and the renderer picks up again with the sentences
said after it reconnected.

A real show in real time (a fast tone voice, so it takes a few seconds) with the OBS renderer against the local
OBS WebSocket server (testkit/obs_server.py); OBS closes the connection while the script's second line plays."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from agent.app.compose import open_runtime, open_show
from agent.clock import LoopClock
from agent.render import AudioChunk, UtteranceStarted
from connectors.platforms.replay import ReplaySource
from connectors.renderers.obs import ObsConfig, ObsRenderer
from testkit.obs_server import FakeObs
from testkit.tone_tts import ToneEngine
from tests.faults.kit import fault_settings, write_chat


class DropsObsMidUtterance:
    """A renderer beside OBS that makes OBS go away when the ``nth`` utterance's first sentence starts."""

    name = "dropper"

    def __init__(self, obs: FakeObs, clock: LoopClock, nth: int = 2) -> None:
        self.obs, self.clock, self.nth = obs, clock, nth
        self.started: list[str] = []
        self.dropped: tuple[str, float] | None = None

    async def start(self) -> None:
        return None

    async def send(self, event: object) -> None:
        if isinstance(event, UtteranceStarted):
            self.started.append(event.utterance_id)
        elif (isinstance(event, AudioChunk) and self.dropped is None and len(self.started) == self.nth
              and event.seq == 0):
            self.dropped = (event.utterance_id, self.clock.now())
            await self.obs.drop()

    async def aclose(self) -> None:
        return None


async def test_a_renderer_that_drops_mid_utterance_comes_back_and_the_show_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def tone(*args: Any, **kw: Any) -> ToneEngine:
        return ToneEngine(0.004)  # about 0.2 s a script line

    monkeypatch.setattr("agent.app.compose.build_synthesizer", tone)
    caplog.set_level(logging.INFO)
    settings = fault_settings(tmp_path / "data", **{"knowledge.embedding": "hash", "show.idle_after_s": 0})
    clock = LoopClock()
    obs = FakeObs()
    await obs.start()
    renderer = ObsRenderer(ObsConfig.model_validate({"url": obs.url, "password_env": "", "backoff_initial_s": 0.05,
                                                     "backoff_max_s": 0.2}), clock)
    dropper = DropsObsMidUtterance(obs, clock)
    try:
        await renderer.start()
        async with open_runtime(settings, clock, use_llm=False) as rt:
            async with open_show(rt, sources=[ReplaySource(write_chat(tmp_path, []), clock)],
                                 renderers=[renderer, dropper]) as show:
                await show.run(3.0)
    finally:
        await renderer.aclose()
        await obs.aclose()
    assert dropper.dropped is not None
    cut_id, at = dropper.dropped
    timeline = show.director.state.timeline
    during = next(t for t in timeline if t.utterance_id == cut_id)
    assert not during.interrupted  # OBS going away did not cut the host
    later = [t for t in timeline if t.kind == "script" and t.start > at + 0.5 and not t.interrupted]
    assert len(later) >= 3
    assert renderer.sessions == 2  # it reconnected, and captions the sentences said after that
    assert set(obs.captions()) & {t.text for t in later}
    retried = [r.__dict__["renderer"] for r in caplog.records if r.getMessage() == "renderer connection failed"]
    assert retried == ["obs"]
