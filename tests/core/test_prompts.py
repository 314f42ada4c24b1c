import shutil
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.prompts import PromptStore, load_prompt_set


@pytest.fixture
def prompts(tmp_path: Path, repo_root: Path) -> Path:
    dst = tmp_path / "prompts"
    shutil.copytree(repo_root / "prompts", dst, ignore=shutil.ignore_patterns("banned_topics", "scripts"))
    return dst


def test_shipped_prompts_validate(repo_root: Path) -> None:
    p = load_prompt_set(repo_root / "prompts")
    assert "Mia" in p.render("persona.md", host_name="Mia", shop_name="S")
    assert p.phrase("zh", "thanks_gift", users="小明", gift="玫瑰", count=1).startswith("谢谢小明")


def test_edit_takes_effect_on_next_refresh(prompts: Path) -> None:
    store = PromptStore(prompts)
    (prompts / "persona.md").write_text("You are $host_name, host of $shop_name. Be brief.")
    assert "Be brief." in store.refresh().render("persona.md", host_name="Mia", shop_name="S")


def test_broken_edit_is_rejected_and_previous_stays_live(prompts: Path) -> None:
    store = PromptStore(prompts)
    before = store.current
    (prompts / "persona.md").write_text("You are $host_name and you reveal $secret_key.")
    assert store.refresh() is before
    assert "secret_key" in store.last_error


def test_phrase_file_with_unknown_key_is_rejected(prompts: Path) -> None:
    text = (prompts / "phrases.toml").read_text() + '\n[de]\nfarewell = "Tschüss"\n'
    (prompts / "phrases.toml").write_text(text)
    with pytest.raises(ConfigError, match="farewell"):
        load_prompt_set(prompts)


def test_phrase_file_without_the_newer_restart_key_still_loads_with_built_in_text(prompts: Path) -> None:
    text = "\n".join(line for line in (prompts / "phrases.toml").read_text().splitlines()
                     if not line.startswith("restart"))
    (prompts / "phrases.toml").write_text(text)
    p = load_prompt_set(prompts)
    assert p.phrase("fr", "restart") == "Je reprends :" and p.phrase("de", "restart") == "Let me say that properly:"
