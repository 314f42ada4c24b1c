"""The renderer registry builds every renderer from a settings table, lazily, with clear config errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.clock import VirtualClock
from agent.errors import ConfigError
from agent.ports import Renderer
from agent.settings import Settings
from connectors.renderers.livetalking import LiveTalkingRenderer
from connectors.renderers.obs import ObsRenderer
from connectors.renderers.overlay import OverlayRenderer
from connectors.renderers.registry import RENDERERS, create_renderer
from connectors.renderers.vtube_studio import VtubeStudioRenderer


def settings(tmp_path: Path) -> Settings:
    return Settings.model_validate({"root": str(tmp_path), "show": {"name": "Shop", "data_dir": "data"}})


@pytest.mark.parametrize(
    ("name", "options", "cls"),
    [
        ("overlay", {"port": 0}, OverlayRenderer),
        ("vtube_studio", {"expressions": {"reply": "Smile"}}, VtubeStudioRenderer),
        ("obs", {"caption_input": "caps"}, ObsRenderer),
        ("livetalking", {"sessionid": 3}, LiveTalkingRenderer),
    ],
)
def test_every_registered_renderer_builds(name: str, options: dict[str, object], cls: type, tmp_path: Path) -> None:
    r = create_renderer(name, options, settings=settings(tmp_path), clock=VirtualClock())
    assert isinstance(r, cls) and isinstance(r, Renderer) and r.name == name
    assert set(RENDERERS) == {"overlay", "vtube_studio", "obs", "livetalking"}


def test_vts_token_file_defaults_under_data_dir(tmp_path: Path) -> None:
    r = create_renderer("vtube_studio", {}, settings=settings(tmp_path), clock=VirtualClock())
    assert isinstance(r, VtubeStudioRenderer)
    assert Path(r.config.token_file) == tmp_path / "data" / "vtube_studio.token"


def test_overlay_options_override_the_overlay_section(tmp_path: Path) -> None:
    r = create_renderer("overlay", {"ai_label": "Virtual host"}, settings=settings(tmp_path), clock=VirtualClock())
    assert isinstance(r, OverlayRenderer) and r.settings.ai_label == "Virtual host"


def test_unknown_renderer_and_bad_option_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown renderer 'nope'"):
        create_renderer("nope", {}, settings=settings(tmp_path), clock=VirtualClock())
    with pytest.raises(ConfigError, match=r"renderers\.obs\.bogus"):
        create_renderer("obs", {"bogus": 1}, settings=settings(tmp_path), clock=VirtualClock())
    with pytest.raises(ConfigError, match=r"renderers\.overlay\.port"):
        create_renderer("overlay", {"port": -1}, settings=settings(tmp_path), clock=VirtualClock())
