from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from agent.app import knowledge_commands as commands
from agent.settings import KnowledgeSettings, Settings, ShowSettings

from .conftest import SAMPLE_SHOP, SHOPIFY


def run(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="livehost")
    commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args, settings))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shop = tmp_path / "knowledge"
    shutil.copytree(SAMPLE_SHOP, shop)
    return Settings(
        show=ShowSettings(data_dir="data"),
        knowledge=KnowledgeSettings(embedding="hash"),
        root=str(tmp_path),
    )


def test_search_json_prints_ranked_hits_with_snippets(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(settings, "knowledge", "search", "Cashmere Scarf", "-k", "2", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2
    assert rows[0]["product_id"] == "cashmere-scarf" and rows[0]["title"] == "Cashmere Scarf"
    assert set(rows[0]) == {"product_id", "title", "score", "snippet"} and rows[0]["snippet"]
    assert rows[0]["score"] >= rows[1]["score"]


def test_search_with_knowledge_path_uses_its_own_cached_store(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, "knowledge", "search", "Copper Light", "--knowledge", str(SHOPIFY), "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["product_id"] == "copper-light"
    catalogs = list((settings.data_dir / "catalogs").iterdir())
    assert len(catalogs) == 1 and (catalogs[0] / "chroma").is_dir()
    assert not (settings.data_dir / "chroma").exists()  # the show's store is untouched
    kb = commands.open_knowledge(settings, str(SHOPIFY))
    assert kb.sync().unchanged == 60  # cached: the second run embeds nothing


def test_import_adds_files_to_the_show_and_prints_counts(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "felt-hat", "title": "Felt Hat", "price": 40}) + "\n", encoding="utf-8")
    assert run(settings, "knowledge", "import", str(extra)) == 0
    out = capsys.readouterr().out
    assert f"{extra}: 1 products" in out and "13 products from 13 files" in out
    kb = commands.open_knowledge(settings, None)
    report = kb.sync()
    assert report.unchanged == 13 and kb.get("felt-hat") is not None
