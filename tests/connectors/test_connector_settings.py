"""Typed connector tables: every [platforms.*] and [renderers.*] key is declared, an unknown one is an error
naming the settings file, the line, the table and the key; `livehost config check` lines."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest

from agent.clock import LoopClock
from agent.errors import ConfigError
from agent.settings import PlatformSettings, Settings, load_settings
from connectors.platforms.config_check import (
    check_connector_settings,
    config_check_lines,
    connector_tables,
    ensure_connector_settings,
)
from connectors.platforms.options import (
    EVENTSUB_TYPES,
    BridgeOptions,
    DouyinOptions,
    TwitchEventSubOptions,
    YouTubeOptions,
)
from connectors.platforms.registry import OPTIONS as PLATFORM_OPTIONS
from connectors.platforms.registry import PLATFORMS, create_source, platform_options
from connectors.platforms.tables import TableError
from connectors.platforms.twitch_eventsub_events import SUBSCRIPTIONS
from connectors.renderers.registry import OPTIONS as RENDERER_OPTIONS
from connectors.renderers.registry import RENDERERS

DOUYIN_TYPO = """\
[show]
name = "Shop"

[platforms.douyin]
enabled = true
room = "268"
prot = 8790
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "live.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_registered_connector_has_a_model() -> None:
    assert set(PLATFORM_OPTIONS) == set(PLATFORMS)
    assert set(RENDERER_OPTIONS) == set(RENDERERS)
    for model in [*PLATFORM_OPTIONS.values(), *RENDERER_OPTIONS.values()]:
        assert model.model_config.get("extra") == "forbid" and model.model_config.get("frozen")
    assert EVENTSUB_TYPES == tuple(SUBSCRIPTIONS)


def test_unknown_platform_key_names_file_line_table_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, DOUYIN_TYPO)
    settings = load_settings(path)  # agent keeps the connector tables raw
    [err] = check_connector_settings(settings, path)
    assert isinstance(err, ConfigError)
    msg = str(err)
    assert msg.startswith(f"{path}:7: [platforms.douyin] unknown key 'prot'")
    assert "did you mean 'port'?" in msg
    assert isinstance(err, TableError)
    assert (err.source, err.line, err.table, err.key) == (str(path), 7, "platforms.douyin", "prot")
    with pytest.raises(ConfigError, match=re.escape(f"{path}:7: [platforms.douyin] unknown key 'prot'")):
        ensure_connector_settings(settings, path)


def test_ill_typed_platform_value_is_named_too(tmp_path: Path) -> None:
    path = write(tmp_path, "[platforms.youtube]\nroom = 'v'\nmax_results = 'lots'\n[platforms.taobao]\nport = 1\n")
    checks = connector_tables(load_settings(path), path)
    assert [c.table for c in checks] == ["platforms.youtube", "platforms.taobao"]
    yt, taobao = checks
    assert yt.values is None and len(yt.errors) == 1
    assert str(yt.errors[0]).startswith(f"{path}:3: [platforms.youtube] key 'max_results'")
    assert isinstance(taobao.values, BridgeOptions) and taobao.values.platform == "taobao" and not taobao.errors


def test_unknown_platform_and_renderer_tables_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "[platforms.myspace]\nenabled = true\n\n[renderers.hologram]\nurl = 'x'\n")
    errors = [str(e) for e in check_connector_settings(load_settings(path), path)]
    assert errors[0].startswith(f"{path}:1: [platforms.myspace] unknown platform 'myspace' (known: bilibili")
    assert errors[1].startswith(f"{path}:4: [renderers.hologram] unknown renderer 'hologram' (known: livetalking")


def test_unknown_renderer_key_names_file_line_table_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[renderers.obs]\nurl = "ws://127.0.0.1:4455"\ncaption_inpt = "caps"\n')
    [err] = check_connector_settings(load_settings(path), path)
    assert str(err).startswith(f"{path}:3: [renderers.obs] unknown key 'caption_inpt' (renderers.obs.caption_inpt)")
    assert "did you mean 'caption_input'?" in str(err)


