"""Bilibili open-platform commands (``LIVE_OPEN_PLATFORM_*``) -> :class:`Event`.

The open platform names users by ``open_id`` (per-app; ``uid`` is often 0 since the platform stopped
exposing it), so ``open_id`` is the user id when present. Unknown commands map to nothing, by design.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agent.events import Event, EventKind, Gift, User
from connectors.platforms.bilibili_codec import command_name
from connectors.platforms.bilibili_events import platform_seconds as _secs

PLATFORM = "bilibili_open"
MILLI_PER_CNY = 1000.0  # gift and guard prices are in 1/1000 yuan
GUARD_NAMES = {1: "总督", 2: "提督", 3: "舰长"}


def _user(d: Mapping[str, Any]) -> User:
    uid = d.get("open_id") or d.get("uid")
    if not uid:
        raise KeyError("open_id")
    return User(id=str(uid), name=str(d.get("uname") or uid))


def _dm(d: Mapping[str, Any], room: str, now: float) -> Event:
    return Event(kind=EventKind.COMMENT, user=_user(d), platform=PLATFORM, room=room, text=str(d["msg"]),
                 message_id=str(d["msg_id"]), time=now, sent_at=_secs(d.get("timestamp")))


def _gift(d: Mapping[str, Any], room: str, now: float) -> Event:
    num = int(d.get("gift_num", 1))
    # price is the unit price; free (silver) gifts carry a price too but cost the viewer nothing
    value = float(d.get("price", 0)) * num / MILLI_PER_CNY if d.get("paid", True) else 0.0
    gift = Gift(name=str(d["gift_name"]), count=num, value=value, currency="CNY")
    return Event(kind=EventKind.GIFT, user=_user(d), platform=PLATFORM, room=room, gift=gift,
                 message_id=str(d["msg_id"]), time=now, sent_at=_secs(d.get("timestamp")),
                 extra={"paid": bool(d.get("paid", True))})


def _super_chat(d: Mapping[str, Any], room: str, now: float) -> Event:
    gift = Gift(name="Super Chat", count=1, value=float(d.get("rmb", 0)), currency="CNY")
    return Event(kind=EventKind.GIFT, user=_user(d), platform=PLATFORM, room=room, text=str(d.get("message", "")),
                 gift=gift, message_id=f"sc-{d['message_id']}", time=now,
                 sent_at=_secs(d.get("start_time") or d.get("timestamp")))


def _guard(d: Mapping[str, Any], room: str, now: float) -> Event:
    who = d.get("user_info") or d  # the guard command nests the buyer in user_info
    num = int(d.get("guard_num", 1))
    level = int(d.get("guard_level", 3))
    gift = Gift(name=GUARD_NAMES.get(level, "guard"), count=num,
                value=float(d.get("price", 0)) * num / MILLI_PER_CNY, currency="CNY")
    return Event(kind=EventKind.GIFT, user=_user(who), platform=PLATFORM, room=room, gift=gift,
                 message_id=str(d["msg_id"]), time=now, sent_at=_secs(d.get("timestamp")),
                 extra={"guard_level": level, "guard_unit": str(d.get("guard_unit", ""))})


def _like(d: Mapping[str, Any], room: str, now: float) -> Event:
    return Event(kind=EventKind.LIKE, user=_user(d), platform=PLATFORM, room=room,
                 count=max(1, int(d.get("like_count", 1))), message_id=str(d["msg_id"]), time=now,
                 sent_at=_secs(d.get("timestamp")))


def _enter(d: Mapping[str, Any], room: str, now: float) -> Event:
    user = _user(d)
    ts = d.get("timestamp")
    return Event(kind=EventKind.JOIN, user=user, platform=PLATFORM, room=room,
                 message_id=str(d.get("msg_id") or f"enter-{user.id}-{ts}"), time=now, sent_at=_secs(ts))


MAPPERS: Mapping[str, Callable[[Mapping[str, Any], str, float], Event]] = {
    "LIVE_OPEN_PLATFORM_DM": _dm,
    "LIVE_OPEN_PLATFORM_SEND_GIFT": _gift,
    "LIVE_OPEN_PLATFORM_SUPER_CHAT": _super_chat,
    "LIVE_OPEN_PLATFORM_GUARD": _guard,
    "LIVE_OPEN_PLATFORM_LIKE": _like,
    "LIVE_OPEN_PLATFORM_LIVE_ROOM_ENTER": _enter,
}


def to_event(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    """The event a command carries, or None for commands a host ignores.

    Raises ``KeyError``/``TypeError``/``ValueError`` on a malformed known command.
    """
    mapper = MAPPERS.get(command_name(msg))
    if mapper is None:
        return None
    data = msg["data"]
    if not isinstance(data, Mapping):
        raise TypeError("data is not an object")
    return mapper(data, room, now)
