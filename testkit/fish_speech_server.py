"""A local stand-in for Fish-Speech's API server: ``POST /v1/tts`` (MessagePack or JSON) and ``/v1/health``,
as published.

The body is read by its content type (``application/msgpack`` or ``application/json``, else 415); ``text`` is
required, ``format`` one of wav/pcm/mp3/opus, and streaming only with wav (else 400). ``references`` carry
their audio as bytes (MessagePack) or base64 (JSON); a ``reference_id`` must be one the server holds. With
``api_key`` set, requests need ``Authorization: Bearer <key>`` (else 401). Streamed answers are a WAV header
whose data length is 0, then bare PCM; others a whole WAV file; 44100 Hz. Failure modes: see
:mod:`testkit.voice_server`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

import msgpack
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from testkit.voice_server import VoiceServer, wav_file, wav_header


@dataclass
class FakeFishSpeech(VoiceServer):
    rate: int = 44100
    api_key: str | None = None
    reference_ids: tuple[str, ...] = ("mia",)

    def routes(self) -> list[BaseRoute]:
        return [Route("/v1/health", self._health, methods=["GET", "POST"]),
                Route("/v1/tts", self._tts, methods=["POST"])]

    def _unauthorized(self, request: Request) -> JSONResponse | None:
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return JSONResponse({"detail": "Invalid token"}, status_code=401)
        return None

    async def _health(self, request: Request) -> Response:
        return self._unauthorized(request) or JSONResponse({"status": "ok"})

    async def _tts(self, request: Request) -> Response:
        denied = self._unauthorized(request)
        if denied is not None:
            return denied
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        raw = await request.body()
        try:
            if kind == "application/msgpack":
                req: dict[str, Any] = msgpack.unpackb(raw, raw=False)
            elif kind == "application/json":
                req = json.loads(raw)
            else:
                return Response(status_code=415, headers={"Accept": "application/msgpack, application/json"})
        except (ValueError, msgpack.UnpackException):
            return JSONResponse({"detail": "the body does not decode"}, status_code=400)
        self.received.append({"content_type": kind, **req})
        problem = self._check(req)
        if problem is not None:
            return problem
        failed = await self.failure()
        if failed is not None:
            return failed
        pcm = self.speech(str(req["text"]), self.rate)
        if req.get("streaming"):
            return self.stream(pcm, self.rate, "audio/wav", wav_header(self.rate),
                               headers={"Content-Disposition": "attachment; filename=audio.wav"})
        return Response(wav_file(pcm, self.rate), media_type="audio/wav")

    def _check(self, req: dict[str, Any]) -> JSONResponse | None:
        if not isinstance(req.get("text"), str):
            return JSONResponse({"detail": "text: Field required"}, status_code=422)
        fmt = req.get("format", "wav")
        if fmt not in ("wav", "pcm", "mp3", "opus"):
            return JSONResponse({"detail": f"format: {fmt} is not one of wav, pcm, mp3, opus"}, status_code=422)
        if req.get("streaming") and fmt != "wav":
            return JSONResponse({"detail": "Streaming only supports WAV format"}, status_code=400)
        if fmt != "wav":
            return JSONResponse({"detail": "this stand-in speaks wav only"}, status_code=400)
        for ref in req.get("references") or []:
            audio = ref.get("audio")
            if isinstance(audio, str):  # JSON: base64
                try:
                    audio = ref["audio"] = base64.b64decode(audio, validate=True)
                except (binascii.Error, ValueError):
                    return JSONResponse({"detail": "references.audio is not base64"}, status_code=422)
            if not isinstance(audio, bytes) or not audio.startswith(b"RIFF") or not isinstance(ref.get("text"), str):
                return JSONResponse({"detail": "references: each needs audio (a recording) and text"},
                                    status_code=422)
        ref_id = req.get("reference_id")
        if ref_id and ref_id not in self.reference_ids:
            return JSONResponse({"detail": f"reference {ref_id} not found"}, status_code=500)
        return None
