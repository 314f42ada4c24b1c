"""Typed reads of a platform's extra settings keys, and secrets from the variables ``*_env`` keys name.

``PlatformSettings`` allows extra keys so each connector can have its own; reading them through one helper
keeps type errors in one message format and keeps secrets out of the settings file and the logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

from agent.errors import ConfigError
from agent.settings import PlatformSettings

T = TypeVar("T")


def opt(settings: PlatformSettings, key: str, default: T) -> T:
    """The extra key ``key`` coerced to the type of ``default`` (or ``default`` when unset)."""
    extra: Mapping[str, Any] = settings.model_extra or {}
    if key not in extra or extra[key] is None:
        return default
    value = extra[key]
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}  # type: ignore[return-value]
            return bool(value)  # type: ignore[return-value]
        if isinstance(default, int | float | str):
            return type(default)(value)  # type: ignore[return-value]
        if isinstance(default, tuple):
            if isinstance(value, str):
                return tuple(p.strip() for p in value.split(",") if p.strip())  # type: ignore[return-value]
            return tuple(value)  # type: ignore[return-value]
        if isinstance(default, dict):
            return dict(value)  # type: ignore[return-value]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"platform setting '{key}': expected {type(default).__name__}") from exc
    return value  # type: ignore[no-any-return]


def secret(settings: PlatformSettings, key: str, default_env: str) -> str:
    """The secret held by the environment variable named by setting ``key`` (default ``default_env``)."""
    env_name = opt(settings, key, default_env)
    return os.environ.get(env_name, "") if env_name else ""
