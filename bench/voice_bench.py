"""First audio through each voice-clone engine, against its local server (testkit/) answering at once.

For each engine, the same sentences go (a) through a bare HTTP client, which times the server's own first
chunk and its whole answer, and (b) through the engine, which times the sentence's ``Audio`` (what the show
plays). ``added_ms`` is (b) minus the server's first chunk: what livehost adds (reading the stream to its end,
parsing, the mouth levels, a fresh connection). Target: within 50 ms. The servers run on their own thread and
event loop. Also timed: the local voice taking over from a server that hangs or is down.

    .venv/bin/python bench/voice_bench.py [--n 40]

Results go to bench/results/voice.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from agent.clock import LoopClock  # noqa: E402
from agent.ports import SpeechEngine  # noqa: E402
from agent.speech.cosyvoice import CosyVoiceSynthesizer  # noqa: E402
from agent.speech.espeak import EspeakLibrary, EspeakSynthesizer  # noqa: E402
from agent.speech.failover import Failover  # noqa: E402
from agent.speech.fish_speech import FishSpeechSynthesizer  # noqa: E402
from agent.speech.gpt_sovits import GptSovitsSynthesizer  # noqa: E402
from agent.speech.remote import ssl_context  # noqa: E402
from agent.speech_settings import CosyVoiceSettings, FishReference, FishSpeechSettings, GptSovitsSettings  # noqa: E402
from agent.toolbox.backoff import Backoff  # noqa: E402
from testkit.cosyvoice_server import FakeCosyVoice  # noqa: E402
from testkit.fish_speech_server import FakeFishSpeech  # noqa: E402
from testkit.gpt_sovits_server import FakeGptSovits  # noqa: E402
from testkit.voice_server import tone, wav_file  # noqa: E402

TARGET_MS = 50.0
SENTENCES = [("Hello everyone, welcome back to the show.", "en"), ("这款亚麻衬衫现在只要五十九欧元。", "zh"),
             ("The linen shirt comes in white and sand.", "en")]
OUT = ROOT / "bench" / "results" / "voice.json"


class ServerThread:
    """The fake servers on an event loop of their own, as a real server would be."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="voice-servers", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


def ms(values: list[float]) -> dict[str, float]:
    s = sorted(values)
    return {"p50": round(statistics.median(s) * 1000, 1), "p95": round(s[max(0, round(0.95 * (len(s) - 1)))] * 1000, 1)}


async def raw_answer(send: Callable[[httpx.AsyncClient], Any]) -> tuple[float, float]:
    """(first chunk, whole answer) in seconds, as a bare client sees the server."""
    started = time.perf_counter()
    async with httpx.AsyncClient(verify=ssl_context(), timeout=30) as client, send(client) as response:
        first = 0.0
        async for _ in response.aiter_raw():
            first = first or time.perf_counter() - started
    return first, time.perf_counter() - started


async def bench_engine(name: str, engine: Any, raw: Callable[[str, str], Callable[[httpx.AsyncClient], Any]],
                       n: int) -> dict[str, Any]:
    firsts, wholes, audios = [], [], []
    for i in range(n + 3):
        text, language = SENTENCES[i % len(SENTENCES)]
        first, whole = await raw_answer(raw(text, language))
        started = time.perf_counter()
        audio = await engine.say(text, language)
        took = time.perf_counter() - started
        if i >= 3:  # warm-up
            firsts.append(first)
            wholes.append(whole)
            audios.append(took)
    added = [a - f for a, f in zip(audios, firsts, strict=True)]
    result = {"server_first_chunk_ms": ms(firsts), "server_whole_answer_ms": ms(wholes), "first_audio_ms": ms(audios),
              "added_ms": ms(added), "sample_rate": audio.sample_rate, "n": n}
    result["within_target"] = result["added_ms"]["p95"] <= TARGET_MS
    print(f"{name:12s} server first chunk {result['server_first_chunk_ms']}  first audio {result['first_audio_ms']}  "
          f"added {result['added_ms']}")
    return result


