"""What became of each viewer event, read from its fates and from what was said: the definitions the report and
the console's live figures share, so both count the same way.

A *question* is a comment triage took for one (``product_question`` or ``other_question``). Its outcome is
``answered`` (a reply from the sheet: source facts, llm or mixed), or why not: ``not_in_catalog`` (the reply
said the shop does not sell it: a refusal), ``not_stated`` (the sheet does not say), ``fallback`` (a holding
line), the queue's or the director's drop reason (``stale``, ``queue_full``, ``displaced``,
``not_started_in_time``...), a moderator's (``rejected_by_moderator``, ``not_approved_in_time``), ``blocked``
(by the semantic screen, or by triage), ``ignored`` (triage: rate limit, muted...), ``show_ended`` (still
waiting in the queue when the show ended), or ``no_reply`` (nothing recorded: a record written before the show
handed those fates out). ``deflected`` (off-topic, answered with a line
steering back to the products), ``duplicate`` (the same words answered a moment before) and
``small_talk_when_busy`` are neither answered nor to be added to a sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

QUESTION_CATEGORIES = frozenset({"product_question", "other_question"})
ANSWERED = "answered"
# outcomes that leave a question unanswered, in the order the report lists them
UNANSWERED = ("not_in_catalog", "not_stated", "fallback", "stale", "stale_merged", "queue_full", "displaced",
              "not_started_in_time", "rejected_by_moderator", "not_approved_in_time", "blocked", "ignored",
              "show_ended", "no_reply")
NEITHER = ("deflected", "duplicate", "small_talk_when_busy")
BY_SOURCE = {"refusal": "not_in_catalog", "not_stated": "not_stated", "holding": "fallback", "deflect": "deflected"}
NO_REPLY_AFTER_S = 30.0  # live: a question with no fate yet counts as unanswered once this old


def is_question(event: Mapping[str, Any]) -> bool:
    return event.get("kind") == "comment" and verdict(event).get("category") in QUESTION_CATEGORIES


def verdict(event: Mapping[str, Any]) -> Mapping[str, Any]:
    v = event.get("verdict")
    return v if isinstance(v, Mapping) else {}


def fates(event: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    f = event.get("fates")
    return f if isinstance(f, list) else []


def answered_by(event: Mapping[str, Any]) -> str | None:
    """The utterance that answered the event, if one did."""
    for f in fates(event):
        if f.get("fate") == "answered":
            return str(f.get("utterance_id") or "") or None
    return None


def outcome(event: Mapping[str, Any], said: Mapping[str, Mapping[str, Any]]) -> str:
    """What became of ``event`` (see the module docstring); ``said``: the said entries by utterance id."""
    uid = answered_by(event)
    if uid is not None:
        source = str(said.get(uid, {}).get("source") or "")
        return BY_SOURCE.get(source, ANSWERED)
    fs = fates(event)
    if any(f.get("fate") == "blocked" for f in fs):
        return "blocked"
    drops = [f for f in fs if f.get("fate") == "dropped"]
    if drops:
        return str(drops[-1].get("reason") or "dropped")
    action = verdict(event).get("action")
    if action == "block":
        return "blocked"
    if action == "ignore":
        return "ignored"
    if action == "answer":
        return "no_reply"
    return "thanked"


def is_blocked(event: Mapping[str, Any]) -> bool:
    return verdict(event).get("action") == "block" or any(f.get("fate") == "blocked" for f in fates(event))


def blocked_topic(event: Mapping[str, Any]) -> str:
    """The banned topic (or spam, injection) that blocked the event."""
    for f in fates(event):
        if f.get("fate") == "blocked":
            detail = f.get("detail")
            if not isinstance(detail, Mapping):
                return "screen"
            return str(detail.get("topic") or detail.get("category") or "screen")
    v = verdict(event)
    return str(v.get("topic") or v.get("category") or "blocked")


def event_class(event: Mapping[str, Any]) -> str:
    """The kind of event the charts count: question, chitchat, gift, like, follow, join, ignored, blocked."""
    if is_blocked(event):
        return "blocked"
    kind = str(event.get("kind"))
    if kind != "comment":
        return kind
    if is_question(event):
        return "question"
    return "ignored" if verdict(event).get("action") == "ignore" and verdict(event).get("category") != "chitchat" \
        else "chitchat"


def latency_s(event: Mapping[str, Any], said: Mapping[str, Mapping[str, Any]]) -> float | None:
    """Comment to the first audio of the reply that answered it, in seconds (None when not answered)."""
    uid = answered_by(event)
    if uid is None:
        return None
    start = None  # the fate's own (unrounded) start, else the said entry's
    for f in fates(event):
        detail = f.get("detail")
        if f.get("fate") == "answered" and isinstance(detail, Mapping) and isinstance(detail.get("start"),
                                                                                        int | float):
            start = detail["start"]
            break
    if start is None:
        start = said.get(uid, {}).get("start")
    t = event.get("t")
    if not isinstance(start, int | float) or not isinstance(t, int | float):
        return None
    return float(start) - float(t)


def by_utterance(said: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(e["utterance_id"]): e for e in said if e.get("utterance_id")}
