"""The embedded LLM: llama-cpp-python's OpenAI-compatible server, started on 127.0.0.1 and stopped on exit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from pathlib import Path

from agent.errors import FatalError
from agent.ports import Clock
from agent.settings import EmbeddedLlmSettings

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class EmbeddedLlmServer:
    """Runs llama-cpp-python's server as a child process and waits until it answers ``/v1/models``.

    The child is ``python -m agent.llm.llama_server`` (``llama_cpp.server`` with a prompt cache that keeps
    several prompt prefixes, see there), with ``--logits_all false``: livehost asks for no logprobs, and
    computing the logits of every prompt token made reading a prompt ~1.4x slower on 2 cores; and with
    ``--interrupt_requests false``: by default a request arriving while a reply streams ends that stream
    early, as if the reply were complete (a warm-up on a product change cut replies mid-sentence).
    """

    def __init__(self, model_path: Path, settings: EmbeddedLlmSettings, clock: Clock, log_path: Path) -> None:
        self._model = model_path
        self._log_path = log_path
        self._s = settings
        self._clock = clock
        self._proc: asyncio.subprocess.Process | None = None
        self.port = settings.port or free_port(settings.host)

    @property
    def base_url(self) -> str:
        return f"http://{self._s.host}:{self.port}/v1"

    async def start(self) -> None:
        if await self._healthy():
            raise FatalError(f"port {self.port} is already in use; set llm.embedded.port to a free port or 0")
        cmd = [
            sys.executable, "-m", "agent.llm.llama_server",
            "--model", str(self._model),
            "--host", self._s.host, "--port", str(self.port),
            "--n_ctx", str(self._s.n_ctx),
            "--n_threads", str(self._s.n_threads),
            "--n_threads_batch", str(self._s.n_threads_batch),
            "--logits_all", "False",
            "--interrupt_requests", "False",  # else a warm-up arriving mid-reply ends that reply's stream
            "--cache", str(self._s.prompt_cache_mb > 0),
            "--cache_size", str(self._s.prompt_cache_mb << 20),
            "--verbose", "False",
        ]
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("wb") as logf:  # the child keeps its own handle
            self._proc = await asyncio.create_subprocess_exec(
                *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=logf
            )
        deadline = self._clock.now() + self._s.start_timeout_s
        while self._clock.now() < deadline:
            if self._proc.returncode is not None:
                err = self._log_path.read_text(errors="replace")[-800:]
                raise FatalError(f"embedded LLM server exited (log {self._log_path}): {err}")
            if await self._healthy():
                log.info("embedded LLM ready", extra={"url": self.base_url})
                return
            await self._clock.sleep(0.25)
        await self.stop()
        raise FatalError(f"embedded LLM server not healthy after {self._s.start_timeout_s} s")

    async def _healthy(self) -> bool:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=1.0) as client:
                r = await client.get(f"{self.base_url}/models")
                return r.status_code == 200
        except httpx.HTTPError:
            return False

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            async with asyncio.timeout(5):  # a child process exits in real time, whatever the show's clock
                await proc.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
