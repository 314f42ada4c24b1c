"""Approval mode: replies wait for a moderator before they go on air.

A reply is written in full (facts, guards), then waits here with the comment it answers and the facts behind
it. A moderator approves it, edits it (the edit passes the same output check as anything the host says) or
rejects it; one nobody decides on within ``expire_s`` is dropped, never spoken late. The script keeps playing
meanwhile: nothing waits in the director. Switchable live; switching off approves nothing by itself, the
replies already waiting still need a decision (or expire).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from agent.clock import timeout
from agent.errors import LivehostError
from agent.ports import Clock
from agent.product import Product
from agent.verdict import Verdict

log = logging.getLogger(__name__)

Action = Literal["approve", "edit", "reject", "expired"]
MAX_EDIT = 500


class ApprovalError(LivehostError):
    """A decision the queue refuses: ``status`` 404 (no such reply, or already decided) or 422 (the edit)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Review:
    """A reply waiting for a decision. ``created``/``expires`` are on the show clock."""

    id: str
    text: str
    language: str
    comment: dict[str, str] | None
    comments: tuple[dict[str, str], ...] = ()
    product_id: str | None = None
    product_title: str | None = None
    facts: tuple[str, ...] = ()
    source: str = ""
    created: float = 0.0
    expires: float = 0.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["comments"] = list(self.comments)
        d["facts"] = list(self.facts)
        return d


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    text: str
    who: str = ""
    at: float = 0.0

    @property
    def on_air(self) -> bool:
        return self.action in ("approve", "edit")

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "who": self.who, "at": round(self.at, 3)}


@dataclass
class _Waiting:
    review: Review
    decided: asyncio.Future[Decision] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Approvals:
    """The queue of replies waiting for a moderator (see the module docstring).

    ``check(text)`` is the output check every spoken sentence passes (banned topics, absolute claims): it
    returns the reason an edit may not be said, or None.
    """

    def __init__(self, clock: Clock, *, enabled: bool = False, expire_s: float = 60.0, max_waiting: int = 8,
                 check: Callable[[str], str | None] | None = None,
                 decided: Callable[[Review, Decision], None] | None = None) -> None:
        """``decided``: an observer of each decision (the record of what became of each question)."""
        self._clock = clock
        self._decided = decided
        self.enabled = enabled
        self.expire_s = expire_s
        self._max = max(1, max_waiting)
        self._check = check
        self._waiting: dict[str, _Waiting] = {}
        self._room = asyncio.Event()
        self._room.set()
        self._seq = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self.counts: dict[str, int] = {}

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        log.info("approval mode switched", extra={"enabled": on})

    def waiting(self) -> list[Review]:
        """Replies waiting, oldest first."""
        return [w.review for w in self._waiting.values()]

    async def room(self) -> None:
        """Wait until fewer than ``max_waiting`` replies wait (questions wait in triage meanwhile)."""
        while len(self._waiting) >= self._max:
            self._room.clear()
            await self._room.wait()

    def new_review(self, verdict: Verdict, product: Product | None, text: str, *, facts: tuple[str, ...] = (),
                   source: str = "") -> Review:
        """A review of ``text``, the reply to ``verdict``'s comments (about ``product``), due in ``expire_s``."""
        now = self._clock.now()
        return Review(
            id=f"r{next(self._seq)}", text=text, language=verdict.language,
            comment={"user": verdict.event.user.name, "text": verdict.event.text},
            comments=tuple({"user": e.user.name, "text": e.text} for e in verdict.events),
            product_id=None if product is None else product.id,
            product_title=None if product is None else product.title,
            facts=facts, source=source, created=now, expires=now + self.expire_s)

    async def decide(self, review: Review) -> Decision:
        """Wait for a moderator's decision on ``review``; ``expired`` when none comes within ``expire_s``."""
        w = _Waiting(review)
        self._waiting[review.id] = w
        try:
            async with timeout(self._clock, max(0.0, review.expires - self._clock.now())):
                decision = await asyncio.shield(w.decided)
        except TimeoutError:
            decision = Decision("expired", review.text, at=self._clock.now())
            log.info("reply expired waiting for approval", extra={"review": review.id})
        finally:
            self._waiting.pop(review.id, None)
            self._room.set()
        self.counts[decision.action] = self.counts.get(decision.action, 0) + 1
        if self._decided is not None:
            self._decided(review, decision)
        return decision

    def approve(self, review_id: str, who: str, text: str | None = None) -> Review:
        """Approve as written, or with ``text`` (an edit, which must pass the output check)."""
        w = self._get(review_id)
        if text is None or text.strip() == w.review.text:
            self._settle(w, Decision("approve", w.review.text, who, self._clock.now()))
            return w.review
        edited = " ".join(text.split())
        if not edited:
            raise ApprovalError(422, "the edited reply is empty: reject it instead")
        if len(edited) > MAX_EDIT:
            raise ApprovalError(422, f"the edited reply is too long (at most {MAX_EDIT} characters)")
        reason = self._check(edited) if self._check is not None else None
        if reason:
            raise ApprovalError(422, f"the edit may not be said on air: {reason}")
        self._settle(w, Decision("edit", edited, who, self._clock.now()))
        return replace(w.review, text=edited)

    def reject(self, review_id: str, who: str) -> Review:
        w = self._get(review_id)
        self._settle(w, Decision("reject", w.review.text, who, self._clock.now()))
        return w.review

    def spawn(self, job: Coroutine[Any, Any, None]) -> None:
        """Run a reply's review in the background (the pipeline goes on to the next question)."""
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _get(self, review_id: str) -> _Waiting:
        w = self._waiting.get(review_id)
        if w is None or w.decided.done():
            raise ApprovalError(404, "no such reply waiting: it was decided or it expired")
        return w

    @staticmethod
    def _settle(w: _Waiting, decision: Decision) -> None:
        w.decided.set_result(decision)
        log.info("reply decided", extra={"review": w.review.id, "action": decision.action, "who": decision.who})