def test_without_a_source_the_default_settings_file_is_named(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEHOST_SETTINGS", raising=False)
    settings = Settings.model_validate({"root": str(tmp_path), "renderers": {"obs": {"bogus": 1}}})
    [err] = check_connector_settings(settings)
    assert str(err).startswith(f"{tmp_path / 'settings.toml'}: [renderers.obs] unknown key 'bogus'")


def test_the_repo_settings_and_its_commented_examples_are_valid(repo_root: Path) -> None:
    path = repo_root / "settings.toml"
    settings = load_settings(path)
    assert check_connector_settings(settings, path) == []
    # The commented [platforms.*]/[renderers.*] examples, uncommented, are valid settings too.
    text = path.read_text(encoding="utf-8")
    text = text[text.index("# [platforms."):]
    example = "\n".join(line.removeprefix("# ").split("  #")[0] for line in text.splitlines()
                        if re.match(r"# (\[(platforms|renderers)\.|[a-z_]+ = )", line))
    data = tomllib.loads(example)
    assert data["platforms"] and data["renderers"]
    examples = Settings.model_validate({"root": str(repo_root), **data})
    assert check_connector_settings(examples, path) == []


def test_create_source_refuses_an_unknown_key_before_building() -> None:
    with pytest.raises(ConfigError, match=r"\[platforms\.douyin\] unknown key 'prot'"):
        create_source("douyin", PlatformSettings(room="1", prot=1, verify_signature=False), LoopClock())
    with pytest.raises(ConfigError, match=r"\[platforms\.twitch_eventsub\] key 'subscriptions'.*channel\.nope"):
        TwitchEventSubOptions.of(PlatformSettings(room="1", subscriptions="channel.cheer, channel.nope"))
    with pytest.raises(ConfigError, match="unknown platform 'myspace'"):
        platform_options("myspace", PlatformSettings())


def test_defaults_are_the_documented_ones() -> None:
    d = DouyinOptions()
    assert (d.host, d.port, d.path, d.verify_signature) == ("127.0.0.1", 8790, "/douyin/push", True)
    assert d.start_tasks is None and d.close_timeout_s == 1.0
    assert (d.secret_env, d.access_token_env) == ("LIVEHOST_DOUYIN_SECRET", "LIVEHOST_DOUYIN_ACCESS_TOKEN")
    y = YouTubeOptions()
    assert (y.daily_quota, y.poll_cost, y.show_hours, y.max_results) == (10_000, 5, 6.0, 2000)
    b = platform_options("kuaishou", PlatformSettings())
    assert isinstance(b, BridgeOptions) and (b.platform, b.port, b.token_env) == ("kuaishou", 8791,
                                                                                 "LIVEHOST_BRIDGE_TOKEN")
    assert (b.backoff_initial_s, b.backoff_max_s, b.dedupe_size, b.queue_size) == (1.0, 60.0, 4096, 1000)


def test_config_check_lines_show_typed_values_masked_secrets_and_errors(tmp_path: Path) -> None:
    path = write(tmp_path, """\
[platforms.bilibili_open]
enabled = true
code = "ABC123SECRET"
app_id = "42"

[platforms.douyin]
prot = 1

[renderers.vtube_studio]
expressions = { reply = "Smile" }
""")
    settings = load_settings(path)
    lines = config_check_lines(settings, path, environ={"LIVEHOST_BILIBILI_OPEN_KEY_ID": "id"})
    text = "\n".join(lines)
    assert lines[0] == "[platforms.bilibili_open]"
    assert "app_id = 42" in lines and 'code = "***"' in lines and "ABC123SECRET" not in text
    assert 'key_id_env = "LIVEHOST_BILIBILI_OPEN_KEY_ID"  # set' in lines
    assert 'key_secret_env = "LIVEHOST_BILIBILI_OPEN_KEY_SECRET"  # unset' in lines
    assert "heartbeat_s = 20.0" in lines and "enabled = true" in lines
    assert f"error: {path}:7: [platforms.douyin] unknown key 'prot' (platforms.douyin.prot); did you mean 'port'?" \
        in lines
    i = lines.index("[renderers.vtube_studio]")
    assert 'expressions = { reply = "Smile" }' in lines[i:]
    assert f'token_file = "{tmp_path / ".livehost" / "vtube_studio.token"}"' in lines[i:]
    assert config_check_lines(Settings(), path) == [
        "# no [platforms.*] or [renderers.*] table (the overlay is built in)"]


async def test_the_show_checks_the_tables_before_starting_anything(tmp_path: Path) -> None:
    from agent.app.commands import run_show

    path = write(tmp_path, DOUYIN_TYPO)
    settings = load_settings(path)

    def no_sources(clock: object) -> list[object]:
        raise AssertionError("sources built despite a bad table")

    with pytest.raises(ConfigError, match=re.escape(f"{path}:7: [platforms.douyin] unknown key 'prot'")):
        await run_show(settings, argparse.Namespace(settings=str(path)), no_sources)
