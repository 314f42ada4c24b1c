"""What the host said, one entry per utterance played: the show's timeline (summaries, the on-air record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
