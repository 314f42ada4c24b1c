"""Rehearsals on virtual time: wrappers that mark real work (the LLM, retrieval, speech) as busy, so the
virtual clock does not jump ahead while it runs and the latencies a rehearsal reports are a live show's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from agent.audio import Audio
from agent.clock import VirtualClock
from agent.ports import ChatMessage, Closes, Hit, Llm, Retriever, SpeechEngine
from agent.product import Product


class BusyLlm:
    """Marks each wait for the next token as busy work."""

    def __init__(self, inner: Llm, clock: VirtualClock) -> None:
        self._inner = inner
        self._clock = clock

    async def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> AsyncIterator[str]:
        it = aiter(self._inner.stream(messages, max_tokens=max_tokens))
        try:
            while True:
                with self._clock.working():
                    try:
                        tok = await anext(it)
                    except StopAsyncIteration:
                        return
                yield tok
        finally:
            await it.aclose()  # type: ignore[attr-defined]


class BusyRetriever:
    def __init__(self, inner: Retriever, clock: VirtualClock) -> None:
        self._inner = inner
        self._clock = clock

    async def search(self, query: str, k: int = 3, on_screen: str | None = None) -> list[Hit]:
        with self._clock.working():
            return await self._inner.search(query, k, on_screen)

    def get(self, product_id: str) -> Product | None:
        return self._inner.get(product_id)

    def products(self) -> tuple[Product, ...]:
        return self._inner.products()  # type: ignore[attr-defined, no-any-return]


class BusySpeech:
    def __init__(self, inner: SpeechEngine, clock: VirtualClock) -> None:
        self._inner = inner
        self._clock = clock
        self.name = inner.name

    async def say(self, text: str, language: str = "en") -> Audio:
        with self._clock.working():
            return await self._inner.say(text, language)

    def close(self) -> None:
        """Release what the engine holds (Piper's worker thread)."""
        if isinstance(self._inner, Closes):
            self._inner.close()
