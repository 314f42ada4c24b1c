"""Platform name -> connector factory, by import path, so that only the chosen connector is imported.

A factory is any callable ``(settings: PlatformSettings, clock: Clock) -> EventSource``: a connector class
with that constructor, or a classmethod named as ``module:Class.method``. Adding a platform is one line
here and one module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType

from agent.clock import Clock
from agent.errors import ConfigError
from agent.ports import EventSource
from agent.settings import PlatformSettings

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


def create_source(
    name: str, settings: PlatformSettings, clock: Clock, table: Mapping[str, str] = PLATFORMS
) -> EventSource:
    """Build the connector for platform ``name``. Connectors that serve several names read it from
    the ``platform`` setting, which defaults to the registry name."""
    if "platform" not in (settings.model_extra or {}):
        settings = settings.model_copy(update={"platform": name})
    return load_factory(name, table)(settings, clock)
