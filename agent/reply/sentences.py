"""Cut an LLM token stream into sentences (EN/FR/ZH) as soon as each one ends, so speech and the guard can
start before the reply is finished.

A Latin '.', '!' or '?' ends a sentence only once the next character is known to be a space (or CJK text):
a stream may split '39' + '.90', and decimals, 'e.g.' or 'Mr.' must not be cut. CJK '。！？' need no space.
The first piece may end early so the voice starts sooner (``FirstChunk``): at the first comma ("clause"),
or also before a number or a word that opens a phrase ("phrase": "The linen shirt | is made of 100% linen.",
"It looks great | with jeans.", "The tote is made of | 42 ..."). The writer guards the rest of that
sentence together with its start.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Literal

FirstChunk = Literal["sentence", "clause", "phrase"]

_LATIN_END = ".!?…"
_CJK_END = "。！？"
_CLOSERS = "\"'»”’)）】」』"
_LATIN_CLAUSE = ",;:"
_CJK_CLAUSE = "，；：、"
CLAUSE_MARKS = _LATIN_CLAUSE + _CJK_CLAUSE  # where an early first clause may end
_CURRENCY = "$€£¥₹"
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "approx", "mme", "mlle", "cf", "env", "fig",
    "inc", "ltd", "dept", "réf", "tél", "ex",
})
# An XML-like tag: the prompt wraps facts and viewer text in them (<viewer name="...">), and a small model
# sometimes echoes one. A letter must follow '<', so "<3" or "< 50 EUR" are left alone.
_TAG = re.compile(r"</?[A-Za-z_][\w:.-]*(?:\s[^<>]*)?/?>")
CLAUSE_MIN_CHARS = 24
CLAUSE_MIN_CJK = 8
# "phrase": shorter first pieces, cut at a clause mark or before a number or a phrase opener
PHRASE_MIN_CHARS = 12
PHRASE_MIN_CJK = 5
PHRASE_MIN_WORDS = 3
# Words a spoken phrase can start with: conjunctions, relatives, prepositions, and the verbs that follow a
# product's name ("The cashmere scarf | is made of ..."), EN/FR/ES/DE. Not "of"/"de" ("made | of" is too
# tight) nor "that"/"que" (also determiners and comparatives).
_OPENERS = frozenset({
    "and", "but", "or", "so", "because", "which", "who", "with", "for", "from", "while", "when", "if",
    "since", "in", "on", "at", "et", "mais", "ou", "donc", "car", "qui", "avec", "pour", "dans", "quand",
    "si", "parce", "depuis", "y", "pero", "con", "para", "porque", "und", "aber", "mit", "für", "weil",
    "is", "are", "costs", "comes", "has", "est", "sont", "coûte", "coûtent", "existe", "es", "son",
    "cuesta", "ist", "sind", "kostet",
})


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


def _long_enough(head: str, phrase: bool) -> bool:
    if phrase:
        return (len(head) >= PHRASE_MIN_CHARS and len(head.split()) >= PHRASE_MIN_WORDS) or (
            _cjk_count(head) >= PHRASE_MIN_CJK)
    return len(head) >= CLAUSE_MIN_CHARS or _cjk_count(head) >= CLAUSE_MIN_CJK


def _phrase_start(buf: str, i: int, final: bool) -> int | None:
    """Where a phrase starts at ``buf[i]``, if one does: a number (not one glued to a word: 'T3'), or an
    opener word once it is complete. None: no phrase starts here, or the next token decides."""
    ch = buf[i]
    prev = buf[i - 1] if i else " "
    if (ch.isdigit() or ch in _CURRENCY) and (prev.isspace() or _is_cjk(prev)):
        return i
    if not prev.isspace() or not ch.isalpha():
        return None
    j = i
    while j < len(buf) and buf[j].isalpha():
        j += 1
    if j == len(buf) and not final:
        return None  # 'and' + 'roid'
    return i if buf[i:j].lower() in _OPENERS and j < len(buf) and buf[j].isspace() else None


def _cut(buf: str, *, final: bool, first: FirstChunk) -> tuple[list[str], str]:
    """Complete pieces at the front of ``buf`` and the unfinished rest. ``final``: no more text will come.
    ``first``: how the first piece may end before its sentence does (only while no piece was cut yet)."""
    pieces: list[str] = []
    start = i = 0
    n = len(buf)
    phrase = first == "phrase"

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
        early = first != "sentence" and not pieces and not final
        if early and ch in CLAUSE_MARKS:
            if ch in _LATIN_CLAUSE and i + 1 < n and not buf[i + 1].isspace():
                i += 1
                continue
            if ch in _LATIN_CLAUSE and i + 1 == n:
                break  # '1,' + '299' is a number, not a clause
            if _long_enough(buf[start : i + 1].strip(), phrase):
                emit(i + 1)
        elif early and phrase and _long_enough(buf[start:i].strip(), phrase):
            if (cut := _phrase_start(buf, i, final)) is not None:
                emit(cut)
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
    tokens: AsyncIterable[str], first: FirstChunk = "sentence", *, max_chars: int = 400
) -> AsyncIterator[str]:
    """Yield each sentence of the stream once it is complete (the first piece may end early: ``first``)."""
    buf = ""
    mode: FirstChunk = first
    async for token in tokens:
        buf += token
        pieces, buf = _cut(buf, final=False, first=mode)
        more, buf = _force(buf, max_chars)
        for piece in pieces + more:
            mode = "sentence"
            yield piece
    pieces, _ = _cut(buf, final=True, first="sentence")
    for piece in pieces:
        yield piece


def strip_markup(text: str) -> str:
    """``text`` without tags, whitespace collapsed: markup is never spoken."""
    return " ".join(_TAG.sub(" ", text).split())


def split_sentences(text: str) -> list[str]:
    """All sentences of a finished text."""
    return _cut(text, final=True, first="sentence")[0]


def ends_sentence(piece: str) -> bool:
    """Does ``piece`` end its sentence (rather than being an early first clause or phrase)?"""
    core = piece.rstrip(_CLOSERS + " \t\n\u00a0")
    return not core or core[-1] in _LATIN_END or core[-1] in _CJK_END
