"""Renderer name -> factory, by dotted import path, so unused renderers (and their imports) stay unloaded,
and renderer name -> the typed model of its ``[renderers.NAME]`` table (``connectors.renderers.options``).

Every factory has the same signature: ``create(options, *, settings, clock) -> Renderer`` where
``options`` is the renderer's settings table (e.g. ``[renderers.obs]``) as a mapping.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from agent.errors import ConfigError
from agent.ports import Clock, Renderer
from agent.settings import Settings
from connectors.renderers.options import LiveTalkingConfig, ObsConfig, OverlayOptions, RendererOptions, VtsConfig

Factory = Callable[..., Renderer]

RENDERERS: Mapping[str, str] = MappingProxyType({
    "overlay": "connectors.renderers.overlay:create",
    "vtube_studio": "connectors.renderers.vtube_studio:create",
    "obs": "connectors.renderers.obs:create",
    "livetalking": "connectors.renderers.livetalking:create",
})

# The keys each renderer's table may hold; an unknown key is an error (see connectors/platforms/config_check.py).
OPTIONS: Mapping[str, type[RendererOptions]] = MappingProxyType({
    "overlay": OverlayOptions,
    "vtube_studio": VtsConfig,
    "obs": ObsConfig,
    "livetalking": LiveTalkingConfig,
})


def renderer_options(name: str, options: Mapping[str, Any], settings: Settings) -> RendererOptions:
    """The ``[renderers.NAME]`` table typed by its renderer's model, with the values that depend on the rest of
    the settings worked out. :class:`ConfigError` for an unknown renderer, or naming the table and the key."""
    model = OPTIONS.get(name)
    if model is None:
        raise ConfigError(f"unknown renderer '{name}' (known: {', '.join(sorted(OPTIONS))})")
    return model.of(options, settings)


def load_factory(name: str, table: Mapping[str, str] = RENDERERS) -> Factory:
    """Import the factory registered as ``name`` (``module:attribute``)."""
    path = table.get(name)
    if path is None:
        raise ConfigError(f"unknown renderer '{name}' (known: {', '.join(sorted(table))})")
    module_name, _, attr = path.partition(":")
    factory = getattr(importlib.import_module(module_name), attr, None)
    if not callable(factory):
        raise ConfigError(f"renderer '{name}': {path} is not a factory")
    return factory  # type: ignore[no-any-return]


def create_renderer(
    name: str,
    options: Mapping[str, Any] | None = None,
    *,
    settings: Settings,
    clock: Clock,
    table: Mapping[str, str] = RENDERERS,
) -> Renderer:
    """Build one renderer from its settings table, validated first by its registered model; a bad option is a
    :class:`ConfigError` naming the table and the key."""
    from pydantic import ValidationError

    factory = load_factory(name, table)
    model = OPTIONS.get(name)
    if model is not None:
        model.of(dict(options or {}), settings)
    try:
        return factory(dict(options or {}), settings=settings, clock=clock)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"renderers.{name}.{key}: {first['msg']}") from exc
