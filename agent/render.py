"""What the show sends to renderers (overlay, VTube Studio, OBS, LiveTalking), and the Renderer interface.

Every message is a frozen dataclass with a ``to_json`` form; that JSON is the overlay WebSocket protocol
documented in README.md.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from agent.audio import LEVEL_HZ, Audio


@dataclass(frozen=True, slots=True)
class ShowState:
    status: str  # "playing" | "paused" | "stopped"
    type: str = field(default="state", init=False)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "status": self.status}


@dataclass(frozen=True, slots=True)
class ProductShown:
    product_id: str
    title: str
    price: float | None
    currency: str
    type: str = field(default="product", init=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "product_id": self.product_id,
            "title": self.title,
            "price": self.price,
            "currency": self.currency,
        }


@dataclass(frozen=True, slots=True)
class UtteranceStarted:
    utterance_id: str
    kind: str  # script | reply | thanks | bridge | say_now
    comment: dict[str, str] | None = None
    type: str = field(default="utterance_start", init=False)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.utterance_id, "kind": self.kind, "comment": self.comment}


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """One sentence of audio, to be played now; ``at`` is the show clock time it starts."""

    utterance_id: str
    seq: int
    audio: Audio
    at: float
    kind: str = "script"
    type: str = field(default="audio", init=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.utterance_id,
            "seq": self.seq,
            "kind": self.kind,
            "text": self.audio.text,
            "language": self.audio.language,
            "duration": round(self.audio.duration, 3),
            "levels": list(self.audio.levels),
            "level_hz": LEVEL_HZ,
            "format": "wav",
            "data": base64.b64encode(self.audio.wav()).decode("ascii"),
        }


@dataclass(frozen=True, slots=True)
class UtteranceEnded:
    utterance_id: str
    kind: str
    spoken: str
    interrupted: bool = False
    type: str = field(default="utterance_end", init=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.utterance_id,
            "kind": self.kind,
            "spoken": self.spoken,
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True, slots=True)
class ChatSeen:
    """A viewer event as moderation saw it, for moderators only (the console): blocked text included, with the
    reason. Never shown on the broadcast: what viewers see is :class:`ChatShown`."""

    platform: str
    user: str
    text: str
    event_type: str
    action: str
    category: str
    reason: str = ""
    type: str = field(default="chat", init=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "platform": self.platform,
            "user": self.user,
            "text": self.text,
            "event": self.event_type,
            "action": self.action,
            "category": self.category,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ChatShown:
    """A viewer event for the overlay's chat feed, on the broadcast: only what passed every moderation layer."""

    platform: str
    user: str
    text: str
    event_type: str
    type: str = field(default="chat", init=False)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "platform": self.platform, "user": self.user, "text": self.text,
                "event": self.event_type}


RenderEvent = ShowState | ProductShown | UtteranceStarted | AudioChunk | UtteranceEnded | ChatSeen | ChatShown
