"""Platform name -> connector factory, by import path, so that only the chosen connector is imported, and
platform name -> the typed model of its ``[platforms.NAME]`` table (``connectors.platforms.options``).

A factory is any callable ``(settings: PlatformSettings, clock: Clock) -> EventSource``: a connector class
with that constructor, or a classmethod named as ``module:Class.method``. Adding a platform is one line in
each table here, a model in ``options.py`` and one module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType

from agent.errors import ConfigError
from agent.ports import Clock, EventSource
from agent.settings import PlatformSettings
from connectors.platforms.options import (
    BilibiliOpenOptions,
    BilibiliOptions,
    BridgeOptions,
    DouyinOptions,
    PlatformOptions,
    ReplayOptions,
    TikTokOptions,
    TwitchEventSubOptions,
    TwitchIrcOptions,
    YouTubeOptions,
)

Factory = Callable[[PlatformSettings, Clock], EventSource]

PLATFORMS: Mapping[str, str] = MappingProxyType(
    {
        "replay": "connectors.platforms.replay:ReplaySource.from_settings",
        "bilibili": "connectors.platforms.bilibili:BilibiliSource",
        "bilibili_open": "connectors.platforms.bilibili_open:BilibiliOpenSource",
        "twitch": "connectors.platforms.twitch_irc:TwitchIrcSource",
        "twitch_eventsub": "connectors.platforms.twitch_eventsub:TwitchEventSubSource",
        "douyin": "connectors.platforms.douyin:DouyinSource",
        "youtube": "connectors.platforms.youtube:YouTubeSource",
        "taobao": "connectors.platforms.bridge:BridgeSource",
        "kuaishou": "connectors.platforms.bridge:BridgeSource",
        "jd": "connectors.platforms.bridge:BridgeSource",
        "tiktok": "connectors.platforms.tiktok:TikTokSource",
        "bridge": "connectors.platforms.bridge:BridgeSource",
    }
)

# The keys each platform's table may hold; an unknown key is an error (see connectors/platforms/config_check.py).
OPTIONS: Mapping[str, type[PlatformOptions]] = MappingProxyType(
    {
        "replay": ReplayOptions,
        "bilibili": BilibiliOptions,
        "bilibili_open": BilibiliOpenOptions,
        "twitch": TwitchIrcOptions,
        "twitch_eventsub": TwitchEventSubOptions,
        "douyin": DouyinOptions,
        "youtube": YouTubeOptions,
        "taobao": BridgeOptions,
        "kuaishou": BridgeOptions,
        "jd": BridgeOptions,
        "tiktok": TikTokOptions,
        "bridge": BridgeOptions,
    }
)


def names() -> list[str]:
    return sorted(PLATFORMS)


def load_factory(name: str, table: Mapping[str, str] = PLATFORMS) -> Factory:
    """Import the factory registered under ``name``; :class:`ConfigError` for an unknown name."""
    try:
        path = table[name]
    except KeyError:
        raise ConfigError(f"unknown platform '{name}' (known: {', '.join(sorted(table))})") from None
    module_name, _, attr = path.partition(":")
    target: object = importlib.import_module(module_name)
    for part in attr.split("."):  # "Class.from_settings" works too
        target = getattr(target, part)
    factory: Factory = target  # type: ignore[assignment]
    return factory


def platform_options(name: str, settings: PlatformSettings) -> PlatformOptions:
    """The ``[platforms.NAME]`` table typed by its connector's model, with the registry's ``platform`` default.

    :class:`ConfigError` for an unknown platform, or naming the table and each unknown or ill-typed key."""
    model = OPTIONS.get(name)
    if model is None:
        raise ConfigError(f"unknown platform '{name}' (known: {', '.join(sorted(OPTIONS))})")
    return model.of(with_platform(name, settings, model), name)


def with_platform(name: str, settings: PlatformSettings, model: type[PlatformOptions] | None) -> PlatformSettings:
    """Connectors that serve several names (the bridge) read it from the ``platform`` key, which defaults to
    the registry name."""
    if (model is None or "platform" in model.model_fields) and "platform" not in (settings.model_extra or {}):
        return settings.model_copy(update={"platform": name})
    return settings


def create_source(
    name: str, settings: PlatformSettings, clock: Clock, table: Mapping[str, str] = PLATFORMS
) -> EventSource:
    """Build the connector for platform ``name`` from its table, validated first by its registered model
    (a :class:`ConfigError` names the table and the key)."""
    factory = load_factory(name, table)
    model = OPTIONS.get(name)
    settings = with_platform(name, settings, model)
    if model is not None:
        model.of(settings, name)
    return factory(settings, clock)
