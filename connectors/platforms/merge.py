"""Several connectors feeding one show: interleave their events as they arrive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence

from agent.events import Event
from agent.ports import EventSource


async def merge_sources(sources: Sequence[EventSource], *, queue_size: int = 1000) -> AsyncGenerator[Event, None]:
    """Yield events from every source in arrival order; ends when all sources end.

    Each event already names its platform and room. A source that fails ends alone; its error is raised
    once the others have ended, so one broken platform does not silence the rest of the show. Closing the
    iterator cancels the readers and closes every source.
    """
    queue: asyncio.Queue[Event | None] = asyncio.Queue(queue_size)
    errors: list[BaseException] = []

    async def pump(src: EventSource) -> None:
        try:
            async for ev in src.events():
                await queue.put(ev)
        except Exception as exc:
            errors.append(exc)
        finally:
            await queue.put(None)

    tasks = [asyncio.create_task(pump(s), name=f"merge:{s.name}") for s in sources]
    live = len(tasks)
    try:
        while live:
            item = await queue.get()
            if item is None:
                live -= 1
                continue
            yield item
        if errors:
            raise errors[0]
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for s in sources:
            await s.aclose()
