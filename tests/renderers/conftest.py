"""Every renderer test must leave no task behind once its renderer and fake server are closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio


@pytest_asyncio.fixture(autouse=True)
async def no_leaked_tasks() -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    await asyncio.sleep(0)
    leaked = {t for t in asyncio.all_tasks() - before - {asyncio.current_task()} if not t.done()}
    assert not leaked, f"leaked tasks: {leaked}"
