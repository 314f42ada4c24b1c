"""Speech fixtures: a fresh espeak-ng library per test.

libespeak-ng is process-wide and keeps one synthesis callback, the one the latest ``EspeakLibrary`` set, so
tests never keep two libraries alive at once: each test gets its own, closed when it ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer

from .clone_kit import cosyvoice, fish_speech, gpt_sovits, reference  # noqa: F401 - the voice-clone servers' fixtures

VOICES = {"en": "en-us", "fr": "fr", "zh": "cmn"}

SENTENCES = {
    "en": "Hello everyone, welcome back to the show.",
    "fr": "Bonjour à tous, bienvenue dans l'émission.",
    "zh": "大家好，欢迎来到我们的直播间。",
}


@pytest.fixture
def espeak_lib() -> Iterator[EspeakLibrary]:
    lib = EspeakLibrary()
    yield lib
    lib.close()


@pytest.fixture
def espeak(espeak_lib: EspeakLibrary) -> EspeakSynthesizer:
    return EspeakSynthesizer(espeak_lib, VOICES)


def threads_named(prefix: str) -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()}
