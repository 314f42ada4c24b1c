"""Validators for every file the moderator console edits: each is checked the way the show loads it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from agent.director.script import load_script
from agent.moderation.topics import parse_topic
from agent.ports import Validator
from agent.product import Product
from agent.prompts import TEMPLATES, load_prompt_set


def console_validators(products: Callable[[], Sequence[Product]]) -> Mapping[str, Validator]:
    """Each editable file is checked the way the show will load it, on a copy, before it goes live."""

    def prompt_set(path: Path, content: str) -> None:
        with tempfile.TemporaryDirectory() as d:
            for name in [*TEMPLATES, "phrases.toml"]:
                if (path.parent / name).exists():
                    shutil.copy(path.parent / name, Path(d) / name)
            (Path(d) / path.name).write_text(content, encoding="utf-8")
            load_prompt_set(Path(d))

    def script(path: Path, content: str) -> None:
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / path.name
            p.write_text(content, encoding="utf-8")
            load_script(p, products())

    def topic(path: Path, content: str) -> None:
        parse_topic(path.stem, content, str(path))

    return {
        "*.md": prompt_set,
        "phrases.toml": prompt_set,
        "banned_topics/*.toml": topic,
        "scripts/*.toml": script,
    }
