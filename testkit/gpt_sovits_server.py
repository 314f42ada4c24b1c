"""A local stand-in for GPT-SoVITS's ``api_v2.py``: ``/tts`` by GET (query) or POST (JSON), as published.

Checks what the real one checks (``text``, ``text_lang``, ``ref_audio_path``, ``prompt_lang`` required; the
languages of a v2 model; ``media_type``; ``streaming_mode`` true/false or 0..3) and answers 400 with
``{"message"}`` otherwise. Streamed answers are a WAV header whose data length is 0, then bare PCM; others a
whole WAV file; ``media_type = "raw"`` bare PCM. The rate is 32000 Hz, the v2 models'. Failure modes: see
:mod:`testkit.voice_server`; ``"silence"`` is the real server's answer to an internal error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from testkit.voice_server import VoiceServer, wav_file, wav_header

LANGUAGES = {"zh", "en", "ja", "ko", "yue", "auto", "auto_yue", "all_zh", "all_ja", "all_ko", "all_yue"}
RATE = 32000


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=400)


@dataclass
class FakeGptSovits(VoiceServer):
    rate: int = RATE

    def routes(self) -> list[BaseRoute]:
        return [Route("/tts", self._tts, methods=["GET", "POST"])]

    async def _tts(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                req: dict[str, Any] = json.loads(await request.body())
            except ValueError:
                return JSONResponse({"detail": "invalid JSON"}, status_code=422)
        else:
            req = dict(request.query_params)
            if "streaming_mode" in req:
                req["streaming_mode"] = {"true": True, "false": False}.get(req["streaming_mode"].lower(),
                                                                          req["streaming_mode"])
        self.received.append({"method": request.method, **req})
        problem = _check(req)
        if problem is not None:
            return problem
        failed = await self.failure()
        if failed is not None:
            return failed
        mode = req.get("streaming_mode", False)
        if isinstance(mode, str) and mode.isdigit():
            mode = int(mode)
        if mode not in (False, True, 0, 1, 2, 3):
            return _bad("the value of streaming_mode must be 0, 1, 2, 3(int) or true/false(bool)")
        media = req.get("media_type", "wav")
        pcm = self.speech(str(req["text"]), self.rate)
        if mode:  # streamed: the header once (data length 0), then bare PCM
            header = wav_header(self.rate) if media == "wav" else b""
            return self.stream(pcm, self.rate, f"audio/{media}", header)
        body = wav_file(pcm, self.rate) if media == "wav" else pcm
        return Response(body, media_type=f"audio/{media}")


def _check(req: dict[str, Any]) -> JSONResponse | None:
    for key in ("ref_audio_path", "text", "text_lang", "prompt_lang"):
        if not req.get(key):
            return _bad(f"{key} is required")
    for key in ("text_lang", "prompt_lang"):
        if str(req[key]).lower() not in LANGUAGES:
            return _bad(f"{key}: {req[key]} is not supported in version v2")
    if req.get("media_type", "wav") not in ("wav", "raw", "ogg", "aac"):
        return _bad(f"media_type: {req['media_type']} is not supported")
    if req.get("media_type", "wav") in ("ogg", "aac"):
        return _bad("this stand-in speaks wav and raw only")
    return None
