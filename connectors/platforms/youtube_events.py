"""YouTube liveChatMessages -> :class:`Event`. Membership events become gifts (they are paid), and
``chatEndedEvent`` is reported to the poller, which ends the stream."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from agent.events import Event, EventKind, Gift, User

CHAT_ENDED = "chatEndedEvent"
IGNORED = frozenset({"messageDeletedEvent", "userBannedEvent", "sponsorOnlyModeStartedEvent",
                     "sponsorOnlyModeEndedEvent", "giftMembershipReceivedEvent", "pollEvent", CHAT_ENDED})


def published(stamp: str) -> float | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except (AttributeError, ValueError):
        return None


def _base(item: Mapping[str, Any], room: str, now: float) -> dict[str, Any]:
    sn, author = item["snippet"], item.get("authorDetails") or {}
    uid = str(author.get("channelId") or sn.get("authorChannelId", ""))
    return {"user": User(id=uid, name=str(author.get("displayName") or uid)), "platform": "youtube",
            "room": room, "message_id": str(item["id"]), "time": now,
            "sent_at": published(str(sn.get("publishedAt", "")))}


def _money(d: Mapping[str, Any]) -> tuple[float, str]:
    return int(d.get("amountMicros", 0)) / 1e6, str(d.get("currency", ""))


def _text(item: Mapping[str, Any], room: str, now: float) -> Event:
    sn = item["snippet"]
    text = (sn.get("textMessageDetails") or {}).get("messageText") or sn["displayMessage"]
    return Event(kind=EventKind.COMMENT, text=str(text), **_base(item, room, now))


def _super_chat(item: Mapping[str, Any], room: str, now: float) -> Event:
    d = item["snippet"]["superChatDetails"]
    value, cur = _money(d)
    return Event(kind=EventKind.GIFT, gift=Gift("Super Chat", 1, value, cur), text=str(d.get("userComment", "")),
                 extra={"tier": d.get("tier")}, **_base(item, room, now))


def _super_sticker(item: Mapping[str, Any], room: str, now: float) -> Event:
    d = item["snippet"]["superStickerDetails"]
    value, cur = _money(d)
    alt = (d.get("superStickerMetadata") or {}).get("altText", "")
    return Event(kind=EventKind.GIFT, gift=Gift("Super Sticker", 1, value, cur), extra={"sticker": alt},
                 **_base(item, room, now))


def _sponsor(item: Mapping[str, Any], room: str, now: float) -> Event:
    d = item["snippet"].get("newSponsorDetails") or {}
    level = str(d.get("memberLevelName", ""))
    return Event(kind=EventKind.GIFT, gift=Gift("membership"), extra={"level": level,
                 "upgrade": bool(d.get("isUpgrade"))}, **_base(item, room, now))


def _milestone(item: Mapping[str, Any], room: str, now: float) -> Event:
    d = item["snippet"]["memberMilestoneChatDetails"]
    return Event(kind=EventKind.GIFT, gift=Gift("membership milestone"), text=str(d.get("userComment", "")),
                 extra={"months": d.get("memberMonth"), "level": d.get("memberLevelName", "")},
                 **_base(item, room, now))


def _gifting(item: Mapping[str, Any], room: str, now: float) -> Event:
    d = item["snippet"]["membershipGiftingDetails"]
    n = int(d.get("giftMembershipsCount", 1))
    return Event(kind=EventKind.GIFT, gift=Gift("gift membership", n),
                 extra={"level": d.get("giftMembershipsLevelName", "")}, **_base(item, room, now))


MAPPERS: Mapping[str, Callable[[Mapping[str, Any], str, float], Event]] = {
    "textMessageEvent": _text,
    "superChatEvent": _super_chat,
    "superStickerEvent": _super_sticker,
    "newSponsorEvent": _sponsor,
    "memberMilestoneChatEvent": _milestone,
    "membershipGiftingEvent": _gifting,
}


def to_event(item: Mapping[str, Any], room: str, now: float) -> Event | None:
    """Raises ``KeyError``/``TypeError``/``ValueError`` on a malformed item."""
    kind = str(item["snippet"]["type"])
    mapper = MAPPERS.get(kind)
    return mapper(item, room, now) if mapper else None
