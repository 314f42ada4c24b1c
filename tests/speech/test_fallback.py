"""edge-tts unreachable -> the show keeps talking with espeak, within ``speech.edge_timeout_s``.

Unreachability is real network behaviour, not a mock: edge-tts honours the ``wss_proxy`` environment
variable (its aiohttp session trusts the environment), so the tests point it at a closed local port
(connection refused) or at a socket that accepts and never answers (a hung network).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

from agent.clock import VirtualClock
from agent.ports import Clock
from agent.settings import SpeechSettings
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.factory import build_synthesizer
from agent.speech.fallback import FallbackSynthesizer

from .conftest import SENTENCES

pytest.importorskip("edge_tts", reason="edge-tts is not installed")
pytest.importorskip("miniaudio", reason="miniaudio is not installed")

TIMEOUT_S = 0.5
SLACK_S = 1.5  # first use imports edge-tts and aiohttp; a loaded CI box adds more


def _route_edge_through(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    for name in ("wss_proxy", "WSS_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("wss_proxy", f"http://127.0.0.1:{port}")


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """edge-tts's next connection is refused (nothing listens on the port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _route_edge_through(monkeypatch, port)


@pytest.fixture
def hung(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """edge-tts connects, then hears nothing back (the kernel accepts; no one ever answers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        _route_edge_through(monkeypatch, s.getsockname()[1])
        yield


def _edge_show(espeak_lib: EspeakLibrary, timeout_s: float = TIMEOUT_S,
               clock: Clock | None = None) -> FallbackSynthesizer:
    settings = SpeechSettings(engine="edge", edge_timeout_s=timeout_s)
    synth = build_synthesizer(settings, espeak_lib, clock=clock)
    assert isinstance(synth, FallbackSynthesizer)
    return synth


@pytest.mark.usefixtures("refused")
async def test_refused_connection_falls_back_to_espeak(espeak_lib: EspeakLibrary) -> None:
    synth = _edge_show(espeak_lib)

    started = time.monotonic()
    audio = await synth.say(SENTENCES["en"], "en")
    elapsed = time.monotonic() - started

    assert synth.failed
    assert audio.sample_rate == espeak_lib.sample_rate
    assert audio.duration > 0.8 and max(audio.levels) > 0
    assert elapsed < TIMEOUT_S + SLACK_S


@pytest.mark.usefixtures("hung")
async def test_hung_network_falls_back_to_espeak_once_edge_timeout_s_passes(espeak_lib: EspeakLibrary) -> None:
    synth = _edge_show(espeak_lib)

    started = time.monotonic()
    audio = await synth.say(SENTENCES["en"], "en")
    elapsed = time.monotonic() - started

    assert synth.failed
    assert audio.duration > 0.8 and max(audio.levels) > 0
    assert TIMEOUT_S * 0.9 <= elapsed < TIMEOUT_S + SLACK_S


@pytest.mark.usefixtures("hung")
async def test_after_one_failure_later_sentences_skip_edge_and_its_timeout(espeak_lib: EspeakLibrary) -> None:
    synth = _edge_show(espeak_lib)
    await synth.say(SENTENCES["en"], "en")

    started = time.monotonic()
    for language in ("fr", "zh", "en"):
        audio = await synth.say(SENTENCES[language], language)
        assert audio.language == language and audio.duration > 0.8
    elapsed = time.monotonic() - started

    assert elapsed < TIMEOUT_S  # three sentences, not one timeout paid


@pytest.mark.usefixtures("hung")
async def test_edge_timeout_runs_on_the_show_clock(espeak_lib: EspeakLibrary) -> None:
    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())  # jumps ahead whenever every task is waiting
    try:
        synth = _edge_show(espeak_lib, timeout_s=10.0, clock=clock)  # the most the setting allows
        started = time.monotonic()
        audio = await synth.say(SENTENCES["en"], "en")
        elapsed = time.monotonic() - started
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)

    assert synth.failed
    assert audio.duration > 0.8
    assert clock.now() >= 10.0
    assert elapsed < SLACK_S  # ten seconds of show time, not of real time


async def test_espeak_engine_is_used_as_is(espeak_lib: EspeakLibrary) -> None:
    synth = build_synthesizer(SpeechSettings(engine="espeak"), espeak_lib)

    assert isinstance(synth, EspeakSynthesizer)
