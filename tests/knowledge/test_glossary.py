"""A shop's optional glossary: read from the catalog folder, checked, and empty by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import InputError
from agent.knowledge.glossary import Glossary


def test_no_glossary_file_means_no_expansion(tmp_path: Path) -> None:
    g = Glossary.load([tmp_path])
    assert len(g) == 0 and g.expand("chemise bleue") == []


def test_words_expand_whole_latin_words_and_chinese_anywhere(tmp_path: Path) -> None:
    (tmp_path / "glossary.toml").write_text('[words]\n"chemise" = ["shirt"]\n"羊毛毯" = "wool throw"\n',
                                            encoding="utf-8")
    g = Glossary.load([tmp_path / "catalog.json"])  # beside a catalog file too
    assert g.expand("Chemise bleue ?") == ["shirt"] and g.expand("chemises") == []
    assert g.expand("这条羊毛毯多少钱") == ["wool throw"]


def test_a_bad_glossary_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "glossary.toml").write_text('[words]\n"chemise" = 3\n', encoding="utf-8")
    with pytest.raises(InputError, match="glossary.toml") as err:
        Glossary.load([tmp_path])
    assert err.value.field == "words.chemise"