async def bench_fallback(label: str, synth: Callable[[], SpeechEngine], prepare: Callable[[], Awaitable[None]],
                         n: int) -> dict[str, Any]:
    await prepare()
    took = []
    for i in range(n):
        engine = synth()  # a fresh wrapper each time: every sentence meets the failure, none is backed off
        text, language = SENTENCES[i % len(SENTENCES)]
        started = time.perf_counter()
        await engine.say(text, language)
        took.append(time.perf_counter() - started)
    print(f"fallback {label:14s} {ms(took)}")
    return ms(took)


async def main(n: int) -> dict[str, Any]:
    servers = ServerThread()
    gpt, cosy, fish = FakeGptSovits(), FakeCosyVoice(rate=24000), FakeFishSpeech()
    for s in (gpt, cosy, fish):
        servers.run(s.start())
    tmp = Path(tempfile.mkdtemp())
    ref = tmp / "mia.wav"
    ref.write_bytes(wav_file(tone("a reference recording of the host, eight seconds or so", 16000), 16000))
    clock = LoopClock()
    lib = EspeakLibrary()
    try:
        gpt_engine = GptSovitsSynthesizer(GptSovitsSettings(url=gpt.url, ref_audio_path="/srv/mia.wav",
                                                            prompt_text="Hi.", prompt_lang="en"), clock)
        cosy_engine = CosyVoiceSynthesizer(CosyVoiceSettings(url=cosy.url, sample_rate=24000, prompt_text="Hi.",
                                                             prompt_wav=str(ref)), clock)
        fish_engine = FishSpeechSynthesizer(FishSpeechSettings(url=fish.url, references=(
            FishReference(audio=str(ref), text="Hi."),)), clock)
        engines: dict[str, Any] = {}
        engines["gpt_sovits"] = await bench_engine("gpt_sovits", gpt_engine, lambda t, lang: lambda c: c.stream(
            "POST", f"{gpt.url}/tts", json=gpt_engine.request(t, lang)), n)

        def cosy_raw(t: str, lang: str) -> Callable[[httpx.AsyncClient], Any]:
            url, data, files = cosy_engine.request(t, lang)
            return lambda c: c.stream("POST", url, data=data, files=files)
        engines["cosyvoice"] = await bench_engine("cosyvoice", cosy_engine, cosy_raw, n)

        def fish_raw(t: str, lang: str) -> Callable[[httpx.AsyncClient], Any]:
            body, kind = fish_engine.encode(fish_engine.request(t, lang))
            return lambda c: c.stream("POST", f"{fish.url}/v1/tts", content=body, headers={"Content-Type": kind})
        engines["fish_speech"] = await bench_engine("fish_speech", fish_engine, fish_raw, n)

        espeak = EspeakSynthesizer(lib, {"en": "en-us", "fr": "fr", "zh": "cmn"})
        limit = GptSovitsSettings(url=gpt.url, ref_audio_path="/srv/mia.wav", first_audio_s=0.5, timeout_s=1.0)

        def failover() -> SpeechEngine:
            return Failover(GptSovitsSynthesizer(limit, clock), espeak, clock=clock, backoff=Backoff(jitter=0))

        async def hang() -> None:
            gpt.mode = "hang"

        async def down() -> None:
            servers.run(gpt.stop())

        async def nothing() -> None:
            return None

        fallback = {
            "espeak_alone_ms": await bench_fallback("espeak alone", lambda: espeak, nothing, max(5, n // 4)),
            "server_hangs_first_audio_s_0_5_ms": await bench_fallback("server hangs", failover, hang, 5),
            "server_down_ms": await bench_fallback("server down", failover, down, max(5, n // 4)),
        }
    finally:
        lib.close()
        for s in (gpt, cosy, fish):
            servers.run(s.stop())
        servers.close()
    return {"machine": f"{platform.machine()} {platform.system()}, Python {platform.python_version()}",
            "target_added_ms": TARGET_MS, "engines": engines, "fallback": fallback}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=40, help="sentences per engine (after 3 warm-up ones)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the fallback runs log each failure on purpose
    results = asyncio.run(main(args.n))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
