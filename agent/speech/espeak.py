"""Offline speech with espeak-ng, loaded from the ``espeakng-loader`` wheel (English, French, Mandarin).

libespeak-ng keeps process-wide state, so one :class:`EspeakLibrary` wraps it, serialises calls on one
worker thread, and is shared by every :class:`EspeakSynthesizer` the composition root creates.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from agent.audio import Audio, envelope
from agent.errors import FatalError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE = 1
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


_init_lock = threading.Lock()
_sample_rate = 0  # set by the process's one espeak_Initialize


def _initialise(lib: ctypes.CDLL, data: bytes) -> int:
    """espeak_Initialize, once per process: initialising libespeak-ng again (a second show, a CLI command run
    from a test) leaves it pointing at freed state, and a later synthesis can crash in MakePhonemeList."""
    global _sample_rate
    with _init_lock:
        if not _sample_rate:
            _sample_rate = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, 0))
        return _sample_rate


class EspeakLibrary:
    """The loaded libespeak-ng: ``render(text, voice, rate) -> pcm`` (blocking; call via :meth:`arender`)."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise FatalError("espeakng-loader is not installed") from exc
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._lib.espeak_Initialize.restype = ctypes.c_int
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
            ctypes.c_void_p, ctypes.c_void_p,
        ]
        self.sample_rate = _initialise(self._lib, espeakng_loader.get_data_path().encode())
        if self.sample_rate <= 0:
            raise FatalError("espeak-ng failed to initialise")
        self._chunks: list[bytes] = []
        self._callback = _CALLBACK(self._on_samples)  # kept referenced: C holds the pointer
        self._lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="espeak")
        self._voice = b""

    def _on_samples(self, wav: ctypes._Pointer, n: int, _events: int) -> int:  # type: ignore[type-arg]
        if n > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, n * 2))
        return 0

    def render(self, text: str, voice: str, rate: int) -> bytes:
        with self._lock:
            if voice.encode() != self._voice:
                if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                    raise FatalError(f"espeak-ng has no voice '{voice}'")
                self._voice = voice.encode()
            self._lib.espeak_SetParameter(_ESPEAK_RATE, rate, 0)
            self._chunks = []
            raw = text.encode("utf-8") + b"\0"
            self._lib.espeak_Synth(raw, len(raw), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self._lib.espeak_Synchronize()
            return b"".join(self._chunks)

    async def arender(self, text: str, voice: str, rate: int) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.render, text, voice, rate)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


class EspeakSynthesizer:
    """Synthesizer over espeak-ng: one :class:`Audio` per incoming sentence, as soon as it arrives."""

    name = "espeak"

    def __init__(self, library: EspeakLibrary, voices: Mapping[str, str], rate_wpm: int = 175) -> None:
        self._lib = library
        self._voices = dict(voices)
        self._rate = rate_wpm

    def voice_for(self, language: str) -> str:
        return self._voices.get(language) or self._voices.get("en") or "en"

    async def say(self, text: str, language: str = "en") -> Audio:
        pcm = await self._lib.arender(text, self.voice_for(language), self._rate)
        rate = self._lib.sample_rate
        return Audio(pcm=pcm, sample_rate=rate, text=text, language=language, levels=envelope(pcm, rate))
