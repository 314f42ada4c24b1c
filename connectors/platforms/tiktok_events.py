"""TikTok LIVE webcast messages -> :class:`Event`.

A ``ProtoMessageFetchResult`` carries ``{method, payload}`` messages; ``method`` names the protobuf type of
``payload``. The field numbers are those of TikTokLive 6.6.5's definitions (``TikTokLive.proto``); we read
the few we use straight off the wire (:mod:`protowire`), as building the library's full classes costs ~4 ms
a message. Gift streaks arrive as a run of GiftMessages with a growing ``repeat_count``: only the one with
``repeat_end`` set (or a gift that cannot streak) is a gift to thank, so the host thanks once.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from agent.events import Event, EventKind, Gift, User
from connectors.platforms import protowire as pw
from connectors.platforms.protowire import Fields

CURRENCY = "coins"  # TikTok prices gifts in coins (diamond_count); no fixed money value
STREAKABLE_TYPE = 1  # Gift.type: 1 = can be sent as a combo streak
SOCIAL_FOLLOW = 1  # SocialMessage.action: 1 follow, 3 share
CONTROL_ENDED = frozenset({3, 4})  # ControlMessage.action: 3 stream ended, 4 suspended


class Control(Enum):
    """A message that is not a viewer event but changes the connection."""

    ENDED = "ended"


Decoded = Event | Control | None


@dataclass(frozen=True, slots=True)
class WebcastMessage:
    method: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The fields of ``ProtoMessageFetchResult`` the connection needs (TikTokLive reads these names)."""

    messages: tuple[WebcastMessage, ...]
    cursor: str = ""
    internal_ext: str = ""
    need_ack: bool = False
    is_first: bool = False


@dataclass(frozen=True, slots=True)
class PushFrame:
    log_id: int
    payload_type: str


def read_push_frame(raw: bytes) -> tuple[PushFrame, FetchResult | None]:
    """A ``WebcastPushFrame`` and, for ``msg`` frames, its (gunzipped) fetch result. ``ValueError``/``OSError``
    for bytes that are not one.

    WebcastPushFrame{seq_id=1, log_id=2, headers=5 (map), payload_encoding=6, payload_type=7, payload=8};
    ProtoMessageFetchResult{messages=1 [{method=1, payload=2}], cursor=2, internal_ext=5, need_ack=9,
    is_first=11}.
    """
    f = pw.read(raw)
    frame = PushFrame(log_id=pw.integer(f, 2), payload_type=pw.text(f, 7))
    if frame.payload_type != "msg":
        return frame, None
    headers = {pw.text(e, 1): pw.text(e, 2) for e in map(pw.read, pw.blobs(f, 5))}
    payload = pw.blob(f, 8)
    if headers.get("compress_type", "none") == "gzip":
        payload = gzip.decompress(payload)
    r = pw.read(payload)
    messages = tuple(WebcastMessage(pw.text(m, 1), pw.blob(m, 2)) for m in map(pw.read, pw.blobs(r, 1)))
    return frame, FetchResult(messages=messages, cursor=pw.text(r, 2), internal_ext=pw.text(r, 5),
                              need_ack=bool(pw.integer(r, 9)), is_first=bool(pw.integer(r, 11)))


def _user(u: Fields) -> tuple[User, dict[str, Any]]:
    # User{id=1, nick_name=3, username=38 (the @unique_id), sec_uid=46}
    unique = pw.text(u, 38)
    uid = str(pw.integer(u, 1) or "") or unique or pw.text(u, 46)
    name = pw.text(u, 3) or unique or uid
    return User(id=uid or name, name=name), ({"unique_id": unique} if unique else {})


def _base(m: Fields, user_field: int, room: str, now: float) -> dict[str, Any]:
    # CommonMessageData{method=1, message_id=2, room_id=3, create_time=4 (ms), display_text=8}
    common = pw.message(m, 1)
    created = float(pw.integer(common, 4))
    user, extra = _user(pw.message(m, user_field))
    return {
        "user": user,
        "platform": "tiktok",
        "room": room,
        "message_id": str(pw.integer(common, 2) or ""),
        "time": now,
        "sent_at": (created / 1000.0 if created > 1e11 else created) or None,
        "extra": extra,
    }


def _chat(m: Fields, room: str, now: float) -> Decoded:
    # WebcastChatMessage{common=1, user_info=2, content=3}
    content = pw.text(m, 3)
    if not content.strip():
        return None
    return Event(kind=EventKind.COMMENT, text=content, **_base(m, 2, room, now))


def _gift(m: Fields, room: str, now: float) -> Decoded:
    # WebcastGiftMessage{common=1, repeat_count=5, combo_count=6, from_user=7, repeat_end=9, gift=15}
    # Gift{id=5, type=11, diamond_count=12, name=16}
    g = pw.message(m, 15)
    if pw.integer(g, 11) == STREAKABLE_TYPE and not pw.integer(m, 9):
        return None  # a streak in progress; its last message carries the total
    count = max(1, pw.integer(m, 5) or pw.integer(m, 6) or 1)
    name = pw.text(g, 16) or f"gift {pw.integer(g, 5)}"
    gift = Gift(name=name, count=count, value=float(pw.integer(g, 12) * count), currency=CURRENCY)
    return Event(kind=EventKind.GIFT, gift=gift, **_base(m, 7, room, now))


def _like(m: Fields, room: str, now: float) -> Decoded:
    # WebcastLikeMessage{common=1, count=2, total=3, user=5}
    return Event(kind=EventKind.LIKE, count=max(1, pw.integer(m, 2)), **_base(m, 5, room, now))


def _member(m: Fields, room: str, now: float) -> Decoded:
    # WebcastMemberMessage{common=1, user=2}
    return Event(kind=EventKind.JOIN, **_base(m, 2, room, now))


def _social(m: Fields, room: str, now: float) -> Decoded:
    # WebcastSocialMessage{common=1, user=2, action=4}; common.display_text=Text{key=1}
    key = pw.text(pw.message(pw.message(m, 1), 8), 1)
    if pw.integer(m, 4) == SOCIAL_FOLLOW or "follow" in key:
        return Event(kind=EventKind.FOLLOW, **_base(m, 2, room, now))
    return None  # shares have no event kind of their own


def _subscribe(m: Fields, room: str, now: float) -> Decoded:
    # WebcastSubNotifyMessage{common=1, user=2}
    gift = Gift(name="subscription", count=1, value=0.0, currency="")
    return Event(kind=EventKind.GIFT, gift=gift, **_base(m, 2, room, now))


def _control(m: Fields, room: str, now: float) -> Decoded:
    # WebcastControlMessage{common=1, action=2}
    return Control.ENDED if pw.integer(m, 2) in CONTROL_ENDED else None


DECODERS: dict[str, Callable[[Fields, str, float], Decoded]] = {
    "WebcastChatMessage": _chat,
    "WebcastGiftMessage": _gift,
    "WebcastLikeMessage": _like,
    "WebcastMemberMessage": _member,
    "WebcastSocialMessage": _social,
    "WebcastSubNotifyMessage": _subscribe,
    "WebcastControlMessage": _control,
}


def decode(method: str, payload: bytes, room: str, now: float) -> Decoded:
    """The event for one webcast message; None for kinds we do not use (viewer counts, banners...).

    Raises ``ValueError`` for a payload that does not parse.
    """
    fn = DECODERS.get(method)
    return fn(pw.read(payload), room, now) if fn is not None else None
