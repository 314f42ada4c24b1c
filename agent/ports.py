"""The small interfaces the core needs. Adapters implement them; the core never imports an adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from agent.audio import Audio
from agent.events import Event
from agent.product import Product
from agent.render import RenderEvent
from agent.verdict import Verdict


@runtime_checkable
class EventSource(Protocol):
    """A platform connector (or a replayed log): yields normalized events until closed."""

    name: str

    def events(self) -> AsyncIterator[Event]: ...

    async def aclose(self) -> None: ...


class LinkWatch(Protocol):
    """Told how a kept connection (a platform's) fares, by the retry loop (:mod:`agent.toolbox.backoff`):
    ``up`` once it is connected and reading, ``down`` each time it is lost or refused (a retry follows)."""

    def up(self) -> None: ...

    def down(self, error: str) -> None: ...


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
class SpeechEngine(Protocol):
    """One sentence in, one audio chunk out. Every engine (and every wrapper around engines) implements just
    this; :func:`agent.speech.stream.synthesize` is the one loop that speaks a text as it streams."""

    name: str

    async def say(self, text: str, language: str = "en") -> Audio: ...


@runtime_checkable
class Closes(Protocol):
    """A speech engine that holds a resource (a worker thread, a model) until it is closed."""

    def close(self) -> None: ...


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


# -- time --------------------------------------------------------------------------------------------------
@runtime_checkable
class Clock(Protocol):
    """Seconds on one monotonic time line, and a way to wait on it (see :mod:`agent.clock`)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


# -- triage, as the show meets it ----------------------------------------------------------------------------
class Decider(Protocol):
    """What to do with one event."""

    def decide(self, event: Event) -> Verdict: ...


class ReplyQueue(Protocol):
    """The questions waiting for an answer, best first."""

    def push(self, verdict: Verdict) -> object: ...

    async def get(self, max_age_s: float | None = None) -> Verdict: ...

    def waiting(self) -> list[Verdict]: ...

    def take(self, verdict: Verdict) -> bool: ...


class Thanks(Protocol):
    """Gifts, follows and likes, gathered into thanks."""

    def add(self, verdict: Verdict) -> None: ...

    async def next(self) -> Verdict: ...


# -- what moderators do to a running show --------------------------------------------------------------------
class ShowControls(Protocol):
    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def skip(self) -> None: ...

    def stop(self) -> None: ...

    def say_now(self, text: str, language: str | None = None) -> None: ...

    def status(self) -> dict[str, Any]: ...

    def set_approval(self, on: bool) -> None:
        """Approval mode on or off, live (replies then wait for a moderator)."""

    def approvals(self) -> list[dict[str, Any]]:
        """The replies waiting for a decision, oldest first."""

    def approve(self, review_id: str, who: str, text: str | None = None) -> dict[str, Any]:
        """Approve a waiting reply (``text``: an edit, checked like anything said); raises ApprovalError."""

    def reject(self, review_id: str, who: str) -> dict[str, Any]:
        """Drop a waiting reply unsaid."""


class OnAirLog(Protocol):
    """Where everything said goes, with why and when (the on-air record)."""

    def add(self, entry: Mapping[str, Any]) -> int: ...


class EventLog(Protocol):
    """Where every viewer event goes with its verdict, and then what became of it (the record's events)."""

    def add_show(self, name: str, language: str) -> None: ...

    def add_event(self, event: Mapping[str, Any]) -> int: ...

    def add_fate(self, seq: int, *, t: float, fate: str, reason: str, utterance_id: str | None = None,
                 detail: Mapping[str, Any] | None = None) -> None: ...

    def flush(self) -> None: ...


class Validator(Protocol):
    def __call__(self, path: Path, content: str) -> None:
        """Raise :class:`agent.errors.ConfigError` (with the reason) when ``content`` may not go live."""


# -- renderers ------------------------------------------------------------------------------------------------
@runtime_checkable
class Renderer(Protocol):
    """A sink for render events. It must not block the show: slow peers buffer or drop, never stall."""

    name: str

    async def start(self) -> None: ...

    async def send(self, event: RenderEvent) -> None: ...

    async def aclose(self) -> None: ...


class ShopWords(Protocol):
    """The shop's own wording, as the moderation lists consult it (agent.moderation.wording)."""

    def covers(self, han: str, start: int, end: int) -> bool: ...
