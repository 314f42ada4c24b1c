"""A scripted OpenAI-compatible chat server: a real HTTP server on 127.0.0.1 that streams chosen tokens.

Each request takes the next :class:`Script` (or, with none queued, what ``responder`` makes of the request,
else the default; warm-ups asking for one token always get the default): its tokens, a first-token delay, a delay
between tokens, or an HTTP error. It records every request and whether the client hung up mid-stream, so
tests can prove that an interrupt really stops generation.

Faults a show must survive: ``status`` (an HTTP error), ``first_token_delay`` (slow; hours: it hangs),
``garbage`` (a stream that is not JSON), ``drop_after`` (the connection is cut after that many tokens), and
:meth:`ScriptedLlmServer.stop` (the port refuses connections). Run as ``python -m testkit.scripted_llm --port N``
it stands in for the embedded llama.cpp server (``llm.embedded.command``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Script:
    tokens: list[str] = field(default_factory=lambda: ["Hello", "!"])
    first_token_delay: float = 0.0
    token_delay: float = 0.0
    status: int = 200
    garbage: bool = False  # the stream is not SSE JSON
    drop_after: int | None = None  # cut the connection after this many tokens (no end of stream)


class Dropped(Exception):
    """Raised inside a streaming response: the server closes the connection without ending the body."""


@dataclass
class Record:
    body: dict[str, Any]
    tokens_sent: int = 0
    finished: bool = False
    disconnected: bool = False


class ScriptedLlmServer:
    def __init__(self, default: Script | None = None,
                 responder: Callable[[dict[str, Any]], Script | None] | None = None, *, port: int = 0,
                 warm_up: Script | None = None) -> None:
        self.default = default or Script()
        self.warm_up = warm_up or self.default  # what warm-ups (max_tokens 1) get
        self.responder = responder
        self.scripts: deque[Script] = deque()
        self.records: list[Record] = []
        self.port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *scripts: Script) -> None:
        self.scripts.extend(scripts)

    def say(self, text: str, **kw: Any) -> None:
        """Queue a reply streamed word by word (spaces kept)."""
        words = text.split(" ")
        self.push(Script([w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)], **kw))

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "scripted", "object": "model"}]})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        # prompt-cache warm-ups (max_tokens 1) get the default and leave the scripted replies for real questions
        warm_up = body.get("max_tokens") == 1
        script = self.warm_up
        if not warm_up:
            made = self.responder(body) if self.responder is not None and not self.scripts else None
            script = self.scripts.popleft() if self.scripts else (made or self.default)
        record = Record(body)
        self.records.append(record)
        if script.status != 200:
            return JSONResponse({"error": {"message": "scripted failure", "type": "server_error"}},
                                status_code=script.status)

        async def events() -> AsyncIterator[bytes]:
            try:
                if script.first_token_delay:
                    await asyncio.sleep(script.first_token_delay)
                if script.garbage:
                    yield b"data: {this is not json\n\ndata: [DONE]\n\n"
                    record.finished = True
                    return
                for i, tok in enumerate(script.tokens):
                    if i and script.token_delay:
                        await asyncio.sleep(script.token_delay)
                    if script.drop_after is not None and i >= script.drop_after:
                        record.disconnected = True
                        raise Dropped("scripted drop mid-stream")
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                             "choices": [{"index": 0, "delta": {"content": tok}, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n".encode()
                    record.tokens_sent += 1
                end = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                       "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                yield f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode()
                record.finished = True
            except (asyncio.CancelledError, GeneratorExit):
                record.disconnected = True
                raise

        return StreamingResponse(events(), media_type="text/event-stream")

    async def start(self, host: str = "127.0.0.1") -> None:
        if not self.port:
            with socket.socket() as s:
                s.bind((host, 0))
                self.port = s.getsockname()[1]
        app = Starlette(routes=[Route("/v1/models", self._models), Route("/v1/chat/completions", self._chat,
                                                                          methods=["POST"])])
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.ensure_future(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await self._task


async def _serve(args: argparse.Namespace) -> None:
    if args.start_delay:
        await asyncio.sleep(args.start_delay)  # a model that takes a while to load
    words = args.reply.split(" ")
    reply = Script([w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)])
    server = ScriptedLlmServer(reply, port=args.port, warm_up=Script(["Hi"], first_token_delay=args.warm_up_delay))
    await server.start(args.host)
    assert server._task is not None
    await server._task


def main() -> None:
    """A stand-in for the embedded LLM server, for tests: ``--port`` is required, like llama.cpp's."""
    parser = argparse.ArgumentParser(description="scripted OpenAI-compatible server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reply", default="Hello!", help="what every chat completion streams")
    parser.add_argument("--start-delay", type=float, default=0.0, help="seconds before it listens")
    parser.add_argument("--warm-up-delay", type=float, default=0.0, help="seconds before a warm-up's token")
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
