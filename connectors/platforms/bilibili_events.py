"""Bilibili web-danmaku commands -> :class:`Event`. Unknown commands map to nothing, by design: the
platform sends dozens (rank changes, banners) that a host has no use for."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from agent.events import Event, EventKind, Gift, User
from connectors.platforms.bilibili_codec import command_name

GOLD_PER_CNY = 1000.0  # gift prices are in "gold seeds", 1000 to a yuan
GUARD_NAMES = {1: "总督", 2: "提督", 3: "舰长"}


def _user(uid: Any, name: Any) -> User:
    return User(id=str(uid), name=str(name or uid))


def platform_seconds(ts: Any) -> float | None:
    """Platform timestamps come in seconds or milliseconds (shared with the open-platform mapping)."""
    try:
        t = float(ts)
    except (TypeError, ValueError):
        return None
    if t <= 0:
        return None
    return t / 1000.0 if t > 1e11 else t


def _danmu(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    info = msg["info"]
    meta, text, who = info[0], str(info[1]), info[2]
    ts = meta[4] if len(meta) > 4 else None
    msg_id = ""
    if len(meta) > 15 and isinstance(meta[15], Mapping):
        try:
            msg_id = str(json.loads(meta[15].get("extra", "{}")).get("id_str", ""))
        except (TypeError, ValueError):
            msg_id = ""
    if not msg_id:  # older frames carry no id: a stable one keeps de-duplication working
        msg_id = f"dm-{who[0]}-{ts}-{zlib.crc32(text.encode()):08x}"
    return Event(kind=EventKind.COMMENT, user=_user(who[0], who[1]), platform="bilibili", room=room, text=text,
                 message_id=msg_id, time=now, sent_at=platform_seconds(ts))


def _gift(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    d = msg["data"]
    num = int(d.get("num", 1))
    total = d.get("total_coin") or int(d.get("price", 0)) * num
    value = float(total) / GOLD_PER_CNY if d.get("coin_type", "gold") == "gold" else 0.0
    gift = Gift(name=str(d["giftName"]), count=num, value=value, currency="CNY")
    mid = str(d.get("tid") or d.get("rnd") or "")
    return Event(kind=EventKind.GIFT, user=_user(d["uid"], d.get("uname")), platform="bilibili", room=room,
                 gift=gift, message_id=mid and f"gift-{mid}", time=now, sent_at=platform_seconds(d.get("timestamp")))


def _super_chat(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    d = msg["data"]
    name = (d.get("user_info") or {}).get("uname", d.get("uid"))
    gift = Gift(name="Super Chat", count=1, value=float(d.get("price", 0)), currency="CNY")
    return Event(kind=EventKind.GIFT, user=_user(d["uid"], name), platform="bilibili", room=room,
                 text=str(d.get("message", "")), gift=gift, message_id=f"sc-{d['id']}", time=now,
                 sent_at=platform_seconds(d.get("start_time") or d.get("ts")))


def _guard(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    d = msg["data"]
    num = int(d.get("num", 1))
    level = int(d.get("guard_level", 3))
    name = str(d.get("gift_name") or GUARD_NAMES.get(level, "guard"))
    gift = Gift(name=name, count=num, value=float(d.get("price", 0)) * num / GOLD_PER_CNY, currency="CNY")
    start = d.get("start_time")
    return Event(kind=EventKind.GIFT, user=_user(d["uid"], d.get("username")), platform="bilibili", room=room,
                 gift=gift, message_id=f"guard-{d['uid']}-{start}", time=now, sent_at=platform_seconds(start),
                 extra={"guard_level": level})


def _interact(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    d = msg["data"]
    kind = {1: EventKind.JOIN, 2: EventKind.FOLLOW}.get(int(d.get("msg_type", 0)))
    if kind is None:
        return None
    ts = d.get("trigger_time") or d.get("timestamp")
    return Event(kind=kind, user=_user(d["uid"], d.get("uname")), platform="bilibili", room=room,
                 message_id=f"iw-{kind}-{d['uid']}-{ts}", time=now, sent_at=platform_seconds(d.get("timestamp")))


def _like(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    d = msg["data"]
    return Event(kind=EventKind.LIKE, user=_user(d["uid"], d.get("uname")), platform="bilibili", room=room,
                 time=now)


MAPPERS: Mapping[str, Callable[[Mapping[str, Any], str, float], Event | None]] = {
    "DANMU_MSG": _danmu,
    "SEND_GIFT": _gift,
    "SUPER_CHAT_MESSAGE": _super_chat,
    "GUARD_BUY": _guard,
    "INTERACT_WORD": _interact,
    "LIKE_INFO_V3_CLICK": _like,
}


def to_event(msg: Mapping[str, Any], room: str, now: float) -> Event | None:
    """The event a command carries, or None for commands a host ignores.

    Raises ``KeyError``/``IndexError``/``TypeError``/``ValueError`` on a malformed known command.
    """
    mapper = MAPPERS.get(command_name(msg))
    return mapper(msg, room, now) if mapper else None
