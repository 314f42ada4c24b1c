"""The shape every connector shares: a background task fills a bounded queue, ``events()`` drains it.

Running the connection in its own task (instead of inside the ``events()`` generator) means heartbeats keep
going while the consumer is busy, and ``aclose()`` can stop everything from any task without leaking.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Final

from agent.events import Event
from agent.ports import Clock
from agent.toolbox.dedup import Deduper
from agent.toolbox.link import Link
from agent.toolbox.tasks import cancel_and_wait
from connectors.platforms.options import SourceOptions
from connectors.platforms.reconnect import backoff_of

log = logging.getLogger(__name__)


class _End:
    pass


_END: Final = _End()


class PumpSource(abc.ABC):
    """Base of the connectors: de-duplicates by :attr:`Event.key` and ends the stream when ``_run`` ends.

    ``options`` is the connector's typed ``[platforms.NAME]`` table; subclasses narrow its type. ``link`` is
    the connection's state for the health check; connectors hand it to ``reconnect_forever`` as its watch."""

    def __init__(
        self,
        name: str,
        options: SourceOptions,
        clock: Clock,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.options = options
        self.clock = clock
        self.room = options.room
        self.rng = rng if rng is not None else random.Random()
        self.backoff = backoff_of(options)
        self._dedupe = Deduper(options.dedupe_size)
        self._queue: asyncio.Queue[Event | _End] = asyncio.Queue(options.queue_size)
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._closed = False
        self.link = Link(clock)

    @abc.abstractmethod
    async def _run(self) -> None:
        """Connect, read, reconnect; call :meth:`_emit` for each event. Returning ends the stream."""

    async def _cleanup(self) -> None:  # noqa: B027 - optional hook
        """Release what ``_run`` could not (an HTTP client, a platform task). Called once by ``aclose``."""

    def start(self) -> None:
        """Start connecting now (``events()`` starts it too); ingress sources use it to bind their port early."""
        if self._task is None and not self._closed:
            self._task = asyncio.create_task(self._main(), name=f"connector:{self.name}")

    async def _main(self) -> None:
        try:
            await self._run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # handed to the consumer of events()
            self._error = exc
        finally:
            self.link.end(type(self._error).__name__ if self._error is not None else "")
            self._finish()

    def _finish(self) -> None:
        while self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)

    def _fresh(self, event: Event) -> bool:
        return not (event.message_id and self._dedupe.seen(event.key))

    async def _emit(self, event: Event) -> None:
        """Queue an event, waiting when the consumer is behind (backpressure onto the socket)."""
        if self._fresh(event):
            self.link.heard()
            await self._queue.put(event)

    def _offer(self, event: Event) -> bool:
        """Queue an event without waiting (ingress servers must answer fast); False when dropped."""
        if not self._fresh(event):
            return True
        self.link.heard()
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("event queue full; dropping event", extra={"platform": self.name, "kind": event.kind})
            return False
        return True

    async def events(self) -> AsyncIterator[Event]:
        self.start()
        while True:
            item = await self._queue.get()
            if isinstance(item, _End):
                self._queue.put_nowait(item)  # later readers end too
                if self._error is not None:
                    raise self._error
                return
            yield item

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)
        try:
            await self._cleanup()
        finally:
            if task is None:
                self._finish()
