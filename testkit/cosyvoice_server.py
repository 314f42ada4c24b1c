"""A local stand-in for CosyVoice's ``runtime/python/fastapi/server.py``: ``/inference_sft``,
``/inference_zero_shot``, ``/inference_cross_lingual``, ``/inference_instruct``, ``/inference_instruct2`` by
GET or POST with form fields (the reference recording uploaded as ``prompt_wav``), as published.

A missing field is answered 422 like FastAPI's validation; an unknown ``spk_id`` 500. The answer is bare 16-bit
PCM, no header, at the model's rate (``rate``: 22050 for CosyVoice-300M, 24000 for CosyVoice2/3), streamed.
Failure modes: see :mod:`testkit.voice_server`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from testkit.voice_server import VoiceServer

FIELDS = {
    "sft": ("tts_text", "spk_id"),
    "zero_shot": ("tts_text", "prompt_text", "prompt_wav"),
    "cross_lingual": ("tts_text", "prompt_wav"),
    "instruct": ("tts_text", "spk_id", "instruct_text"),
    "instruct2": ("tts_text", "instruct_text", "prompt_wav"),
}


@dataclass
class FakeCosyVoice(VoiceServer):
    rate: int = 22050
    speakers: tuple[str, ...] = ("中文女", "中文男", "英文女", "英文男", "日语男", "粤语女", "韩语女")
    endpoints: list[str] = field(default_factory=list)

    def routes(self) -> list[BaseRoute]:
        return [Route(f"/inference_{mode}", self._handler(mode), methods=["GET", "POST"]) for mode in FIELDS]

    def _handler(self, mode: str) -> Any:
        async def handle(request: Request) -> Response:
            return await self._inference(mode, request)

        return handle

    async def _inference(self, mode: str, request: Request) -> Response:
        form = await request.form()
        got: dict[str, Any] = {"endpoint": mode}
        for key, value in form.multi_items():
            got[key] = (await value.read()) if isinstance(value, UploadFile) else value
        await form.close()
        self.received.append(got)
        missing = [name for name in FIELDS[mode] if not got.get(name)]
        if missing:
            return JSONResponse({"detail": [{"type": "missing", "loc": ["body", name], "msg": "Field required"}
                                            for name in missing]}, status_code=422)
        if "prompt_wav" in FIELDS[mode] and not bytes(got["prompt_wav"]).startswith(b"RIFF"):
            return JSONResponse({"detail": "prompt_wav is not a WAV file"}, status_code=500)
        if "spk_id" in FIELDS[mode] and got["spk_id"] not in self.speakers:
            return JSONResponse({"detail": f"unknown speaker {got['spk_id']}"}, status_code=500)
        failed = await self.failure()
        if failed is not None:
            return failed
        return self.stream(self.speech(str(got["tts_text"]), self.rate), self.rate, "application/octet-stream")
