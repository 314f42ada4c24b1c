"""A small, dependency-free parser for the YAML subset product sheets use in their front matter.

Why not PyYAML: it is not a dependency, and errors must point at the exact line in the sheet. Supported:
``key: value`` scalars, ``[a, b]`` and ``{k: v}`` inline collections, block lists of scalars or of
mappings (``- name: M`` followed by indented ``price: 12``), quotes, ``#`` comments, numbers, booleans, null.
Every value's line is recorded under its path, e.g. ``("variants", 0, "price")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.errors import InputError

Path_ = tuple[str | int, ...]

_KEY = re.compile(r"^([A-Za-z_][\w\- ]*?)\s*:(?:\s+(.*))?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Parsed front matter, the body after it, and where every value sits in the file."""

    data: dict[str, Any]
    body: str
    body_line: int
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int:
        """The line of ``path``, or of its nearest parent that has one (1 when none)."""
        p: Path_ = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return 1


def split_front_matter(text: str, source: str) -> FrontMatter:
    """Split ``---``-fenced front matter from the body and parse it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, text, 1, {})
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise InputError(source, 1, None, "front matter opened with '---' is never closed")
    data, where = _Parser(lines[1:end], source, first_line=2).parse()
    return FrontMatter(data, "\n".join(lines[end + 1 :]), end + 2, where)


class _Parser:
    def __init__(self, lines: list[str], source: str, first_line: int) -> None:
        self.source = source
        self.rows: list[tuple[int, int, str]] = []  # (line number, indent, content)
        for i, raw in enumerate(lines):
            content = _strip_comment(raw).rstrip()
            if not content.strip():
                continue
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise InputError(source, first_line + i, None, "indent with spaces, not tabs")
            self.rows.append((first_line + i, len(content) - len(content.lstrip()), content.strip()))
        self.pos = 0
        self.where: dict[Path_, int] = {}

    def parse(self) -> tuple[dict[str, Any], dict[Path_, int]]:
        if not self.rows:
            return {}, {}
        value = self._mapping(self.rows[0][1], ())
        if self.pos < len(self.rows):
            line, _, content = self.rows[self.pos]
            raise InputError(self.source, line, None, f"unexpected indentation at {content!r}")
        return value, self.where

    def _mapping(self, indent: int, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while self.pos < len(self.rows):
            line, ind, content = self.rows[self.pos]
            if ind < indent:
                break
            if ind > indent:
                raise InputError(self.source, line, None, f"unexpected indentation at {content!r}")
            m = _KEY.match(content)
            if not m:
                raise InputError(self.source, line, None, f"expected 'key: value', got {content!r}")
            key, rest = m.group(1).strip(), (m.group(2) or "").strip()
            if key in out:
                raise InputError(self.source, line, key, "appears twice")
            self.pos += 1
            out[key] = self._value_after_key(rest, ind, path + (key,), line)
        return out

    def _value_after_key(self, rest: str, indent: int, path: Path_, line: int) -> Any:
        self.where[path] = line
        if rest:
            return self._scalar_or_inline(rest, line, path)
        if self.pos < len(self.rows):
            _, nxt_ind, nxt = self.rows[self.pos]
            if nxt.startswith("- ") or nxt == "-":
                if nxt_ind >= indent:
                    return self._list(nxt_ind, path)
            elif nxt_ind > indent:
                return self._mapping(nxt_ind, path)
        return None

    def _list(self, indent: int, path: Path_) -> list[Any]:
        out: list[Any] = []
        while self.pos < len(self.rows):
            line, ind, content = self.rows[self.pos]
            if ind != indent or not (content.startswith("- ") or content == "-"):
                break
            item_path = path + (len(out),)
            self.where[item_path] = line
            rest = content[1:].strip()
            m = _KEY.match(rest)
            if m and not rest.startswith(("{", "[", '"', "'")):
                # A mapping item: its first key sits on the dash line, the others are indented below it.
                child_indent = ind + content.index(rest)
                self.rows[self.pos] = (line, child_indent, rest)
                out.append(self._mapping(child_indent, item_path))
            else:
                self.pos += 1
                out.append(self._scalar_or_inline(rest, line, item_path) if rest else None)
        return out

    def _scalar_or_inline(self, text: str, line: int, path: Path_) -> Any:
        if text.startswith("[") or text.startswith("{"):
            value, end = _inline(text, 0, self.source, line)
            if text[end:].strip():
                raise InputError(self.source, line, _field(path), f"unexpected text after {text[:end]!r}")
            return value
        return _scalar(text, self.source, line, path)


def _field(path: Path_) -> str | None:
    names = [str(p) for p in path if isinstance(p, str)]
    return ".".join(names) if names else None


def _strip_comment(raw: str) -> str:
    quote = ""
    for i, ch in enumerate(raw):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or raw[i - 1] in " \t"):
            return raw[:i]
    return raw


def _scalar(text: str, source: str, line: int, path: Path_ = ()) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text[:1] in "\"'":
        raise InputError(source, line, _field(path), f"unterminated quote in {text!r}")
    low = text.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if low in ("null", "~", ""):
        return None
    if _NUMBER.match(text):
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    return text


def _inline(text: str, i: int, source: str, line: int) -> tuple[Any, int]:
    """Parse an inline ``[...]`` or ``{...}`` starting at ``text[i]``; returns the value and the end index."""
    opener = text[i]
    closer = "]" if opener == "[" else "}"
    items: list[Any] = []
    mapping: dict[str, Any] = {}
    i += 1
    while True:
        while i < len(text) and text[i] == " ":
            i += 1
        if i >= len(text):
            raise InputError(source, line, None, f"missing '{closer}'")
        if text[i] == closer:
            return (items if opener == "[" else mapping), i + 1
        key = None
        if opener == "{":
            j = text.find(":", i)
            if j < 0:
                raise InputError(source, line, None, "expected 'key: value' inside '{...}'")
            key = text[i:j].strip().strip("\"'")
            i = j + 1
            while i < len(text) and text[i] == " ":
                i += 1
        if i < len(text) and text[i] in "[{":
            value, i = _inline(text, i, source, line)
        else:
            j = i
            quote = text[i] if i < len(text) and text[i] in "\"'" else ""
            if quote:
                j = text.find(quote, i + 1)
                if j < 0:
                    raise InputError(source, line, key, "unterminated quote")
                j += 1
            while j < len(text) and text[j] not in ",]}":
                j += 1
            value = _scalar(text[i:j], source, line)
            i = j
        if key is None:
            items.append(value)
        else:
            mapping[key] = value
        while i < len(text) and text[i] == " ":
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1
