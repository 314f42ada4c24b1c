"""One interface, one loop: every engine only says a sentence; the shared loop streams a text through it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from agent.audio import Audio
from agent.ports import Closes, SpeechEngine
from agent.speech.edge import EdgeSynthesizer
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer
from agent.speech.fallback import FallbackSynthesizer
from agent.speech.piper import PiperSynthesizer
from agent.speech.router import LanguageRouter
from agent.speech.stream import synthesize

from .conftest import VOICES


class Recorder:
    """An engine that returns a short silence and remembers what it was asked to say."""

    name = "recorder"

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    async def say(self, text: str, language: str = "en") -> Audio:
        self.said.append((text, language))
        return Audio(pcm=b"\0\0" * 80, sample_rate=8000, text=text, language=language)


async def test_each_sentence_is_said_in_order_in_the_language_and_blank_ones_are_skipped() -> None:
    engine = Recorder()

    async def sentences() -> AsyncIterator[str]:
        for s in ["First.", "", "  \n", "Second.", "Third."]:
            yield s

    chunks = [a async for a in synthesize(engine, sentences(), "fr")]

    assert engine.said == [("First.", "fr"), ("Second.", "fr"), ("Third.", "fr")]
    assert [(c.text, c.language) for c in chunks] == engine.said


async def test_a_sentence_is_spoken_as_soon_as_it_arrives_not_when_the_text_ends() -> None:
    engine = Recorder()
    more = asyncio.Event()

    async def sentences() -> AsyncIterator[str]:
        yield "While the model is still writing."
        await more.wait()
        yield "Here is the rest."

    chunks = synthesize(engine, sentences())
    first = await anext(chunks)

    assert first.text == "While the model is still writing." and len(engine.said) == 1
    more.set()
    assert [a.text async for a in chunks] == ["Here is the rest."]


async def test_an_engine_failure_ends_the_stream_with_the_error() -> None:
    class Broken:
        name = "broken"

        async def say(self, text: str, language: str = "en") -> Audio:
            raise OSError("no voice")

    async def sentences() -> AsyncIterator[str]:
        yield "Hello."

    with pytest.raises(OSError, match="no voice"):
        await anext(synthesize(Broken(), sentences()))


@pytest.mark.parametrize("engine_class", [EspeakSynthesizer, EdgeSynthesizer, PiperSynthesizer, FallbackSynthesizer,
                                          LanguageRouter])
def test_engines_implement_say_and_leave_streaming_to_the_shared_loop(engine_class: type) -> None:
    assert "say" in vars(engine_class)
    assert not hasattr(engine_class, "synthesize")


def test_engines_and_wrappers_are_speech_engines(espeak_lib: EspeakLibrary) -> None:
    espeak = EspeakSynthesizer(espeak_lib, VOICES)
    fallback = FallbackSynthesizer(EdgeSynthesizer({}), espeak)
    router = LanguageRouter({"en": fallback}, default=espeak)

    for engine in (espeak, EdgeSynthesizer({}), fallback, router):
        assert isinstance(engine, SpeechEngine)
    assert router.name == "en=edge+espeak,*=espeak"
    assert isinstance(router, Closes) and not isinstance(espeak, Closes)
