"""The offline espeak-ng engine: audio and mouth levels for every show language, on one worker thread."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agent.audio import LEVEL_HZ
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.stream import synthesize

from .conftest import SENTENCES, VOICES, threads_named


@pytest.mark.parametrize("language", ["en", "fr", "zh"])
async def test_each_show_language_is_spoken_at_a_plausible_length(espeak: EspeakSynthesizer, language: str) -> None:
    audio = await espeak.say(SENTENCES[language], language)

    assert audio.text == SENTENCES[language]
    assert audio.language == language
    assert audio.sample_rate > 8000
    # a seven-to-twelve syllable greeting: well over half a second, well under six
    assert 0.8 < audio.duration < 6.0, audio.duration


@pytest.mark.parametrize("language", ["en", "fr", "zh"])
async def test_levels_follow_the_audio_and_open_the_mouth(espeak: EspeakSynthesizer, language: str) -> None:
    audio = await espeak.say(SENTENCES[language], language)

    assert audio.levels, "no mouth levels"
    assert abs(len(audio.levels) - audio.duration * LEVEL_HZ) <= 1
    assert max(audio.levels) > 0.1
    assert all(0.0 <= v <= 1.0 for v in audio.levels)


async def test_the_voice_follows_the_language(espeak: EspeakSynthesizer) -> None:
    french = await espeak.say(SENTENCES["fr"], "fr")
    as_english = await espeak.say(SENTENCES["fr"], "en")
    again = await espeak.say(SENTENCES["fr"], "fr")

    assert french.pcm != as_english.pcm
    # switching back restores the French voice (espeak's output is not bit-exact from call to call)
    assert abs(again.duration - french.duration) < 0.02
    assert abs(again.duration - as_english.duration) > 0.05


async def test_a_faster_rate_gives_shorter_audio(espeak_lib: EspeakLibrary) -> None:
    slow = await EspeakSynthesizer(espeak_lib, VOICES, rate_wpm=120).say(SENTENCES["en"])
    fast = await EspeakSynthesizer(espeak_lib, VOICES, rate_wpm=300).say(SENTENCES["en"])

    assert fast.duration < slow.duration * 0.7


async def test_streamed_text_gives_one_chunk_per_sentence_and_skips_blank_ones(espeak: EspeakSynthesizer) -> None:
    async def sentences() -> AsyncIterator[str]:
        for s in ["First line.", "   ", "Second line."]:
            yield s

    chunks = [a async for a in synthesize(espeak, sentences(), "en")]

    assert [c.text for c in chunks] == ["First line.", "Second line."]
    assert all(c.duration > 0.3 for c in chunks)


async def test_close_releases_the_worker_thread() -> None:
    before = threads_named("espeak")
    lib = EspeakLibrary()
    await EspeakSynthesizer(lib, VOICES).say("Testing the worker.")
    assert threads_named("espeak") - before, "espeak should render on its own worker thread"

    lib.close()

    assert not threads_named("espeak") - before
