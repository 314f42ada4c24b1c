"""``livehost voice test "TEXT" [--language xx] --out FILE.wav``: one sentence through the configured speech, as
the show would say it (a voice server that fails or is too slow hands it to the local voice), written as a
WAV file, with the time to first audio and the engine that spoke."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from agent.audio import Audio
from agent.clock import LoopClock
from agent.language import detect_language
from agent.ports import Closes
from agent.settings import Settings
from agent.speech.espeak import EspeakLibrary
from agent.speech.factory import build_synthesizer
from agent.speech.voices import spoken_by
from agent.speech_settings import primary_language


def register(subparsers: Any) -> None:
    v = subparsers.add_parser("voice", help="try the configured voice")
    vsub = v.add_subparsers(dest="voice_command", required=True)
    p = vsub.add_parser("test", help="say one sentence through speech.engine (falling back as the show would)")
    p.add_argument("text")
    p.add_argument("--language", default=None, help="the sentence's language (default: detected)")
    p.add_argument("--out", required=True, help="the WAV file to write")
    p.add_argument("--json", action="store_true", help="print one JSON line")
    p.set_defaults(func=voice_test)


def voice_test(args: argparse.Namespace, settings: Settings) -> int:
    language = args.language or detect_language(args.text, settings.show.default_language)
    out = Path(args.out)
    audio, result = asyncio.run(speak(settings, args.text, language))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(audio.wav())
    result["out"] = str(out)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        fell = " (the voice server failed; the local voice spoke)" if result["fallback"] else ""
        print(f"first audio: {result['first_audio_ms']:.0f} ms; engine: {result['engine']}{fell}")
        print(f"wrote {result['out']}: {result['duration_s']:.2f} s at {result['sample_rate']} Hz")
    return 0


async def speak(settings: Settings, text: str, language: str) -> tuple[Audio, dict[str, Any]]:
    """Say ``text`` once through the configured speech: the audio, and what the command prints."""
    clock = LoopClock()
    configured = settings.speech.language_engines.get(primary_language(language), settings.speech.engine)
    lib = EspeakLibrary()
    try:
        synth = build_synthesizer(settings.speech, lib, clock=clock, root=settings.root)
        try:
            started = clock.now()
            audio = await synth.say(text, language)
            first_audio = clock.now() - started
            engine = spoken_by(synth, language)
        finally:
            if isinstance(synth, Closes):
                synth.close()
    finally:
        lib.close()
    return audio, {"engine": engine, "fallback": not engine.startswith(configured), "language": language,
                   "first_audio_ms": round(first_audio * 1000, 1), "duration_s": round(audio.duration, 3),
                   "sample_rate": audio.sample_rate}
