"""What the local voice-clone servers share: a real HTTP server on 127.0.0.1 that speaks a tone for the text,
streamed the way the real server streams it, and the ways a real one fails, switchable at any time:

- ``mode = "ok"``: answers at once (``first_chunk_delay_s`` holds the first chunk back: a slow server);
- ``"hang"``: takes the request and never answers (until the server stops);
- ``"error"``: HTTP 500 with a JSON message;
- ``"silence"``: HTTP 200 with a second of zeros (GPT-SoVITS's answer when its synthesis fails);
- down: :meth:`VoiceServer.stop` closes the port (connections are refused); :meth:`start` reopens the same one.

Each subclass adds its API's routes and request checks; every request is kept in ``received``.
"""

from __future__ import annotations

import asyncio
import io
import math
import time
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Self

import numpy as np
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute

from connectors.web.server import WebServer

Mode = Literal["ok", "hang", "error", "silence"]
SECONDS_PER_CHAR = 0.06
CHUNK_S = 0.2  # seconds of audio per streamed chunk


def tone(text: str, rate: int) -> bytes:
    """A 220 Hz tone as long as ``text`` would take to say (16-bit mono PCM)."""
    n = int(max(0.3, len(text) * SECONDS_PER_CHAR) * rate)
    t = np.arange(n) / rate
    return bytes((np.sin(2 * math.pi * 220 * t) * 8000).astype("<i2").tobytes())


def wav_header(rate: int) -> bytes:
    """A streamed WAV's header: written before any audio, so its data length says 0."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"")
    return buf.getvalue()


def wav_file(pcm: bytes, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


@dataclass
class VoiceServer:
    mode: Mode = "ok"
    first_chunk_delay_s: float = 0.0
    port: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    first_chunk_at: list[float] = field(default_factory=list)  # time.perf_counter() of each first chunk sent
    _server: WebServer | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        self._server = WebServer(Starlette(routes=self.routes()), "127.0.0.1", self.port)
        await self._server.start()
        self.port = self._server.port  # a restart comes back on the same port

    async def stop(self) -> None:
        """Down: hanging requests end, the port closes (new connections are refused)."""
        self._stopping.set()
        if self._server is not None:
            await self._server.aclose()
            self._server = None

    aclose = stop

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def failure(self) -> Response | None:
        """The answer the current mode gives instead of speech, if any (``"hang"`` waits until stopped)."""
        if self.mode == "hang":
            await self._stopping.wait()
            return Response(status_code=503)
        if self.mode == "error":
            return JSONResponse({"message": "tts failed", "Exception": "CUDA out of memory"}, status_code=500)
        return None

    def speech(self, text: str, rate: int) -> bytes:
        return b"\0\0" * rate if self.mode == "silence" else tone(text, rate)

    async def chunks(self, pcm: bytes, rate: int, header: bytes = b"") -> AsyncIterator[bytes]:
        """``header`` with the first chunk, then the rest, after ``first_chunk_delay_s`` (a model's first chunk)."""
        if self.first_chunk_delay_s:
            await asyncio.sleep(self.first_chunk_delay_s)
        step = int(CHUNK_S * rate) * 2
        for i in range(0, max(len(pcm), 1), step):
            if i == 0:
                self.first_chunk_at.append(time.perf_counter())
                yield header + pcm[:step]
            else:
                yield pcm[i:i + step]
            await asyncio.sleep(0)

    def stream(self, pcm: bytes, rate: int, media_type: str, header: bytes = b"",
               headers: dict[str, str] | None = None) -> StreamingResponse:
        return StreamingResponse(self.chunks(pcm, rate, header), media_type=media_type, headers=headers)
