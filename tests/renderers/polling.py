"""Wait, in real time, for a condition that another task or a socket makes true."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable


async def until(cond: Callable[[], bool], limit_s: float = 3.0, step_s: float = 0.01) -> None:
    async with asyncio.timeout(limit_s):
        for _ in itertools.count():
            if cond():
                return
            await asyncio.sleep(step_s)
