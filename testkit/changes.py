"""Waiting on a fake server's state: the fake calls ``notify()`` after each change, a test ``wait_for``s a
predicate with a deadline (instead of polling or sleeping)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Changes:
    def __init__(self) -> None:
        self._cond = asyncio.Condition()

    async def notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def wait_for(self, predicate: Callable[[], object], within_s: float = 4.0) -> None:
        """Until ``predicate()`` is true; ``TimeoutError`` after ``within_s`` seconds."""
        async with asyncio.timeout(within_s), self._cond:
            await self._cond.wait_for(predicate)
