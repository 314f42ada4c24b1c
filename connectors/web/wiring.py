"""Wires the moderator console to a show: validators for every editable file, and a controls handle that
can be served before the show has started (the overlay URL is printed first)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agent.director.script import load_script
from agent.errors import LivehostError
from agent.moderation.topics import parse_topic
from agent.ports import ShowControls, Validator
from agent.product import Product
from agent.prompts import TEMPLATES, load_prompt_set


class LateControls:
    """:class:`ShowControls` that forwards to the show once it is attached."""

    def __init__(self) -> None:
        self.target: ShowControls | None = None

    def _t(self) -> ShowControls:
        if self.target is None:
            raise LivehostError("the show is still starting; try again in a moment")
        return self.target

    def pause(self) -> None:
        self._t().pause()

    def resume(self) -> None:
        self._t().resume()

    def skip(self) -> None:
        self._t().skip()

    def stop(self) -> None:
        self._t().stop()

    def say_now(self, text: str, language: str | None = None) -> None:
        self._t().say_now(text, language)

    def status(self) -> dict[str, Any]:
        if self.target is None:
            return {"status": "starting"}
        return self.target.status()


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
