"""Stopping a show the way a shop expects (``livehost run`` and ``demo``).

On air, SIGTERM (systemd, ``docker stop``, a supervisor) is a graceful stop: the host finishes the sentence it
is saying, says the closing line (phrases.toml ``closing``, in the language of the script line on air), and the
show ends as it does when its duration is up: the on-air record closed, the summary printed, exit status 0.
A graceful stop that takes longer than ``GRACE_S`` (a closing line that will not synthesize), or a second
SIGTERM, cuts at once.

Before the show is on air (indexing the catalog, starting the embedded LLM, warming it up, building the show),
SIGTERM or Ctrl-C stops at once: the task is cancelled and every context manager takes down what it started,
the embedded LLM server included; :meth:`Stopper.stopped` turns that cancellation into a plain return, so the
command exits 0 without a traceback. Ctrl-C on air also stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from functools import partial
from typing import Any

from agent.director.utterance import Kind, Utterance, from_texts
from agent.ports import Clock
from agent.show import Show
from agent.speech.stream import synthesize

log = logging.getLogger(__name__)

GRACE_S = 30.0  # the most a graceful stop may take: the sentence playing, then the closing line


class Stopper:
    """SIGTERM for one running show command; use as a context manager around the command's body."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._task = asyncio.current_task()
        self._show: Show | None = None
        self._closing: Any = None
        self._watchdog: asyncio.Future[None] | None = None
        self.graceful = False  # a graceful stop was asked for
        self.installed = False

    def __enter__(self) -> Stopper:
        if self._task is not None:
            try:
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.sigterm)
                self.installed = True
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
                pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
            self.installed = False
        if self._watchdog is not None:
            self._watchdog.cancel()

    def on_air(self, show: Show, closing: Any) -> None:
        """From now on SIGTERM ends ``show`` gracefully; ``closing(language)`` is the closing line's text."""
        self._show, self._closing = show, closing

    def sigterm(self) -> None:
        show = self._show
        if show is None or self.graceful:
            if self._task is not None and not self._task.cancelling():  # a stop already under way goes on
                log.info("stop requested; stopping at once")
                self._task.cancel()
            return
        self.graceful = True
        line = show.director.cursor.current()
        language = line.language if line is not None else "en"
        text = self._closing(language) if self._closing is not None else ""
        log.info("stop requested; finishing the sentence, then the closing line", extra={"language": language})
        closing = Utterance(Kind.SAY_NOW, from_texts([text]), partial(synthesize, show.speech),
                            language=language) if text else None
        show.director.finish(closing)
        self._watchdog = asyncio.ensure_future(self._cut_after(show))

    async def _cut_after(self, show: Show) -> None:
        await self._clock.sleep(GRACE_S)
        log.warning("graceful stop took too long; cutting", extra={"grace_s": GRACE_S})
        show.director.stop()

    def stopped(self) -> bool:
        """Call in ``except asyncio.CancelledError``: True (and the cancellation is taken back) when the
        command was stopped (SIGTERM, Ctrl-C) and should return quietly; False when its caller is being
        cancelled and the error must propagate."""
        task = self._task
        if task is None:
            return False
        task.uncancel()
        return task.cancelling() == 0
