"""An utterance: something the host will say, produced (LLM, TTS) ahead of playback, cancellable.

The producer runs as a task that pulls text sentences, synthesizes each and queues the audio (a small
bound, so speech stays just ahead of playback). ``cancel()`` cancels that task, which closes the LLM stream
and stops the TTS behind it; ``spoken`` records only what was actually played.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import IntEnum

from agent.audio import Audio


class Kind(IntEnum):
    """Utterance kinds; the value is the priority (higher plays first)."""

    SCRIPT = 0
    BRIDGE = 5
    THANKS = 10
    REPLY = 20
    SAY_NOW = 30

    @property
    def label(self) -> str:
        return self.name.lower()


def _new_id() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


@dataclass(eq=False)
class Utterance:
    """See module docstring. ``comment`` is ``{"user", "text"}`` of the comment a reply answers (the first
    asker), ``comments`` every comment it answers; a reply not started by ``expires`` (show clock) is dropped."""

    kind: Kind
    text_source: AsyncIterable[str] | None
    synthesize: Callable[[AsyncIterable[str], str], AsyncIterator[Audio]] | None
    language: str = "en"
    comment: dict[str, str] | None = None
    comments: tuple[dict[str, str], ...] = ()
    expires: float | None = None
    created: float = 0.0
    received: float | None = None  # when the comment behind it arrived (for latency)
    product_id: str | None = None
    id: str = field(default_factory=_new_id)
    lookahead: int = 2
    spoken: list[str] = field(default_factory=list)
    interrupted: bool = False
    _queue: asyncio.Queue[Audio | None] = field(init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    error: BaseException | None = field(default=None, init=False)
    _queued_s: float = field(default=0.0, init=False)
    _ended: bool = field(default=False, init=False)  # the end marker is queued: nothing more will come
    playing: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    """Set when playback starts (or the utterance is dropped): the pipeline then prepares the next reply."""

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(maxsize=self.lookahead)

    @property
    def priority(self) -> int:
        return int(self.kind)

    def start(self) -> None:
        """Start producing audio now (called on submit, so the LLM works while the script still plays)."""
        if self._task is None and self.text_source is not None and self.synthesize is not None:
            self._task = asyncio.get_running_loop().create_task(self._produce(), name=f"utterance-{self.id}")

    async def _produce(self) -> None:
        assert self.text_source is not None and self.synthesize is not None
        try:
            async for audio in self.synthesize(self.text_source, self.language):
                await self._queue.put(audio)
                self._queued_s += audio.duration
        except asyncio.CancelledError:
            self._end_now()
            raise
        except Exception as exc:  # noqa: BLE001 - recorded; the director skips a failed utterance
            self.error = exc
        finally:
            if hasattr(self.text_source, "aclose"):
                await self.text_source.aclose()
        # After the last chunk (or a failure), behind what is queued: a reply that came out faster than it
        # plays (its LLM failed at once) keeps every sentence.
        self._ended = True
        await self._queue.put(None)

    def _end_now(self) -> None:
        """Cancelled: playback stopped pulling, so make room for the end marker."""
        while self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(None)
        self._ended = True

    def preload(self, audio: list[Audio]) -> None:
        """Queue already-synthesized audio (cached script lines); no producer task needed."""
        self._queue = asyncio.Queue(maxsize=len(audio) + 1)
        for a in audio:
            self._queue.put_nowait(a)
            self._queued_s += a.duration
        self._queue.put_nowait(None)
        self._ended = True

    def said_all(self) -> bool:
        """Every chunk was taken for playback and nothing more will come (only the end marker is left)."""
        return self._ended and self._queue.qsize() == 1

    def queued_seconds(self) -> float:
        """Seconds of audio produced and not yet played."""
        return self._queued_s

    async def next_audio(self) -> Audio | None:
        """The next chunk to play, or None when the utterance is finished."""
        if self._task is None and self.text_source is not None:
            self.start()
        audio = await self._queue.get()
        if audio is not None:
            self._queued_s = max(0.0, self._queued_s - audio.duration)
        return audio

    async def cancel(self) -> None:
        """Stop everything behind this utterance: the LLM stream, pending TTS and queued audio."""
        self.interrupted = True
        self.playing.set()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        while not self._queue.empty():
            self._queue.get_nowait()

    async def aclose(self) -> None:
        """Release the producer task (after normal completion too)."""
        self.playing.set()
        task, self._task = self._task, None
        if task is not None:
            if not task.done():
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


async def from_texts(texts: list[str]) -> AsyncIterator[str]:
    for t in texts:
        yield t
