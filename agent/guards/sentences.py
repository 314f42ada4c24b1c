"""Cut an LLM token stream into sentences (EN/FR/ZH) as soon as each one ends, so speech and the guard can
start before the reply is finished.

A Latin '.', '!' or '?' ends a sentence only once the next character is known to be a space (or CJK text):
a stream may split '39' + '.90', and decimals, 'e.g.' or 'Mr.' must not be cut. CJK '。！？' need no space.
The first piece may be a clause (cut at a comma) so the voice starts sooner.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator

_LATIN_END = ".!?…"
_CJK_END = "。！？"
_CLOSERS = "\"'»”’)）】」』"
_LATIN_CLAUSE = ",;"
_CJK_CLAUSE = "，；"
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "approx", "mme", "mlle", "cf", "env", "fig",
    "inc", "ltd", "dept", "réf", "tél", "ex",
})
# An XML-like tag: the prompt wraps facts and viewer text in them (<viewer name="...">), and a small model
# sometimes echoes one. A letter must follow '<', so "<3" or "< 50 EUR" are left alone.
_TAG = re.compile(r"</?[A-Za-z_][\w:.-]*(?:\s[^<>]*)?/?>")
CLAUSE_MIN_CHARS = 24
CLAUSE_MIN_CJK = 8


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if _is_cjk(ch) and ch.isalnum())


def _abbreviation(buf: str, start: int, dot: int, final: bool) -> bool | None:
    """Is the '.' at ``dot`` part of an abbreviation? None: cannot tell until more text arrives."""
    k = dot
    while k > start and not buf[k - 1].isspace() and buf[k - 1] not in "(\"'«“":
        k -= 1
    word = buf[k:dot].lower()
    nxt = buf[dot + 1 :].lstrip()
    if "." in word and word.replace(".", "").isalpha():
        return True  # e.g. / i.e. / U.S.
    if word in _ABBREVIATIONS:
        return True
    if word in ("etc", "no", "nr", "n°"):
        if not nxt:
            return None if not final else False
        # 'etc.' ends the sentence before a capital; 'No.' is an abbreviation before a number.
        return not nxt[0].isupper() if word == "etc" else nxt[0].isdigit()
    return False


def _cut(buf: str, *, final: bool, clause: bool) -> tuple[list[str], str]:
    """Complete pieces at the front of ``buf`` and the unfinished rest. ``final``: no more text will come."""
    pieces: list[str] = []
    start = i = 0
    n = len(buf)

    def emit(end: int) -> None:
        nonlocal start
        piece = buf[start:end].strip()
        if piece:
            pieces.append(piece)
        start = end

    while i < n:
        ch = buf[i]
        if ch == "\n":
            emit(i + 1)
            i += 1
            continue
        if ch in _LATIN_END or ch in _CJK_END:
            j = i + 1
            while j < n and (buf[j] in _LATIN_END or buf[j] in _CJK_END or buf[j] in _CLOSERS):
                j += 1
            if j == n and not final:
                break  # the next token decides ('39.' + '90', '!' + '!')
            cjk = any(c in _CJK_END for c in buf[i:j])
            boundary = cjk or j == n or buf[j].isspace() or _is_cjk(buf[j])
            if boundary and not cjk and ch == "." and j == i + 1:
                abbr = _abbreviation(buf, start, i, final)
                if abbr is None:
                    break
                boundary = not abbr
            if boundary:
                emit(j)
            i = j
            continue
        if clause and not pieces and (ch in _CJK_CLAUSE or ch in _LATIN_CLAUSE):
            if ch in _LATIN_CLAUSE and i + 1 < n and not buf[i + 1].isspace():
                i += 1
                continue
            if ch in _LATIN_CLAUSE and i + 1 == n and not final:
                break  # '1,' + '299' is a number, not a clause
            head = buf[start : i + 1].strip()
            if len(head) >= CLAUSE_MIN_CHARS or _cjk_count(head) >= CLAUSE_MIN_CJK:
                emit(i + 1)
        i += 1
    rest = buf[start:]
    if final:
        emit(n)
        rest = ""
    return pieces, rest


def _force(rest: str, max_chars: int) -> tuple[list[str], str]:
    """A run-on with no punctuation: cut at the last space before ``max_chars`` so speech never stalls."""
    pieces: list[str] = []
    while len(rest) > max_chars:
        cut = rest.rfind(" ", 0, max_chars)
        cut = cut if cut > 0 else max_chars
        head, rest = rest[:cut].strip(), rest[cut:]
        if head:
            pieces.append(head)
    return pieces, rest


async def sentences(
    tokens: AsyncIterable[str], first_clause: bool = True, *, max_chars: int = 400
) -> AsyncIterator[str]:
    """Yield each sentence of the stream once it is complete (the first may be an early clause)."""
    buf = ""
    clause = first_clause
    async for token in tokens:
        buf += token
        pieces, buf = _cut(buf, final=False, clause=clause)
        more, buf = _force(buf, max_chars)
        for piece in pieces + more:
            clause = False
            yield piece
    pieces, _ = _cut(buf, final=True, clause=False)
    for piece in pieces:
        yield piece


def strip_markup(text: str) -> str:
    """``text`` without tags, whitespace collapsed: markup is never spoken."""
    return " ".join(_TAG.sub(" ", text).split())


def split_sentences(text: str) -> list[str]:
    """All sentences of a finished text."""
    return _cut(text, final=True, clause=False)[0]
