"""The embedded LLM: llama-cpp-python's OpenAI-compatible server, started on 127.0.0.1, restarted if it dies
mid-show, and stopped on exit (also when the show is stopped while it is still starting)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from agent.errors import FatalError, RetryableError
from agent.ports import Clock
from agent.settings import EmbeddedLlmSettings
from agent.toolbox.backoff import Backoff, Session, retry_forever
from agent.toolbox.tasks import cancel_and_wait

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: SIGTERM when livehost dies, even by ``kill -9`` (Linux ``PR_SET_PDEATHSIG``),
    so a killed show never leaves its ~650 MB model server behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


class EmbeddedLlmServer:
    """Runs llama-cpp-python's server as a child process and waits until it answers ``/v1/models``.

    The child is ``python -m agent.llm.llama_server`` (``llama_cpp.server`` with a prompt cache that keeps
    several prompt prefixes, see there), with ``--logits_all false``: livehost asks for no logprobs, and
    computing the logits of every prompt token made reading a prompt ~1.4x slower on 2 cores; and with
    ``--interrupt_requests false``: by default a request arriving while a reply streams ends that stream
    early, as if the reply were complete (a warm-up on a product change cut replies mid-sentence).
    ``settings.command`` runs another server instead (llama.cpp's own, or a test stand-in).

    Supervised: once started, a watcher waits for the child's exit (killed, crashed, out of memory) and starts
    it again on the same port, so the OpenAI client's ``base_url`` stays valid, with ``backoff`` between tries
    (reset once a child is healthy). Each exit and restart is logged and counted (``restarts``, ``on_restart``).
    Meanwhile requests are refused at once and the reply writer says the sheet's own words instead.
    """

    def __init__(self, model_path: Path, settings: EmbeddedLlmSettings, clock: Clock, log_path: Path, *,
                 backoff: Backoff | None = None, on_restart: Callable[[], None] | None = None) -> None:
        self._model = model_path
        self._log_path = log_path
        self._s = settings
        self._clock = clock
        self._proc: asyncio.subprocess.Process | None = None
        self.port = settings.port or free_port(settings.host)
        self._backoff = backoff or Backoff(initial_s=settings.restart_backoff_s, max_s=settings.restart_backoff_max_s,
                                           jitter=0.0)
        self._on_restart = on_restart
        self._watcher: asyncio.Task[None] | None = None
        self._stopping = False
        self.restarts = 0

    @property
    def base_url(self) -> str:
        return f"http://{self._s.host}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        """The running child's process id (None when none runs)."""
        return self._proc.pid if self.running and self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def command(self) -> list[str]:
        if self._s.command:
            values = {"python": sys.executable, "model": str(self._model), "host": self._s.host, "port": str(self.port)}
            return [part.format(**values) for part in self._s.command]
        return [
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

    async def start(self) -> None:
        """Start the child, wait until it answers, then watch it. A child that will not start is fatal here;
        a stop (cancellation) while it starts leaves no child behind."""
        if await self._healthy():
            raise FatalError(f"port {self.port} is already in use; set llm.embedded.port to a free port or 0")
        self._stopping = False
        try:
            await self._launch("wb")
        except RetryableError as exc:
            raise FatalError(str(exc)) from None
        self._watcher = asyncio.ensure_future(self._supervise())

    async def _launch(self, log_mode: str = "ab") -> None:
        """One child, healthy; :class:`RetryableError` when it exits first or is not healthy in time (it is
        stopped then, as it is when this is cancelled)."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open(log_mode) as logf:  # the child keeps its own handle
            self._proc = await asyncio.create_subprocess_exec(
                *self.command(), stdout=asyncio.subprocess.DEVNULL, stderr=logf,
                preexec_fn=partial(_die_with_parent, os.getpid()) if sys.platform.startswith("linux") else None,
            )
        proc = self._proc
        try:
            deadline = self._clock.now() + self._s.start_timeout_s
            while self._clock.now() < deadline:
                if proc.returncode is not None:
                    err = self._log_path.read_text(errors="replace")[-800:]
                    raise RetryableError(f"embedded LLM server exited (log {self._log_path}): {err}")
                if await self._healthy():
                    log.info("embedded LLM ready", extra={"url": self.base_url, "pid": proc.pid})
                    return
                await self._clock.sleep(0.25)
            raise RetryableError(f"embedded LLM server not healthy after {self._s.start_timeout_s} s")
        except BaseException:
            await self._end_child()
            raise

    async def _supervise(self) -> None:
        """Wait for the child's exit; start it again (after backoff) until :meth:`stop`."""

        async def life(session: Session) -> bool:
            if not self.running:
                await self._launch()
                self.restarts += 1
                log.warning("embedded LLM server restarted", extra={"url": self.base_url, "restarts": self.restarts})
                if self._on_restart is not None:
                    self._on_restart()
            session.healthy()
            proc = self._proc
            assert proc is not None
            code = await proc.wait()
            if self._stopping:
                return False
            log.warning("embedded LLM server exited", extra={"returncode": code, "log": str(self._log_path)})
            return True

        await retry_forever(life, name="embedded", clock=self._clock, backoff=self._backoff,
                            retryable=(RetryableError, OSError), subject="llm",
                            message="embedded LLM server down; restarting it after backoff")

    async def _healthy(self) -> bool:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=1.0) as client:
                r = await client.get(f"{self.base_url}/models")
                return r.status_code == 200
        except httpx.HTTPError:
            return False

    async def stop(self) -> None:
        """Stop watching, then stop the child (SIGTERM, SIGKILL after 5 s)."""
        self._stopping = True
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            await cancel_and_wait(watcher)
        await self._end_child()

    async def _end_child(self) -> None:
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
