import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.settings import load_settings


def test_shipped_settings_file_is_valid(repo_root: Path) -> None:
    s = load_settings(repo_root / "settings.toml")
    assert s.show.currency == "EUR"
    assert s.data_dir.is_absolute()


def test_wrong_value_names_file_key_and_reason(tmp_path: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text('[show]\nreply_max_seconds = -3\n')
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    msg = str(err.value)
    assert str(f) in msg and "show.reply_max_seconds" in msg and "greater than 0" in msg


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text('[speech]\nengine = "espeak"\nvolume = 11\n')
    with pytest.raises(ConfigError, match="speech.volume"):
        load_settings(f)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text("[show\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(f)


def test_config_check_masks_secrets(tmp_path: Path, repo_root: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text('[llm]\nbase_url = "https://example.invalid/v1"\n')
    env = {"LIVEHOST_LLM_API_KEY": "sk-very-secret", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "agent.app.cli", "--settings", str(f), "config", "check"],
                         capture_output=True, text=True, env=env, cwd=repo_root, check=True)
    data = json.loads(out.stdout)
    assert data["llm"]["api_key_value"] == "***"
    assert "sk-very-secret" not in out.stdout + out.stderr


def test_config_check_fails_with_exit_2_and_reason(tmp_path: Path, repo_root: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text('[llm]\nbase_url = "ftp://nope"\n')
    out = subprocess.run([sys.executable, "-m", "agent.app.cli", "--settings", str(f), "config", "check"],
                         capture_output=True, text=True, cwd=repo_root)
    assert out.returncode == 2
    assert "llm.base_url" in out.stderr and "http" in out.stderr


def test_commands_find_the_checkout_settings_from_any_folder(tmp_path: Path, repo_root: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "agent.app.cli", "config", "check"], capture_output=True, text=True,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(repo_root)}, check=True)
    data = json.loads(out.stdout)
    assert data["show"]["name"] == load_settings(repo_root / "settings.toml").show.name


def test_config_check_names_a_mistyped_platform_key_and_fails(tmp_path: Path, repo_root: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text('[platforms.twitch]\nenabled = false\nchanel = "shop"\n')
    out = subprocess.run([sys.executable, "-m", "agent.app.cli", "--settings", str(f), "config", "check"],
                         capture_output=True, text=True, cwd=repo_root)
    assert out.returncode == 2
    assert "[platforms.twitch]" in out.stderr and "chanel" in out.stderr and str(f.name) in out.stderr
