"""A shop's own glossary, optional: the words its viewers use mapped to the words its catalog uses.

Cross-lingual search works without one (the multilingual embedder links "羊毛毯" and "wool throw"), but a
shop whose viewers write in another language than its sheets can help the keyword side with a
``glossary.toml`` in the catalog folder (or beside a catalog file)::

    # words viewers use = the catalog's words
    [words]
    "羊毛毯" = ["wool throw"]
    "chemise" = ["shirt"]

Keys match whole words (Latin) or anywhere (Chinese, Japanese), case- and accent-insensitively. Nothing in the
code knows any catalog: an empty glossary is the default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from agent.errors import InputError
from agent.knowledge.keywords import fold
from agent.language import HAN_CHARS

FILE = "glossary.toml"
_CJK = re.compile(f"[\u3040-\u30ff{HAN_CHARS}]")  # kana too


class Glossary:
    """``expand(question)``: the catalog's words for the viewer's words the glossary knows."""

    def __init__(self, words: Mapping[str, Sequence[str]] | None = None) -> None:
        self.latin: dict[str, tuple[str, ...]] = {}
        self.cjk: dict[str, tuple[str, ...]] = {}
        for key, values in (words or {}).items():
            folded = fold(key.strip())
            (self.cjk if _CJK.search(folded) else self.latin)[folded] = tuple(values)
        self._cjk_keys = sorted(self.cjk, key=len, reverse=True)

    def __len__(self) -> int:
        return len(self.latin) + len(self.cjk)

    @classmethod
    def load(cls, paths: Iterable[Path]) -> Glossary:
        """Every ``glossary.toml`` in (or beside) the catalog paths; errors name the file and the key."""
        words: dict[str, list[str]] = {}
        for p in paths:
            folder = p if p.is_dir() else p.parent
            f = folder / FILE
            if not f.is_file():
                continue
            try:
                data = tomllib.loads(f.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise InputError(str(f), None, None, f"not a valid glossary: {exc}") from exc
            table = data.get("words", {})
            if not isinstance(table, dict) or set(data) - {"words"}:
                raise InputError(str(f), None, "words", "expected one [words] table of word = [catalog words]")
            for key, values in table.items():
                if isinstance(values, str):
                    values = [values]
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    raise InputError(str(f), None, f"words.{key}", "must be a list of words")
                words.setdefault(key, []).extend(values)
        return cls(words)

    def expand(self, query: str) -> list[str]:
        if not self.latin and not self.cjk:
            return []
        words: list[str] = []
        q = fold(query)
        for w in re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", q):
            words.extend(self.latin.get(w, ()))
        rest = q
        for key in self._cjk_keys:  # longest first
            if key in rest:
                words.extend(self.cjk[key])
                rest = rest.replace(key, " ")
        return words
