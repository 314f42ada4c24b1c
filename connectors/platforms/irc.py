"""IRCv3 lines with message tags, as Twitch chat sends them (several lines may share one WebSocket frame)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from agent.errors import ProtocolError

_UNESCAPE = {"s": " ", ":": ";", "\\": "\\", "r": "\r", "n": "\n"}
_ESCAPE = {" ": "\\s", ";": "\\:", "\\": "\\\\", "\r": "\\r", "\n": "\\n"}


@dataclass(frozen=True, slots=True)
class Line:
    command: str
    params: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""

    @property
    def nick(self) -> str:
        return self.prefix.split("!", 1)[0]

    @property
    def trailing(self) -> str:
        return self.params[-1] if self.params else ""


def unescape_tag(value: str) -> str:
    """Tag value escapes; an unknown escape drops the backslash and a trailing lone backslash is dropped."""
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            if i + 1 < len(value):
                nxt = value[i + 1]
                out.append(_UNESCAPE.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def escape_tag(value: str) -> str:
    return "".join(_ESCAPE.get(ch, ch) for ch in value)


def parse_line(raw: str) -> Line:
    """One IRC line (without CRLF). Raises :class:`ProtocolError` on a line with no command."""
    rest = raw
    tags: dict[str, str] = {}
    if rest.startswith("@"):
        head, _, rest = rest[1:].partition(" ")
        for item in head.split(";"):
            if item:
                key, _, val = item.partition("=")
                tags[key] = unescape_tag(val)
        rest = rest.lstrip(" ")
    prefix = ""
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    trailing: str | None = None
    if " :" in rest:
        rest, _, trailing = rest.partition(" :")
    elif rest.startswith(":"):
        trailing, rest = rest[1:], ""
    parts = rest.split()
    if not parts:
        raise ProtocolError("IRC line without a command")
    params = tuple(parts[1:]) + ((trailing,) if trailing is not None else ())
    return Line(command=parts[0].upper(), params=params, tags=tags, prefix=prefix)


def split_frame(frame: str) -> Iterator[str]:
    """The non-empty lines of a frame."""
    for raw in frame.split("\n"):
        line = raw.rstrip("\r")
        if line:
            yield line


def format_line(command: str, *params: str, tags: Mapping[str, str] | None = None, prefix: str = "") -> str:
    """A line for servers (the fake) and clients; the last param becomes trailing when it needs to."""
    out = ""
    if tags:
        out += "@" + ";".join(f"{k}={escape_tag(v)}" for k, v in tags.items()) + " "
    if prefix:
        out += f":{prefix} "
    out += command
    if params:
        *middle, last = params
        if middle:
            out += " " + " ".join(middle)
        out += f" :{last}" if (not last or " " in last or last.startswith(":")) else f" {last}"
    return out
