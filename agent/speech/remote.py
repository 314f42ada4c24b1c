"""What the voice-clone engines share: one streamed HTTP request per sentence, timed on the show's clock.

The first audio must come within ``first_audio_s`` and the whole sentence within ``timeout_s``; a refused
connection, an HTTP error, a hang, an answer that is not audio, or silence for a sentence that has words all
raise :class:`RetryableError`, so that the wrapper around the engine lets the local voice say the sentence.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import httpx

from agent.audio import Audio
from agent.clock import timeout
from agent.errors import ConfigError, RetryableError
from agent.ports import Clock
from agent.speech.pcm import PcmReader, WavReader, is_silent, levels

Send = Callable[[httpx.AsyncClient], AbstractAsyncContextManager[httpx.Response]]
_ERROR_BODY = 300  # characters of an error answer kept for the message


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One context for every request: building one costs tens of milliseconds, more than a local first audio."""
    return httpx.create_ssl_context()


@dataclass(frozen=True, slots=True)
class Limits:
    first_audio_s: float
    timeout_s: float


async def fetch(clock: Clock, limits: Limits, send: Send, reader: WavReader | PcmReader, server: str) -> bytes:
    """The sentence's 16-bit mono PCM, read through ``reader`` from the answer ``send`` opens."""
    started = clock.now()
    pcm = bytearray()
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(httpx.AsyncClient(verify=ssl_context(), timeout=None))
            async with timeout(clock, limits.first_audio_s):
                response = await stack.enter_async_context(send(client))
                await _check(response, server)
                chunks = response.aiter_bytes()
                while not pcm:
                    piece = await anext(chunks, None)
                    if piece is None:
                        break
                    pcm.extend(reader.feed(piece))
            async with timeout(clock, max(0.0, limits.timeout_s - (clock.now() - started))):
                async for piece in chunks:
                    pcm.extend(reader.feed(piece))
    except TimeoutError as exc:
        what, limit = ("no audio", limits.first_audio_s) if not pcm else ("no whole sentence", limits.timeout_s)
        raise RetryableError(f"{server}: {what} within {limit:g} s") from exc
    except httpx.HTTPError as exc:
        raise RetryableError(f"{server} unreachable: {type(exc).__name__}: {exc}") from exc
    return bytes(pcm)


async def _check(response: httpx.Response, server: str) -> None:
    if response.status_code == 200:
        return
    body = (await response.aread()).decode("utf-8", "replace")[:_ERROR_BODY]
    raise RetryableError(f"{server} answered HTTP {response.status_code}: {body}")


def audio(pcm: bytes, sample_rate: int, text: str, language: str, server: str) -> Audio:
    """The sentence as an :class:`Audio`; silence for words is the server failing (GPT-SoVITS answers an
    internal error with HTTP 200 and a second of zeros)."""
    if text.strip() and is_silent(pcm):
        raise RetryableError(f"{server} sent silence for a sentence with words")
    return Audio(pcm=pcm, sample_rate=sample_rate, text=text, language=language, levels=levels(pcm, sample_rate))


def read_file(path: str, key: str, root: Path) -> bytes:
    """A reference recording livehost sends to the server; ``key`` names the setting in the message."""
    p = Path(path).expanduser()
    p = p if p.is_absolute() else root / p
    try:
        return p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read '{p}': {exc.strerror or exc}") from exc
