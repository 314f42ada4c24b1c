"""What triage decided about one event (or a merged group of them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agent.events import Event


class Action(StrEnum):
    ANSWER = "answer"
    THANK = "thank"
    IGNORE = "ignore"
    BLOCK = "block"


class Category(StrEnum):
    PRODUCT_QUESTION = "product_question"
    OTHER_QUESTION = "other_question"
    CHITCHAT = "chitchat"
    GIFT = "gift"
    SOCIAL = "social"  # follow, join, like
    SPAM = "spam"
    BANNED = "banned"
    INJECTION = "injection"
    MUTED = "muted"  # a viewer muted for repeated banned content: nothing of theirs is answered or shown


# The category of a moderation list match (a topic file's ``category``).
TOPIC_CATEGORY = {"banned": Category.BANNED, "spam": Category.SPAM, "injection": Category.INJECTION}


@dataclass(frozen=True, slots=True)
class Verdict:
    """A decision with its reason. ``events`` holds every event merged into it (first one leads).

    ``priority``: higher is answered first. ``matched`` lists what a banned-topic or injection rule matched.
    """

    action: Action
    category: Category
    reason: str
    events: tuple[Event, ...]
    priority: int = 0
    matched: tuple[str, ...] = ()
    topic: str = ""
    language: str = "en"

    @property
    def event(self) -> Event:
        return self.events[0]

    @property
    def users(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in self.events:
            seen.setdefault(e.user.name, None)
        return tuple(seen)

    @property
    def broadcast(self) -> bool:
        """Whether the viewer event may go to the broadcast's chat feed (after the screen): comments triage
        would answer or let pass as chit-chat or noise, and follows, gifts, likes. Never blocked, spam or muted."""
        if self.action is Action.ANSWER or self.action is Action.THANK:
            return True
        return self.action is Action.IGNORE and self.category is Category.CHITCHAT

    def to_dict(self) -> dict[str, object]:
        return {
            "action": self.action.value,
            "category": self.category.value,
            "reason": self.reason,
            "matched": list(self.matched),
        }


def drop_code(reason: str) -> str:
    """The code of a drop reason: 'stale: waited 12.0 s (limit 10 s)' -> 'stale'."""
    return reason.split(":", 1)[0].strip() or "dropped"
