"""One event model for everything a platform sends: comment, gift, like, follow, join.

Events are frozen: stages pass them along and never edit them. ``to_dict``/``from_dict`` give the JSON form
used by replay logs, ``livehost listen`` and the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    COMMENT = "comment"
    GIFT = "gift"
    LIKE = "like"
    FOLLOW = "follow"
    JOIN = "join"


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Gift:
    """A gift, super chat, bits cheer or paid membership. ``value`` is the total, in ``currency`` units."""

    name: str
    count: int = 1
    value: float = 0.0
    currency: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """Something a viewer did.

    ``time`` is when livehost received it, on the show's clock (seconds); ``sent_at`` is the platform's own
    timestamp (Unix seconds) when it gives one. ``message_id`` is the platform's id, used to de-duplicate
    at-least-once deliveries; ``count`` is how many likes one like event carries.
    """

    kind: EventKind
    user: User
    platform: str = "replay"
    room: str = ""
    text: str = ""
    gift: Gift | None = None
    count: int = 1
    message_id: str = ""
    time: float = 0.0
    sent_at: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """A de-duplication key: the platform's message id when it has one."""
        if self.message_id:
            return f"{self.platform}:{self.room}:{self.message_id}"
        return f"{self.platform}:{self.room}:{self.kind}:{self.user.id}:{self.text}:{self.time}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": self.kind.value,
            "platform": self.platform,
            "room": self.room,
            "user": self.user.name,
            "user_id": self.user.id,
            "t": round(self.time, 3),
        }
        if self.text:
            d["text"] = self.text
        if self.gift is not None:
            d["gift"] = {
                "name": self.gift.name,
                "count": self.gift.count,
                "value": self.gift.value,
                **({"currency": self.gift.currency} if self.gift.currency else {}),
            }
        if self.count != 1:
            d["count"] = self.count
        if self.message_id:
            d["id"] = self.message_id
        if self.sent_at is not None:
            d["sent_at"] = self.sent_at
        if self.extra:
            d["extra"] = dict(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, platform: str = "replay", room: str = "") -> Event:
        """Build an event from its JSON form. Raises ``ValueError``/``KeyError``/``TypeError`` naming the field."""
        kind = EventKind(str(d.get("type", "comment")))
        user_v = d.get("user", "")
        if isinstance(user_v, Mapping):
            name = str(user_v.get("name", ""))
            uid = str(user_v.get("id", name))
        else:
            name = str(user_v)
            uid = str(d.get("user_id", name))
        if not name and not uid:
            raise ValueError("field 'user': missing")
        gift = None
        if kind is EventKind.GIFT:
            g = d.get("gift")
            if not isinstance(g, Mapping) or not g.get("name"):
                raise ValueError("field 'gift': a gift needs {\"name\", \"count\", \"value\"}")
            gift = Gift(
                name=str(g["name"]),
                count=int(g.get("count", 1)),
                value=float(g.get("value", 0.0)),
                currency=str(g.get("currency", "")),
            )
        text = d.get("text", "")
        if not isinstance(text, str):
            raise TypeError("field 'text': must be a string")
        if kind is EventKind.COMMENT and not text.strip():
            raise ValueError("field 'text': a comment needs text")
        t = d.get("t", d.get("time", 0.0))
        try:
            t = float(t)
        except (TypeError, ValueError) as exc:
            raise ValueError("field 't': must be a number of seconds") from exc
        extra = d.get("extra") or {}
        return cls(
            kind=kind,
            user=User(id=uid or name, name=name or uid),
            platform=str(d.get("platform", platform)),
            room=str(d.get("room", room)),
            text=text,
            gift=gift,
            count=int(d.get("count", 1)),
            message_id=str(d.get("id", d.get("message_id", ""))),
            time=t,
            sent_at=timestamp(d.get("sent_at")),
            extra=dict(extra) if isinstance(extra, Mapping) else {},
        )


def timestamp(value: Any) -> float | None:
    """A platform timestamp as Unix seconds: a number (seconds, or milliseconds as many platforms send them)
    or an ISO 8601 string ("2026-11-30T20:15:02Z"; without a zone, UTC). Raises ValueError naming the field."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000.0 if value > 1e11 else float(value)
    if isinstance(value, str):
        try:
            return timestamp(float(value))
        except ValueError:
            pass
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("field 'sent_at': must be Unix seconds or an ISO 8601 time") from None
        return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()
    raise ValueError("field 'sent_at': must be Unix seconds or an ISO 8601 time")
