"""The keys each renderer reads from its ``[renderers.NAME]`` table, typed, with their defaults.

:meth:`RendererOptions.of` validates a table (unknown keys refused) and works out what depends on the rest
of the settings (a relative path, the ``[overlay]`` section), so the factory and ``livehost config check``
see the same effective values. This module imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import Field

from agent.settings import Settings
from connectors.platforms.tables import ConnectorOptions, validate_table


class RendererOptions(ConnectorOptions):
    """Keys every ``[renderers.NAME]`` table has."""

    table: ClassVar[str] = ""  # the registry name, for messages
    enabled: bool = True  # false: the table is kept but the renderer is not built

    @classmethod
    def of(cls, options: Mapping[str, Any], settings: Settings) -> Self:
        """The effective options of one table; :class:`ConfigError` naming ``[renderers.NAME]`` and the key."""
        del settings
        return validate_table(cls, options, f"renderers.{cls.table}")


class OverlayOptions(RendererOptions):
    """``[renderers.overlay]``: overrides of the ``[overlay]`` section's keys (unset: as there)."""

    table = "overlay"
    enabled: bool | None = None  # type: ignore[assignment]  # unset: as in [overlay]
    host: str | None = None
    port: int | None = Field(None, ge=0, le=65535)
    ai_label: str | None = None

    @classmethod
    def of(cls, options: Mapping[str, Any], settings: Settings) -> Self:
        given = super().of(options, settings)
        return given.model_copy(update={k: v for k, v in settings.overlay.model_dump().items()
                                        if k in cls.model_fields and getattr(given, k) is None})


class VtsConfig(RendererOptions):
    """``[renderers.vtube_studio]``. ``expressions`` maps an utterance kind to a hotkey name or ID."""

    table = "vtube_studio"
    url: str = "ws://127.0.0.1:8001"
    plugin_name: str = "livehost"
    plugin_developer: str = "livehost"
    token_file: str = ".livehost/vtube_studio.token"  # unset: DATA_DIR/vtube_studio.token; relative: to settings
    token_env: str = "LIVEHOST_VTS_TOKEN"
    mouth_parameter: str = "MouthOpen"
    rate_hz: float = Field(30.0, ge=5, le=60)
    expressions: dict[str, str] = {}
    request_timeout_s: float = Field(5.0, gt=0)
    backoff_initial_s: float = Field(1.0, gt=0)
    backoff_max_s: float = Field(15.0, gt=0)

    @classmethod
    def of(cls, options: Mapping[str, Any], settings: Settings) -> Self:
        cfg = super().of(options, settings)
        if options.get("token_file") is None:
            path = settings.data_dir / "vtube_studio.token"
        else:
            path = Path(cfg.token_file) if Path(cfg.token_file).is_absolute() else settings.path(cfg.token_file)
        return cfg.model_copy(update={"token_file": str(path)})


class ObsConfig(RendererOptions):
    """``[renderers.obs]``. The password is read from the variable named by ``password_env``."""

    table = "obs"
    url: str = "ws://127.0.0.1:4455"
    password_env: str = "LIVEHOST_OBS_PASSWORD"
    caption_input: str = "livehost captions"
    clear_on_end: bool = True
    queue_size: int = Field(32, ge=1)
    request_timeout_s: float = Field(5.0, gt=0)
    backoff_initial_s: float = Field(1.0, gt=0)
    backoff_max_s: float = Field(15.0, gt=0)


class LiveTalkingConfig(RendererOptions):
    """``[renderers.livetalking]``. Routes are settings because they moved between LiveTalking versions."""

    table = "livetalking"
    base_url: str = "http://127.0.0.1:8010"
    sessionid: int | str = 0
    mode: Literal["echo", "chat"] = "echo"
    human_route: str = "/human"
    interrupt_route: str = "/interrupt_talk"
    is_speaking_route: str = "/is_speaking"
    token_env: str = ""  # optional bearer token (e.g. behind a reverse proxy); the variable's name only
    queue_size: int = Field(32, ge=1)
    timeout_s: float = Field(5.0, gt=0)
    backoff_initial_s: float = Field(0.5, gt=0)
    backoff_max_s: float = Field(10.0, gt=0)
