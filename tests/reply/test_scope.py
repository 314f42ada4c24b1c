"""The scope file a shop edits: validated with the file and the key, and what it decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.knowledge.embedding import HashEmbedder
from agent.reply.scope import ScopeStore, ShopScope, parse_scope
from agent.vectors import PhraseVectors

GOOD = """
description = "x"
answer = ["price"]
deflect_margin = 0.0
[attributes.price]
en = ["how much is it", "what does it cost"]
[deflect.news]
en = ["who won the match last night", "what is the weather tomorrow"]
"""


@pytest.mark.parametrize(("text", "key"), [
    ('answer = ["colour"]\n', "answer"),
    ('answer = ["price"]\ndeflect_margin = 3\n', "deflect_margin"),
    ('answer = ["price"]\n[attributes.price]\nde = ["wie viel"]\n', "attributes.price.de"),
    ('answer = ["price"]\nunknown = 1\n', "unknown"),
    ('answer = ["price", "stock"]\n[attributes.price]\nen = ["how much"]\n', "answer"),
])
def test_a_bad_scope_file_names_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"key '{key}'"):
        parse_scope(text, "prompts/scope.toml")


def test_a_question_nearer_a_deflected_kind_is_deflected() -> None:
    embedder = HashEmbedder()
    scope = ShopScope(parse_scope(GOOD, "s"), PhraseVectors(embedder))
    assert scope.decide(embedder.embed_query("who won the match last night")).deflect
    d = scope.decide(embedder.embed_query("how much is it"))
    assert not d.deflect and d.attribute == "price"


def test_a_broken_edit_keeps_the_previous_scope(tmp_path: Path) -> None:
    f = tmp_path / "scope.toml"
    f.write_text(GOOD)
    store = ScopeStore(f, PhraseVectors(HashEmbedder()))
    f.write_text("answer = [")
    import os

    os.utime(f, ns=(1, 1))
    assert store.refresh() is store.current and "not valid TOML" in store.last_error


def test_the_shipped_scope_file_is_valid(repo_root: Path) -> None:
    spec = parse_scope((repo_root / "prompts" / "scope.toml").read_text(encoding="utf-8"), "scope.toml")
    assert "price" in spec.answer and {"how_to", "harmful", "health"} <= set(spec.deflect)
