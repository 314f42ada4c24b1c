"""One banned topic = one TOML file that moderators edit; this module parses and validates it.

Validation happens before anything goes live, and every error names the file, the key and the reason, so
a moderator can fix a typo from the console message alone.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from agent.errors import ConfigError

_LISTS = ("keywords", "patterns", "examples", "allow")
_TOP_KEYS = frozenset({"description", "scope", "category", "embedding_threshold", *_LISTS})
_SCOPES = frozenset({"comments", "output"})
# What a match means: a banned topic (blocked), spam (blocked, never shown), an injection attempt (blocked), or
# "allowed": phrases that look close to a topic but are fine (the semantic layer's negatives; never a match).
CATEGORIES = ("banned", "spam", "injection", "allowed")
_LANG = re.compile(r"^(any|[a-z]{2,3}(-[a-z]{2,4})?)$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class TopicError(ConfigError):
    """A topic file is invalid; the message is ``file: key 'k': reason``."""

    def __init__(self, source: str, key: str | None, reason: str) -> None:
        self.source = source
        self.key = key
        self.reason = reason
        where = f"{source}: key '{key}'" if key else source
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class Topic:
    """A validated topic. ``keywords`` etc. hold (language, text) pairs; patterns are compiled."""

    name: str
    description: str
    source: str
    keywords: tuple[tuple[str, str], ...] = ()
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()
    examples: tuple[tuple[str, str], ...] = ()
    allow: tuple[tuple[str, str], ...] = ()
    scope: frozenset[str] = _SCOPES
    category: str = "banned"
    embedding_threshold: float | None = None

    @property
    def blocks(self) -> bool:
        return self.category != "allowed"


def parse_topic(name: str, text: str, source: str) -> Topic:
    """Parse and validate one topic file's text. Raises :class:`TopicError`."""
    if not NAME.match(name):
        raise TopicError(source, None, "file name must be lowercase letters, digits, '_' or '-' + .toml")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TopicError(source, None, f"not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise TopicError(source, unknown[0], f"unknown key (expected one of {sorted(_TOP_KEYS)})")
    desc = data.get("description")
    if not isinstance(desc, str) or not desc.strip():
        raise TopicError(source, "description", "required: a non-empty string saying what the topic covers")
    scope_v = data.get("scope", sorted(_SCOPES))
    if not isinstance(scope_v, list) or not scope_v or any(s not in _SCOPES for s in scope_v):
        raise TopicError(source, "scope", f"must be a non-empty list drawn from {sorted(_SCOPES)}")
    category = data.get("category", "banned")
    if category not in CATEGORIES:
        raise TopicError(source, "category", f"must be one of {list(CATEGORIES)}")
    threshold = data.get("embedding_threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                                  or not -1.0 <= threshold <= 2.0):
        raise TopicError(source, "embedding_threshold", "must be a number between -1 and 2 (a similarity margin)")
    lists = {k: _lang_lists(data.get(k, {}), k, source) for k in _LISTS}
    patterns: list[tuple[str, re.Pattern[str]]] = []
    for key, lang, i, pat in _indexed(lists["patterns"], "patterns"):
        try:
            patterns.append((lang, re.compile(pat, re.IGNORECASE)))
        except re.error as exc:
            raise TopicError(source, f"{key}[{i}]", f"bad regex {pat!r}: {exc}") from exc
        if patterns[-1][1].search(""):
            raise TopicError(source, f"{key}[{i}]", f"regex {pat!r} matches the empty string (would block all)")
    for key, _lang, i, kw in _indexed(lists["keywords"], "keywords"):
        core = kw.rstrip("*").strip()
        if len(core) < 2:
            raise TopicError(source, f"{key}[{i}]", f"keyword {kw!r} is too short (2 characters at least)")
    return Topic(
        name=name,
        description=desc.strip(),
        source=source,
        keywords=tuple((lang, kw) for _, lang, _, kw in _indexed(lists["keywords"], "keywords")),
        patterns=tuple(patterns),
        examples=tuple((lang, s) for _, lang, _, s in _indexed(lists["examples"], "examples")),
        allow=tuple((lang, s) for _, lang, _, s in _indexed(lists["allow"], "allow")),
        scope=frozenset(scope_v),
        category=category,
        embedding_threshold=None if threshold is None else float(threshold),
    )


def _lang_lists(value: object, key: str, source: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise TopicError(source, key, "must be a table of language = [strings], e.g. en = [\"...\"]")
    out: dict[str, list[str]] = {}
    for lang, items in value.items():
        if not _LANG.match(lang):
            raise TopicError(source, f"{key}.{lang}", "language must be a code like en, fr, zh or 'any'")
        if not isinstance(items, list):
            raise TopicError(source, f"{key}.{lang}", "must be a list of strings")
        for i, s in enumerate(items):
            if not isinstance(s, str) or not s.strip():
                raise TopicError(source, f"{key}.{lang}[{i}]", "must be a non-empty string")
        out[lang] = [s.strip() for s in items]
    return out


def _indexed(lists: dict[str, list[str]], key: str) -> list[tuple[str, str, int, str]]:
    return [(f"{key}.{lang}", lang, i, s) for lang, items in lists.items() for i, s in enumerate(items)]
