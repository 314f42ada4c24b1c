"""Twitch EventSub notifications -> :class:`Event` (chat messages, subs and raids, cheers, follows).

``message_id`` is the envelope's id, which stays the same when Twitch re-delivers a notification, so that
de-duplication catches at-least-once deliveries; the chat message's own id goes to ``extra``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from agent.events import Event, EventKind, Gift, User
from connectors.platforms.twitch_irc import TIER_USD, USD_PER_BIT

Mapper = Callable[[Mapping[str, Any], str, str, float, float | None], Event | None]


def parse_time(stamp: str) -> float | None:
    """RFC 3339 with nanoseconds (Python parses at most microseconds)."""
    if not stamp:
        return None
    head, dot, frac = stamp.rstrip("Z").partition(".")
    iso = head + (f".{frac[:6]}" if dot else "") + "+00:00"
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


def _user(e: Mapping[str, Any], prefix: str) -> User:
    """``prefix`` is ``chatter_user`` or ``user``; anonymous cheers carry nulls."""
    uid = e.get(f"{prefix}_id") or "anonymous"
    return User(id=str(uid), name=str(e.get(f"{prefix}_name") or e.get(f"{prefix}_login") or "Anonymous"))


def _chat(e: Mapping[str, Any], room: str, mid: str, now: float, sent: float | None) -> Event | None:
    text = str(e["message"]["text"])
    return Event(kind=EventKind.COMMENT, user=_user(e, "chatter_user"), platform="twitch", room=room, text=text,
                 message_id=mid, time=now, sent_at=sent,
                 extra={"chat_message_id": e.get("message_id", ""), "source": "eventsub"})


def _tier(block: Mapping[str, Any] | None) -> tuple[str, float]:
    block = block or {}
    tier = "Prime" if block.get("is_prime") else str(block.get("sub_tier", "1000"))
    return tier, TIER_USD.get(tier, 4.99)


def _notice(e: Mapping[str, Any], room: str, mid: str, now: float, sent: float | None) -> Event | None:
    notice = str(e["notice_type"]).removeprefix("shared_chat_")
    user = _user(e, "chatter_user")
    base: dict[str, Any] = {"platform": "twitch", "room": room, "message_id": mid, "time": now, "sent_at": sent}
    extra: dict[str, Any] = {"notice": notice, "system_msg": e.get("system_message", "")}
    text = str((e.get("message") or {}).get("text", ""))
    if notice in ("sub", "resub"):
        tier, price = _tier(e.get(notice))
        extra["months"] = (e.get(notice) or {}).get("cumulative_months", 1)
        return Event(kind=EventKind.GIFT, user=user, gift=Gift(f"sub {tier}", 1, price, "USD"), text=text,
                     extra=extra, **base)
    if notice == "sub_gift":
        tier, price = _tier(e.get("sub_gift"))
        extra["recipient"] = e["sub_gift"].get("recipient_user_name", "")
        return Event(kind=EventKind.GIFT, user=user, gift=Gift(f"gift sub {tier}", 1, price, "USD"),
                     extra=extra, **base)
    if notice == "community_sub_gift":
        tier, price = _tier(e.get("community_sub_gift"))
        n = int(e["community_sub_gift"].get("total", 1))
        return Event(kind=EventKind.GIFT, user=user, gift=Gift(f"gift sub {tier}", n, round(n * price, 2), "USD"),
                     extra=extra, **base)
    if notice == "raid":
        r = e["raid"]
        return Event(kind=EventKind.JOIN, user=User(id=str(r["user_id"]), name=str(r.get("user_name", ""))),
                     count=int(r.get("viewer_count", 1)), extra=extra, **base)
    return None


def _cheer(e: Mapping[str, Any], room: str, mid: str, now: float, sent: float | None) -> Event | None:
    bits = int(e["bits"])
    return Event(kind=EventKind.GIFT, user=_user(e, "user"), platform="twitch", room=room,
                 text=str(e.get("message") or ""), gift=Gift("Bits", bits, round(bits * USD_PER_BIT, 2), "USD"),
                 message_id=mid, time=now, sent_at=sent)


def _follow(e: Mapping[str, Any], room: str, mid: str, now: float, sent: float | None) -> Event | None:
    return Event(kind=EventKind.FOLLOW, user=_user(e, "user"), platform="twitch", room=room, message_id=mid,
                 time=now, sent_at=parse_time(str(e.get("followed_at", ""))) or sent)


MAPPERS: Mapping[str, Mapper] = {
    "channel.chat.message": _chat,
    "channel.chat.notification": _notice,
    "channel.cheer": _cheer,
    "channel.follow": _follow,
}

# type -> (version, condition keys); "user_id" means the token's user, the rest the broadcaster.
SUBSCRIPTIONS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "channel.chat.message": ("1", ("broadcaster_user_id", "user_id")),
    "channel.chat.notification": ("1", ("broadcaster_user_id", "user_id")),
    "channel.cheer": ("1", ("broadcaster_user_id",)),
    "channel.follow": ("2", ("broadcaster_user_id", "moderator_user_id")),
}


def to_event(message: Mapping[str, Any], room: str, now: float) -> Event | None:
    """The event in a ``notification`` envelope, or None. Raises ``KeyError``/``TypeError``/``ValueError``."""
    meta = message["metadata"]
    sub_type = str(meta.get("subscription_type") or message["payload"]["subscription"]["type"])
    mapper = MAPPERS.get(sub_type)
    if mapper is None:
        return None
    return mapper(message["payload"]["event"], room, str(meta["message_id"]), now,
                  parse_time(str(meta.get("message_timestamp", ""))))
