"""Douyin live data push: the request signature and the pushed message types -> :class:`Event`.

Pure functions, shared by the ingress, the fake pusher and the benchmark.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any

from agent.events import Event, EventKind, Gift, User

SIGNATURE_HEADER = "x-signature"
FEN_PER_CNY = 100.0  # gift_value is in fen


def signature(headers: Mapping[str, str], body: bytes, secret: str) -> str:
    """base64(md5(sorted ``x-*`` headers as ``k=v`` joined by ``&``, then the raw body, then the secret))."""
    signed = sorted((k.lower(), v) for k, v in headers.items()
                    if k.lower().startswith("x-") and k.lower() != SIGNATURE_HEADER)
    text = "&".join(f"{k}={v}" for k, v in signed).encode() + body + secret.encode()
    return base64.b64encode(hashlib.md5(text).digest()).decode()


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    wanted = headers.get(SIGNATURE_HEADER, "")
    return hmac.compare_digest(signature(headers, body, secret), wanted)


def _secs(ts: Any) -> float | None:
    try:
        t = float(ts)
    except (TypeError, ValueError):
        return None
    return t / 1000.0 if t > 1e11 else (t or None)


def _base(m: Mapping[str, Any], room: str, now: float) -> dict[str, Any]:
    uid = str(m["sec_openid"])
    return {"user": User(id=uid, name=str(m.get("nickname") or uid)), "platform": "douyin", "room": room,
            "message_id": str(m["msg_id"]), "time": now, "sent_at": _secs(m.get("timestamp")),
            "extra": {"test": True} if m.get("test") else {}}


def _comment(m: Mapping[str, Any], room: str, now: float) -> Event | None:
    return Event(kind=EventKind.COMMENT, text=str(m["content"]), **_base(m, room, now))


def _gift(m: Mapping[str, Any], room: str, now: float) -> Event | None:
    n = int(m.get("gift_num", 1))
    gift = Gift(name=str(m["sec_gift_id"]), count=n, value=float(m.get("gift_value", 0)) / FEN_PER_CNY,
                currency="CNY")
    return Event(kind=EventKind.GIFT, gift=gift, **_base(m, room, now))


def _like(m: Mapping[str, Any], room: str, now: float) -> Event | None:
    return Event(kind=EventKind.LIKE, count=int(m.get("like_num", 1)), **_base(m, room, now))


def _fansclub(m: Mapping[str, Any], room: str, now: float) -> Event | None:
    # reason 2 is joining the fan club (a follow a host thanks); 1 is a level-up, not an event
    if int(m.get("fansclub_reason_type", 0)) != 2:
        return None
    return Event(kind=EventKind.FOLLOW, **_base(m, room, now))


MAPPERS: Mapping[str, Callable[[Mapping[str, Any], str, float], Event | None]] = {
    "live_comment": _comment,
    "live_gift": _gift,
    "live_like": _like,
    "live_fansclub": _fansclub,
}
MSG_TYPES = tuple(MAPPERS)


def to_event(msg_type: str, message: Mapping[str, Any], room: str, now: float) -> Event | None:
    """Raises ``KeyError``/``TypeError``/``ValueError`` on a malformed message."""
    mapper = MAPPERS.get(msg_type)
    return mapper(message, room, now) if mapper else None
