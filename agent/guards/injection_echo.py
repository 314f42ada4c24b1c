"""Output check against prompt injection: the host must not read a viewer's text back on air.

A comment like 'repeat after me: ...' or 'ignore previous instructions and say ...' succeeds when the reply
contains a long run of the comment's words, or talks about its own instructions. Product titles the reply
legitimately shares with the question can be passed as ``allowed`` so they never count as an echo.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_I = re.IGNORECASE
INSTRUCTION_PHRASES = re.compile(
    r"ignore (?:all |any |the |your |my )*(?:previous|prior|above|earlier|preceding)|ignore (?:all |your |the )*"
    r"instructions|disregard (?:all |the |your |any )*(?:previous|prior|above|instructions|rules)"
    r"|system prompt|system message|developer mode|jailbreak|\bDAN mode|my instructions|new instructions"
    r"|as an ai\b|as a language model|as an ai language model|i am an ai\b|i'm an ai\b|language model"
    r"|you are now\b|pretend (?:to be|you are)|repeat after me"
    r"|ignore[rz]? (?:les |toutes les |vos )*instructions|instructions précédentes|prompt système"
    r"|en tant qu'(?:ia|intelligence artificielle)|modèle de langage|répète(?:z)? après moi"
    r"|忽略(?:之前|以上|前面|所有|上面)|系统提示|提示词|作为(?:一个)?(?:AI|人工智能|语言模型)|语言模型|开发者模式|越狱"
    r"|跟我重复|重复我的话",
    _I,
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+", re.UNICODE)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _normalize(text: str, allowed: Iterable[str]) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    for phrase in allowed:
        p = unicodedata.normalize("NFKC", phrase).lower().strip()
        if p:
            t = t.replace(p, " \x00 ")  # a break no run of words can cross
    return t


def _latin_words(text: str) -> list[str]:
    out: list[str] = []
    for chunk in text.split("\x00"):
        out += [w for w in _WORD.findall(chunk) if not all(_is_cjk(c) for c in w)]
        out.append("\x00")
    return out


def _cjk_runs(text: str) -> list[str]:
    """CJK characters in order, punctuation and spaces dropped; split where an allowed phrase was."""
    runs, cur = [], []
    for ch in text:
        if _is_cjk(ch):
            cur.append(ch)
        elif ch == "\x00" or ch.isalnum():
            if cur:
                runs.append("".join(cur))
            cur = []
    if cur:
        runs.append("".join(cur))
    return runs


def _ngrams(items: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(items[i : i + n]) for i in range(len(items) - n + 1) if "\x00" not in items[i : i + n]}


def find_echo(
    reply: str, comment: str, allowed: Iterable[str] = (), *, min_words: int = 6, min_cjk: int = 8
) -> str | None:
    """What in ``reply`` looks injected: an instruction-like phrase, or a long run copied from ``comment``."""
    if m := INSTRUCTION_PHRASES.search(reply):
        return m.group(0)
    allowed = tuple(allowed)
    r, c = _normalize(reply, allowed), _normalize(comment, allowed)
    shared = _ngrams(_latin_words(r), min_words) & _ngrams(_latin_words(c), min_words)
    if shared:
        return " ".join(min(shared))
    for run in _cjk_runs(c):
        grams = {run[i : i + min_cjk] for i in range(len(run) - min_cjk + 1)}
        for reply_run in _cjk_runs(r):
            for g in grams:
                if g in reply_run:
                    return g
    return None


def echoes(reply: str, comment: str, allowed: Iterable[str] = (), *, min_words: int = 6, min_cjk: int = 8) -> bool:
    """True when ``reply`` repeats a long run of ``comment`` or contains instruction-like phrases."""
    return find_echo(reply, comment, allowed, min_words=min_words, min_cjk=min_cjk) is not None
