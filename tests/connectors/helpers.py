"""Helpers for connector tests: read events with a deadline, build settings with short intervals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, cast

import pytest

from agent.events import Event
from agent.settings import PlatformSettings
from connectors.platforms.source import PumpSource

FAST = {
    "backoff_initial_s": 0.02,
    "backoff_max_s": 0.1,
    "backoff_jitter": 0.5,
    "http_timeout_s": 2.0,
    "close_timeout_s": 0.2,
}


def make_settings(**kw: Any) -> PlatformSettings:
    return PlatformSettings(**{"enabled": True, **FAST, **kw})


async def take(source: PumpSource, n: int, within_s: float = 4.0) -> list[Event]:
    """The next ``n`` events, or fail after ``within_s`` seconds."""
    agen = cast(AsyncGenerator[Event, None], source.events())
    out: list[Event] = []
    try:
        async with asyncio.timeout(within_s):
            while len(out) < n:
                out.append(await anext(agen))
    finally:
        await agen.aclose()
    return out


async def nothing_more(source: PumpSource, wait: float = 0.15) -> None:
    """Assert no event arrives within ``wait`` seconds."""
    agen = cast(AsyncGenerator[Event, None], source.events())
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(wait):
                ev = await anext(agen)
                raise AssertionError(f"unexpected event {ev}")
    finally:
        await agen.aclose()


