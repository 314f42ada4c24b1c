"""The speech engine fails on one sentence, by raising or by never answering (given up after
``speech.timeout_s`` on the virtual clock): the director skips what it could not say and the show goes on.

The engine is a deterministic tone (testkit/tone_tts.py) that fails once on the sentence the test names: a
script line, or the first sentence of a reply."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from agent.audio import Audio
from testkit.tone_tts import ToneEngine
from tests.faults.kit import fault_settings, play, write_chat

SCRIPT_LINE = "I'm Mia, your AI host today."  # the script's second line
CHAT = [{"t": 2.0, "type": "comment", "user": "ana", "text": "How much is the linen shirt?"}]


class FailsOnce:
    """A tone engine that raises, or hangs forever, the first time it is asked for a sentence holding ``on``."""

    name = "faulty"

    def __init__(self, fault: str, on: str) -> None:
        self.fault, self.on = fault, on
        self.tone = ToneEngine(0.05)
        self.failed = False

    async def say(self, text: str, language: str = "en") -> Audio:
        if self.on in text and not self.failed:
            self.failed = True
            if self.fault == "raises":
                raise OSError("speech engine crashed")
            await asyncio.Event().wait()  # never answers
        return await self.tone.say(text, language)


def with_engine(monkeypatch: pytest.MonkeyPatch, engine: FailsOnce) -> None:
    def build(*args: Any, **kw: Any) -> FailsOnce:
        return engine

    monkeypatch.setattr("agent.app.compose.build_synthesizer", build)


@pytest.mark.parametrize("fault", ["raises", "hangs"])
async def test_a_script_line_the_engine_cannot_say_is_skipped_and_the_script_goes_on(
        fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    engine = FailsOnce(fault, SCRIPT_LINE)
    with_engine(monkeypatch, engine)
    caplog.set_level(logging.INFO, logger="agent")
    played = await play(fault_settings(tmp_path / "data", **{"knowledge.embedding": "hash"}),
                        write_chat(tmp_path, CHAT), 60.0, speech_busy=False)
    said = [t.text for t in played.timeline if t.kind == "script"]
    assert engine.failed and said[0] == "Hello everyone and welcome to Maison Lumière live!"
    assert SCRIPT_LINE not in said[:4] and len(said) >= 6  # skipped once; the lines after it were said
    assert "59 EUR" in played.reply_to("ana").text
    messages = [r.getMessage() for r in caplog.records]
    assert "sentence skipped: speech failed" in messages
    if fault == "hangs":
        assert "speech engine timed out" in messages
    assert played.counted("speech_errors", engine="faulty") == 1


@pytest.mark.parametrize("fault", ["raises", "hangs"])
async def test_a_reply_the_engine_cannot_say_is_skipped_and_the_script_goes_on(
        fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    engine = FailsOnce(fault, "59 EUR")
    with_engine(monkeypatch, engine)
    caplog.set_level(logging.INFO, logger="agent")
    played = await play(fault_settings(tmp_path / "data", **{"knowledge.embedding": "hash"}),
                        write_chat(tmp_path, CHAT), 60.0, speech_busy=False)
    assert engine.failed and not [t for t in played.timeline if t.kind == "reply"]
    assert len(played.script_after(2.0)) >= 4
    failed = [r for r in caplog.records if r.getMessage() == "utterance failed"]
    assert failed and ("speech engine crashed" if fault == "raises" else "TimeoutError") in failed[0].__dict__["error"]
    assert played.counted("speech_errors", engine="faulty") == 1
