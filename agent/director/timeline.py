"""What the host said, one entry per utterance played (summaries, the on-air record), and the director's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.director.utterance import Utterance
from agent.product import Product


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    start: float
    end: float
    kind: str
    text: str
    comment: dict[str, str] | None
    interrupted: bool
    product: str | None
    utterance_id: str
    script_index: int | None = None
    latency: float | None = None
    comments: tuple[dict[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "kind": self.kind,
            "text": self.text,
            "comment": self.comment,
            "interrupted": self.interrupted,
            "product": self.product,
        }
        if self.script_index is not None:
            d["script_index"] = self.script_index
        if self.latency is not None:
            d["latency_ms"] = round(self.latency * 1000, 1)
        if self.comments:
            d["comments"] = list(self.comments)
        return d


KEEP_RECENT = 500  # timeline entries and expired replies the state keeps (a day's show would not fit)


@dataclass
class DirectorState:
    """Where the show is, and what was said lately: ``timeline`` and ``expired`` (replies dropped before they
    could start) keep the most recent entries only; observers (``Director.listen``) see every one."""

    status: str = "playing"
    on_screen: Product | None = None
    resumed_after_reply: int = 0
    timeline: list[TimelineEntry] = field(default_factory=list)
    expired: list[Utterance] = field(default_factory=list)
    expired_count: int = 0

    def add(self, entry: TimelineEntry) -> None:
        self.timeline.append(entry)
        if len(self.timeline) > 2 * KEEP_RECENT:
            del self.timeline[:-KEEP_RECENT]

    def add_expired(self, utt: Utterance) -> None:
        self.expired_count += 1
        self.expired.append(utt)
        if len(self.expired) > 2 * KEEP_RECENT:
            del self.expired[:-KEEP_RECENT]
