"""Typed settings tables for connectors: the base of every platform's and renderer's model, and its errors.

Each ``[platforms.NAME]`` and ``[renderers.NAME]`` table is validated against the model its registry names,
with unknown keys refused, so a mistyped key stops the program instead of being silently ignored. A problem
is a :class:`ConfigError` naming the settings file (and the line, when it can be found), the table and the key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


class ConnectorOptions(BaseModel):
    """Base of every connector's settings model: frozen, and an unknown key is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """A settings table as a plain dict, without the keys set to None (None means "the default")."""
    return {k: v for k, v in data.items() if v is not None}


def _table_path(table: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"').strip("'") for part in table.split("."))


def find_line(text: str | None, table: str, key: str) -> int | None:
    """The 1-based line of ``key`` inside the ``[table]`` of a TOML text, or the table's header line when
    the key is not written there or is empty (None when neither is found, e.g. an inline table)."""
    if not text:
        return None
    want = _table_path(table)
    first = key.split(".", 1)[0]
    key_line = re.compile(rf"""^\s*(["']?){re.escape(first)}\1\s*[.=]""")
    header: int | None = None
    inside = False
    for n, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m:
            inside = _table_path(m.group(1)) == want
            if inside and header is None:
                header = n
            continue
        if inside and key and key_line.match(line):
            return n
    return header


def where(source: str | Path | None, line: int | None) -> str:
    if source is None:
        return ""
    return f"{source}:{line}: " if line else f"{source}: "


class TableError(ConfigError):
    """A problem in one connector table. The message reads ``FILE:LINE: [TABLE] ... 'KEY' ...``; the parts are
    kept too (``source`` and ``line`` None when unknown, ``key`` empty for the table as a whole)."""

    def __init__(self, reason: str, *, table: str, key: str = "", source: str | Path | None = None,
                 line: int | None = None) -> None:
        self.table = table
        self.key = key
        self.source = None if source is None else str(source)
        self.line = line
        self.reason = reason
        super().__init__(f"{where(source, line)}[{table}] {reason}")


def table_problems(
    exc: ValidationError,
    table: str,
    model: type[BaseModel],
    *,
    source: str | Path | None = None,
    text: str | None = None,
) -> list[ConfigError]:
    """One :class:`TableError` per problem pydantic found in ``[table]``, each naming file, table and key."""
    known = sorted(model.model_fields)
    out: list[ConfigError] = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "?"
        line = find_line(text, table, key)
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
            reason = f"unknown key '{key}' ({table}.{key}); {hint}"
        else:
            reason = f"key '{key}' ({table}.{key}): {err['msg']}"
        out.append(TableError(reason, table=table, key=key, source=source, line=line))
    return out


def one_error(problems: Sequence[ConfigError]) -> ConfigError:
    """Several problems as one error (one problem a line)."""
    if len(problems) == 1:
        return problems[0]
    return ConfigError("\n".join(str(p) for p in problems))


def validate_table(
    model: type[M], data: Mapping[str, Any], table: str, *, source: str | Path | None = None
) -> M:
    """``data`` as ``model``; a :class:`ConfigError` naming ``[table]`` and each bad key otherwise."""
    try:
        return model.model_validate(plain(data))
    except ValidationError as exc:
        raise one_error(table_problems(exc, table, model, source=source)) from exc
