"""Every ``[platforms.NAME]`` and ``[renderers.NAME]`` table checked against its connector's typed model.

``agent`` cannot know the connectors' keys (it never imports ``connectors``), so ``load_settings`` keeps these
tables raw and this module checks them: where the show builds its connectors
(:func:`ensure_connector_settings`), and for ``livehost config check`` (:func:`config_check_lines`, pure: it
returns the lines to print). Each problem is a :class:`ConfigError` naming the settings file, the line when
it can be found, the table and the key.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agent.errors import ConfigError
from agent.settings import Settings
from connectors.platforms.registry import OPTIONS as PLATFORM_OPTIONS
from connectors.platforms.registry import with_platform
from connectors.platforms.tables import TableError, find_line, one_error, plain, table_problems
from connectors.renderers.registry import OPTIONS as RENDERER_OPTIONS

SECRET_KEYS = frozenset({"code"})  # keys holding a secret value themselves (bilibili_open's identity code)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One connector table: its effective typed values, or what is wrong with it."""

    table: str  # "platforms.douyin"
    values: BaseModel | None
    errors: tuple[ConfigError, ...] = ()


def settings_file(settings: Settings, source: str | Path | None = None) -> Path:
    """The settings file to name in messages: ``source`` when given, else the one ``load_settings`` reads by
    default ($LIVEHOST_SETTINGS, else settings.toml in the settings' folder)."""
    if source:
        return Path(source)
    env = os.environ.get("LIVEHOST_SETTINGS")
    return Path(env) if env else Path(settings.root) / "settings.toml"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _unknown(kind: str, name: str, known: Mapping[str, Any], table: str, source: Path, text: str | None,
             ) -> ConfigError:
    return TableError(f"unknown {kind} '{name}' (known: {', '.join(sorted(known))})", table=table, source=source,
                      line=find_line(text, table, ""))


def _check_platform(name: str, settings: Settings, source: Path, text: str | None) -> TableCheck:
    table = f"platforms.{name}"
    model = PLATFORM_OPTIONS.get(name)
    if model is None:
        return TableCheck(table, None, (_unknown("platform", name, PLATFORM_OPTIONS, table, source, text),))
    data = with_platform(name, settings.platforms[name], model).model_dump()
    try:
        return TableCheck(table, model.model_validate(plain(data)))
    except ValidationError as exc:
        return TableCheck(table, None, tuple(table_problems(exc, table, model, source=source, text=text)))


def _check_renderer(name: str, settings: Settings, source: Path, text: str | None) -> TableCheck:
    table = f"renderers.{name}"
    model = RENDERER_OPTIONS.get(name)
    if model is None:
        return TableCheck(table, None, (_unknown("renderer", name, RENDERER_OPTIONS, table, source, text),))
    raw = settings.renderers[name]
    try:
        model.model_validate(plain(raw))
        return TableCheck(table, model.of(raw, settings))  # with the values that depend on other settings
    except ValidationError as exc:
        return TableCheck(table, None, tuple(table_problems(exc, table, model, source=source, text=text)))


def connector_tables(settings: Settings, source: str | Path | None = None) -> list[TableCheck]:
    """Each ``[platforms.*]`` then each ``[renderers.*]`` table, checked, in the settings' order."""
    path = settings_file(settings, source)
    text = _read(path)
    return ([_check_platform(name, settings, path, text) for name in settings.platforms]
            + [_check_renderer(name, settings, path, text) for name in settings.renderers])


def check_connector_settings(settings: Settings, source: str | Path | None = None) -> list[ConfigError]:
    """Every problem in the connector tables (empty when they are all valid)."""
    return [err for check in connector_tables(settings, source) for err in check.errors]


def ensure_connector_settings(settings: Settings, source: str | Path | None = None) -> None:
    """Raise one :class:`ConfigError` listing every problem in the connector tables (one a line), if any."""
    problems = check_connector_settings(settings, source)
    if problems:
        raise one_error(problems)


def _toml(value: Any) -> str:
    if value is None:
        return "(auto)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = ", ".join(f"{k if _BARE_KEY.match(str(k)) else json.dumps(str(k), ensure_ascii=False)} = "
                          f"{_toml(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _value_lines(values: BaseModel, environ: Mapping[str, str]) -> list[str]:
    out = []
    for key, value in values.model_dump().items():
        if key in SECRET_KEYS and value:
            out.append(f"{key} = \"***\"")
        elif key.endswith("_env") and isinstance(value, str) and value:
            out.append(f"{key} = {_toml(value)}  # {'set' if environ.get(value) else 'unset'}")
        else:
            out.append(f"{key} = {_toml(value)}")
    return out


def config_check_lines(settings: Settings, source: str | Path | None = None, *,
                       environ: Mapping[str, str] | None = None) -> list[str]:
    """What ``livehost config check`` prints for the connectors: each table with its effective typed values
    (secrets masked; for each ``*_env`` key whether its variable is set), or its errors as ``error: ...``
    lines. Pure but for reading the settings file (for line numbers) and ``environ`` (default: os.environ)."""
    env = os.environ if environ is None else environ
    checks = connector_tables(settings, source)
    if not checks:
        return ["# no [platforms.*] or [renderers.*] table (the overlay is built in)"]
    lines: list[str] = []
    for check in checks:
        if lines:
            lines.append("")
        lines.append(f"[{check.table}]")
        if check.values is not None:
            lines += _value_lines(check.values, env)
        lines += [f"error: {err}" for err in check.errors]
    return lines
