"""What the viewers did, and what became of it: every event with its verdict, and each question's fate.

The on-air record (:mod:`agent.said`) keeps what was said; this keeps the rest, for the report after the show
and the console's live figures. It is fed from the outside of the show, by what the show already hands out:

- triage's decision on each event (:meth:`SeenLog.triage` wraps the show's decider): the event and its verdict;
- the render bus (:class:`SeenLog` is a :class:`agent.ports.Renderer`): a ``ChatSeen`` that comes after the
  event's own one is the semantic screen blocking it (fate ``blocked``, reason ``screen``);
- the reply queue's drops (``on_drop``): ``stale``, ``queue_full``, ``displaced``, ``duplicate``; and the
  show's own (``Show(dropped=...)``): ``small_talk_when_busy``, ``stale_merged``;
- the director: each reply said (fate ``answered``, by that utterance) and each reply dropped before it could
  start (``not_started_in_time``);
- approval mode's decisions: ``rejected_by_moderator``, ``not_approved_in_time``.

Comments said back by the director come as ``{"user", "text"}``, so they are matched to the latest event with
that viewer and text. Nothing here may stop the show: a failed write is counted and logged.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from agent.approval import Decision, Review
from agent.director.director import TimelineEntry
from agent.director.utterance import Utterance
from agent.events import Event
from agent.ports import Clock, Decider, EventLog
from agent.render import ChatSeen, RenderEvent
from agent.verdict import Verdict, drop_code

log = logging.getLogger(__name__)

KEEP = 20_000  # events remembered for matching their fates (a busy hour); older ones keep the fates they have
DECISIONS = {"reject": "rejected_by_moderator", "expired": "not_approved_in_time"}
_TOPIC = re.compile(r"'([^']+)'")
T = TypeVar("T")


class _Recent:
    """A bounded map from a key to the latest event number seen with it (a small int per key: a flood fills
    it with thousands of keys)."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._map: OrderedDict[Any, int] = OrderedDict()

    def add(self, key: Any, seq: int) -> None:
        self._map[key] = seq
        self._map.move_to_end(key)
        while len(self._map) > self._keep:
            self._map.popitem(last=False)

    def latest(self, key: Any) -> int | None:
        return self._map.get(key)


