"""The parts of a question that asks two things: "How many cards fit, and how much is it?", "能连电脑吗？
蓝牙是几点几的？", "Il fait quelle taille et on le lave à combien ?".

A question splits after a question mark followed by more words, or before "and"/"et" followed by a question
word, or at a Chinese comma. Nothing here decides what a part asks: a part counts only when its own cue words
name an attribute the first answer does not cover (``agent.reply.planner``).
"""

from __future__ import annotations

import re

from agent.language import has_han

_AFTER_MARK = re.compile(r"(?<=[?？])\s*(?=\S)")
_AND_ASKS = re.compile(
    r"[,，]?\s+(?:and|also|plus|et|ou)\s+(?=(?:how|what|which|where|when|is|are|does|do|can|could|will|would|"
    r"should|quel|quelle|quels|quelles|comment|combien|est-ce|c'est|ça|on|il|elle|ils|elles|y a-t-il|peut-on)\b)",
    re.IGNORECASE,
)
_ZH_BREAK = re.compile(r"[，,；;]|还有|另外|以及|顺便问(?:一下)?")
MAX_PARTS = 3
# a part that asks something: a question mark, a question word, or a Chinese question particle
_ASKS = re.compile(r"[?？]|吗|多少|几[个点种天年]|什么|怎么|哪|多久|多大|多重|多高|多长|多宽"
                   r"|\b(?:how|what|which|where|when|is|are|does|do|can|combien|quel\w*|comment|est-ce)\b",
                   re.IGNORECASE)


def question_parts(question: str) -> list[str]:
    """The question's parts, in order (the whole question when it asks one thing)."""
    parts = [p for p in _AFTER_MARK.split(question.strip()) if p.strip()]
    if len(parts) == 1:
        parts = [p for p in _AND_ASKS.split(question.strip()) if p.strip()]
    if len(parts) == 1 and has_han(question):
        parts = [p for p in _ZH_BREAK.split(question.strip()) if p.strip()]
    return [p.strip() for p in parts[:MAX_PARTS]]


def asks_something(part: str) -> bool:
    """Does this part ask anything ("这个杯子" names a product; "多少钱？" asks)?"""
    return _ASKS.search(part) is not None
