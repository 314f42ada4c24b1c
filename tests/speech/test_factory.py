"""Engines by name: a wrong or uninstalled engine stops the show at start, with the fix in the message."""

from __future__ import annotations

import sys

import pytest

from agent.errors import ConfigError
from agent.settings import SpeechSettings
from agent.speech.espeak import EspeakLibrary
from agent.speech.factory import ENGINES, build_synthesizer


def test_piper_is_a_known_engine() -> None:
    assert {"espeak", "edge", "piper"} <= set(ENGINES)


def test_unknown_engine_names_the_known_ones(espeak_lib: EspeakLibrary) -> None:
    settings = SpeechSettings().model_copy(update={"engine": "festival"})

    with pytest.raises(ConfigError, match="piper"):
        build_synthesizer(settings, espeak_lib)


def test_piper_without_the_extra_says_how_to_install_it(espeak_lib: EspeakLibrary,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    settings = SpeechSettings().model_copy(update={"engine": "piper"})

    with pytest.raises(ConfigError, match=r"\[piper\]"):
        build_synthesizer(settings, espeak_lib)


def test_missing_voice_file_names_the_setting(espeak_lib: EspeakLibrary) -> None:
    pytest.importorskip("piper", reason="the piper extra is not installed")
    settings = SpeechSettings(piper_voice="/nonexistent/voice.onnx").model_copy(update={"engine": "piper"})

    with pytest.raises(ConfigError, match="speech.piper_voice"):
        build_synthesizer(settings, espeak_lib)
