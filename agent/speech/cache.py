"""Synthesized audio cached by (text, language): script lines are rendered ahead of time, once."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from agent.audio import Audio
from agent.ports import SpeechEngine


class SpeechCache:
    def __init__(self, engine: SpeechEngine, size: int = 512) -> None:
        self._engine = engine
        self._size = size
        self._items: OrderedDict[tuple[str, str], Audio] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Task[Audio]] = {}

    async def get(self, text: str, language: str) -> Audio:
        key = (text, language)
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit
        task = self._pending.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._engine.say(text, language))
            self._pending[key] = task
        try:
            audio = await asyncio.shield(task)
        finally:
            if task.done():
                self._pending.pop(key, None)
        self._items[key] = audio
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return audio

    def prefetch(self, text: str, language: str) -> None:
        """Start synthesizing a line that will be needed soon."""
        key = (text, language)
        if key not in self._items and key not in self._pending:
            self._pending[key] = asyncio.get_running_loop().create_task(self._engine.say(text, language))

    async def aclose(self) -> None:
        for task in self._pending.values():
            task.cancel()
        for task in list(self._pending.values()):
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                pass
        self._pending.clear()
