"""Fixtures for the voice-clone engines (conftest.py imports them): the local servers of testkit/, a reference
recording, virtual time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.clock import VirtualClock
from testkit.cosyvoice_server import FakeCosyVoice
from testkit.fish_speech_server import FakeFishSpeech
from testkit.gpt_sovits_server import FakeGptSovits
from testkit.voice_server import tone, wav_file

REFERENCE_WAV = wav_file(tone("a reference recording of the host", 16000), 16000)


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    """A reference recording (16 kHz WAV: ``REFERENCE_WAV``) in a settings folder, ``voices/mia.wav``."""
    path = tmp_path / "voices" / "mia.wav"
    path.parent.mkdir()
    path.write_bytes(REFERENCE_WAV)
    return path


@pytest.fixture
async def gpt_sovits() -> AsyncIterator[FakeGptSovits]:
    async with FakeGptSovits() as server:
        yield server


@pytest.fixture
async def cosyvoice() -> AsyncIterator[FakeCosyVoice]:
    async with FakeCosyVoice() as server:
        yield server


@pytest.fixture
async def fish_speech() -> AsyncIterator[FakeFishSpeech]:
    async with FakeFishSpeech() as server:
        yield server


@contextlib.asynccontextmanager
async def driven(clock: VirtualClock) -> AsyncIterator[VirtualClock]:
    """Virtual time that jumps ahead whenever every task is waiting (a hanging server, a backoff)."""
    driver = asyncio.ensure_future(clock.run())
    try:
        yield clock
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
