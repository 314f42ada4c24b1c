"""Stopping background work: cancel a task and wait until it has really ended."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` and wait for it; its cancellation is swallowed, any other error it ends with is not."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
