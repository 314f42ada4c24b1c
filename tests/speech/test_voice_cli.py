"""``livehost voice test``: one sentence through the configured voice, written as a WAV, with the time to first
audio and the engine that spoke; a server that is down hands the sentence to espeak as the show would."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import pytest

from agent.app import cli
from testkit.gpt_sovits_server import FakeGptSovits


def _settings_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f"""
[speech]
engine = "gpt_sovits"
[speech.gpt_sovits]
url = "{url}"
ref_audio_path = "/srv/voices/mia.wav"
prompt_text = "Hi, I'm Mia."
prompt_lang = "en"
first_audio_s = 2.0
timeout_s = 4.0
""", encoding="utf-8")
    return path


async def _run(*argv: str) -> int:
    """The command in a thread of its own (it runs its own event loop) while the server answers on this one."""
    return await asyncio.to_thread(cli.main, list(argv))


async def test_voice_test_writes_the_clones_wav_and_says_who_spoke_and_how_soon(
        tmp_path: Path, gpt_sovits: FakeGptSovits, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "hello.wav"

    code = await _run("--settings", str(_settings_file(tmp_path, gpt_sovits.url)), "voice", "test",
                      "Hello everyone, welcome.", "--language", "en", "--out", str(out))

    assert code == 0
    printed = capsys.readouterr().out
    assert "engine: gpt_sovits" in printed and "first audio: " in printed and " ms" in printed
    with wave.open(str(out)) as w:
        assert w.getframerate() == 32000 and w.getnframes() > 32000
    assert gpt_sovits.received[-1]["text"] == "Hello everyone, welcome."


async def test_voice_test_with_the_server_down_falls_back_and_says_so(
        tmp_path: Path, gpt_sovits: FakeGptSovits, capsys: pytest.CaptureFixture[str]) -> None:
    await gpt_sovits.stop()
    out = tmp_path / "hello.wav"

    code = await _run("--settings", str(_settings_file(tmp_path, gpt_sovits.url)), "voice", "test", "大家好，欢迎。",
                      "--out", str(out), "--json")

    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["engine"] == "espeak" and result["fallback"] is True
    assert result["language"] == "zh"  # detected from the text
    assert result["first_audio_ms"] < 2000 and result["out"] == str(out)
    with wave.open(str(out)) as w:
        assert w.getframerate() == result["sample_rate"] and w.getnframes() > 0