class SeenLog:
    """Writes every event and its fates to ``events`` (see the module docstring). Also a Renderer."""

    name = "record"

    def __init__(self, events: EventLog, clock: Clock, *, show: tuple[str, str] | None = None,
                 keep: int = KEEP) -> None:
        """``show``: the show's name and language, noted in the record once."""
        self._log = events
        self._clock = clock
        self._by_key: OrderedDict[str, int] = OrderedDict()  # event.key -> seq
        self._by_comment = _Recent(keep)  # (user, text) -> seq
        self._by_chat = _Recent(keep)  # (platform, user, text) -> seq
        self._echo: dict[tuple[str, str, str, str], int] = {}  # ChatSeen still to come for events just decided
        self._keep = keep
        self.failed = 0
        if show is not None:
            self._write(lambda: events.add_show(*show))

    # -- triage ---------------------------------------------------------------------------------------------
    def triage(self, decider: Decider) -> Decider:
        """``decider``, recording each event with its verdict."""
        return _Recorded(decider, self)

    def decided(self, event: Event, verdict: Verdict) -> None:
        g = event.gift
        seq = self._write(lambda: self._log.add_event({
            "t": event.time, "kind": event.kind.value, "platform": event.platform, "user": event.user.name,
            "user_id": event.user.id, "text": event.text, "count": event.count,
            "gift": None if g is None else {"name": g.name, "count": g.count, "value": g.value,
                                            "currency": g.currency},
            "action": verdict.action.value, "category": verdict.category.value, "reason": verdict.reason,
            "topic": verdict.topic, "language": verdict.language}))
        if seq is None:
            return
        self._remember(event, seq)
        echo = (event.platform, event.user.name, event.text, verdict.action.value)
        self._echo[echo] = self._echo.get(echo, 0) + 1
        while len(self._echo) > self._keep:  # a bus without this recorder on it: never let the map grow
            del self._echo[next(iter(self._echo))]

    # -- the render bus (Renderer) --------------------------------------------------------------------------
    async def start(self) -> None:
        return None

    async def send(self, event: RenderEvent) -> None:
        if not isinstance(event, ChatSeen):
            return
        chat = (event.platform, event.user, event.text)
        echo = (*chat, event.action)
        waiting = self._echo.get(echo, 0)
        if waiting:  # the verdict of an event recorded as triage decided it
            if waiting == 1:
                del self._echo[echo]
            else:
                self._echo[echo] = waiting - 1
            return
        seq = self._by_chat.latest(chat)
        if seq is None:  # an event nobody recorded (no triage hook): keep what the console saw
            self._seen_only(event)
        elif event.action == "block":
            topic = _TOPIC.search(event.reason)
            self._fate(seq, "blocked", "screen", detail={"category": event.category, "reason": event.reason,
                                                         "topic": topic.group(1) if topic else ""})

    async def aclose(self) -> None:
        self.flush()

    # -- fates ----------------------------------------------------------------------------------------------
    def chain_drop(self, hook: Callable[[Verdict, str], None] | None) -> Callable[[Verdict, str], None]:
        """An ``on_drop`` hook for the reply queue that records the drop, then calls ``hook`` (if any)."""

        def both(verdict: Verdict, reason: str) -> None:
            self.dropped(verdict, reason)
            if hook is not None:
                hook(verdict, reason)

        return both

    def dropped(self, verdict: Verdict, reason: str) -> None:
        """The reply queue's ``on_drop`` (and the show's drops): every event of the verdict is dropped with the
        reason's code."""
        code = drop_code(reason)
        for e in verdict.events:
            seq = self._by_key.get(e.key)
            if seq is not None:
                self._fate(seq, "dropped", code, detail={"reason": reason})

    def expired(self, utt: Utterance) -> None:
        """The director's ``expired`` observer: a reply that could not start in time."""
        for seq in self._askers(utt.comments or ((utt.comment,) if utt.comment else ())):
            self._fate(seq, "dropped", "not_started_in_time", utterance_id=utt.id)

    def said(self, entry: TimelineEntry) -> None:
        """The director's ``said`` observer: a reply answers its askers; every sentence said flushes the rows."""
        if entry.kind == "reply":
            for seq in self._askers(entry.comments or ((entry.comment,) if entry.comment else ())):
                self._fate(seq, "answered", "said", utterance_id=entry.utterance_id,
                           detail={"start": entry.start, "interrupted": entry.interrupted})
        self.flush()

    def reviewed(self, review: Review, decision: Decision) -> None:
        """Approval mode's decisions: a rejected or expired reply drops its askers."""
        code = DECISIONS.get(decision.action)
        if code is None:
            return
        for seq in self._askers(review.comments or ((review.comment,) if review.comment else ())):
            self._fate(seq, "dropped", code, detail={"review": review.id, "who": decision.who})

    def flush(self) -> None:
        self._write(self._log.flush)

    # -- internals ------------------------------------------------------------------------------------------
    def _askers(self, comments: Iterable[Mapping[str, str]]) -> list[int]:
        out = []
        for c in comments:
            seq = self._by_comment.latest((c.get("user", ""), c.get("text", "")))
            if seq is not None and seq not in out:
                out.append(seq)
        return out

    def _remember(self, event: Event, seq: int) -> None:
        self._by_key[event.key] = seq
        while len(self._by_key) > self._keep:
            self._by_key.popitem(last=False)
        self._by_comment.add((event.user.name, event.text), seq)
        self._by_chat.add((event.platform, event.user.name, event.text), seq)

    def _seen_only(self, chat: ChatSeen) -> None:
        kind = chat.event_type if chat.event_type in ("comment", "gift", "like", "follow", "join") else "comment"
        seq = self._write(lambda: self._log.add_event({
            "t": self._clock.now(), "kind": kind, "platform": chat.platform, "user": chat.user, "text": chat.text,
            "action": chat.action, "category": chat.category, "reason": chat.reason}))
        if seq is not None:
            self._by_comment.add((chat.user, chat.text), seq)
            self._by_chat.add((chat.platform, chat.user, chat.text), seq)

    def _fate(self, seq: int, fate: str, reason: str, *, utterance_id: str | None = None,
              detail: Mapping[str, Any] | None = None) -> None:
        now = self._clock.now()
        self._write(lambda: self._log.add_fate(seq, t=now, fate=fate, reason=reason, utterance_id=utterance_id,
                                               detail=detail))

    def _write(self, job: Callable[[], T]) -> T | None:
        try:
            return job()
        except Exception as exc:  # noqa: BLE001 - the record must never stop the show; counted and logged
            self.failed += 1
            log.warning("event record write failed", extra={"error": repr(exc)})
            return None


class _Recorded:
    """A decider whose every decision is recorded (see :meth:`SeenLog.triage`)."""

    def __init__(self, inner: Decider, seen: SeenLog) -> None:
        self._inner = inner
        self._seen = seen

    def decide(self, event: Event) -> Verdict:
        verdict = self._inner.decide(event)
        self._seen.decided(event, verdict)
        return verdict
