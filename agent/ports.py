"""The small interfaces the core needs. Adapters implement them; the core never imports an adapter."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from agent.events import Event
from agent.knowledge.product import Product
from agent.speech.audio import Audio


@runtime_checkable
class EventSource(Protocol):
    """A platform connector (or a replayed log): yields normalized events until closed."""

    name: str

    def events(self) -> AsyncIterator[Event]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str


@runtime_checkable
class Llm(Protocol):
    """A chat model reached through the OpenAI API; streams text deltas. Cancelling the iterator stops it."""

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> AsyncIterator[str]: ...


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved product. ``score`` ranks (fused, 0..1); ``dense`` (cosine) and ``keyword`` (raw keyword
    score) say how well it matches on its own, which is what decides answer vs refusal; ``on_screen`` is
    set when the product was chosen because it is on screen ("how much is it?")."""

    product: Product
    score: float
    snippet: str = ""
    dense: float = 0.0
    keyword: float = 0.0
    on_screen: bool = False


@runtime_checkable
class Retriever(Protocol):
    """Finds the products a question is about; ``on_screen`` resolves "how much is it?"."""

    async def search(self, query: str, k: int = 3, on_screen: str | None = None) -> list[Hit]: ...

    def get(self, product_id: str) -> Product | None: ...


@runtime_checkable
class Synthesizer(Protocol):
    """Text in, audio out, sentence by sentence, as the text streams."""

    def synthesize(self, sentences: AsyncIterable[str], language: str = "en") -> AsyncIterator[Audio]: ...


Vector = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Unit-length text vectors, one space for every language. ``name`` keys stores and caches, so vectors of
    different models never mix. Passages are documents (product sheets); queries are what people type (a
    comment, a question, an exemplar phrase compared with them)."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> Vector: ...

    def embed_query(self, text: str) -> Vector: ...

    def embed_queries(self, texts: Sequence[str]) -> Vector: ...
