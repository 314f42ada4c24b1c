"""Prompt files that moderators edit live: templated, validated on load, hot-reloaded.

Templates use ``$name`` placeholders (``string.Template``). Each file is checked on load: unknown
placeholders or a broken TOML file are rejected with the reason, and the previous version stays live.
``refresh()`` is cheap (one stat per file) and is called before every reply, so an edit takes effect on the
next reply.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from agent.errors import ConfigError

log = logging.getLogger(__name__)

TEMPLATES: dict[str, frozenset[str]] = {
    "persona.md": frozenset({"host_name", "shop_name"}),
    "reply.md": frozenset({"persona", "max_words"}),
    "request.md": frozenset({"context", "facts", "on_screen", "recent", "user", "language_name", "comment"}),
}
PHRASE_KEYS: dict[str, frozenset[str]] = {
    "thanks_gift": frozenset({"users", "gift", "count"}),
    "thanks_follow": frozenset({"users"}),
    "thanks_like": frozenset({"users", "count"}),
    "greeting": frozenset({"users"}),
    "chitchat": frozenset({"users"}),
    "bridges": frozenset({"product"}),
    "idle": frozenset({"product"}),
    "restart": frozenset(),
    "deflect": frozenset({"users", "product"}),
    "deflect_no_product": frozenset({"users"}),
    "everyone": frozenset(),
    "several": frozenset(),
    "not_stated": frozenset({"users", "product"}),
    "not_stated_more": frozenset(),
    "closing": frozenset(),
}
# Keys a phrases.toml may leave out (files written before they existed stay valid): built-in text.
OPTIONAL_PHRASES: dict[str, dict[str, str]] = {
    "restart": {"en": "Let me say that properly:", "fr": "Je reprends :", "zh": "准确地说，"},
    "deflect": {"en": "$users, I'll stick to our products here! Ask me anything about the $product.",
                "fr": "$users, ici je ne parle que de nos produits ! Posez-moi vos questions sur $product.",
                "zh": "$users，这个我就不聊啦，我们只聊店里的商品哦！$product有什么想了解的尽管问。"},
    "deflect_no_product": {"en": "$users, I'll stick to our products here! Ask me anything about them.",
                           "fr": "$users, ici je ne parle que de nos produits ! Posez-moi vos questions.",
                           "zh": "$users，这个我就不聊啦，我们只聊店里的商品哦！"},
    "everyone": {"en": "everyone", "fr": "tout le monde", "zh": "大家"},
    "several": {"en": "several of you", "fr": "vous êtes plusieurs à demander", "zh": "好几位朋友都在问"},
    "not_stated": {"en": "$users, the sheet for the $product doesn't say. I'll check and come back to you!",
                   "fr": "$users, la fiche de $product ne le précise pas. Je vérifie et je vous redis !",
                   "zh": "$users，$product的详情页里没有写这一点，我去确认一下再告诉你！"},
    "not_stated_more": {"en": "That's all the sheet says on it; I'll check the rest and come back to you!",
                        "fr": "La fiche n'en dit pas plus ; je vérifie et je vous redis !",
                        "zh": "详情页上就写了这些，其他的我去确认一下再告诉你！"},
    "closing": {"en": "That's all for today. Thank you for watching, see you next time!",
                "fr": "C'est tout pour aujourd'hui. Merci de nous avoir suivis, à bientôt !",
                "zh": "今天的直播就到这里，谢谢大家的观看，我们下次见！"},
}


def _check_template(text: str, allowed: frozenset[str], where: str) -> Template:
    tpl = Template(text)
    if not tpl.is_valid():
        raise ConfigError(f"{where}: invalid placeholder (use $name or ${{name}}; write $$ for a dollar sign)")
    unknown = set(tpl.get_identifiers()) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    return tpl


@dataclass(frozen=True)
class PromptSet:
    """One validated version of every prompt file."""

    templates: dict[str, Template]
    phrases: dict[str, dict[str, Any]]

    def render(self, name: str, **values: object) -> str:
        return self.templates[name].safe_substitute({k: str(v) for k, v in values.items()})

    def phrase(self, language: str, key: str, **values: object) -> str:
        table = self.phrases.get(language) or self.phrases["en"]
        builtin = OPTIONAL_PHRASES.get(key, {})
        raw = table.get(key) or builtin.get(language) or self.phrases["en"].get(key) or builtin["en"]
        text = raw if isinstance(raw, str) else str(raw[0])
        return Template(text).safe_substitute({k: str(v) for k, v in values.items()})

    def phrase_list(self, language: str, key: str, **values: object) -> list[str]:
        table = self.phrases.get(language) or self.phrases["en"]
        builtin = OPTIONAL_PHRASES.get(key, {})
        raw = table.get(key) or builtin.get(language) or self.phrases["en"].get(key) or builtin["en"]
        items = [raw] if isinstance(raw, str) else list(raw)
        return [Template(str(t)).safe_substitute({k: str(v) for k, v in values.items()}) for t in items]


def load_prompt_set(folder: Path) -> PromptSet:
    """Read and validate every prompt file; raise :class:`ConfigError` naming the file and the reason."""
    templates = {}
    for name, allowed in TEMPLATES.items():
        path = folder / name
        if not path.exists():
            raise ConfigError(f"{path}: prompt file missing")
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise ConfigError(f"{path}: prompt file is empty")
        templates[name] = _check_template(text, allowed, str(path))
    path = folder / "phrases.toml"
    try:
        phrases = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if "en" not in phrases:
        raise ConfigError(f"{path}: needs an [en] table (the fallback language)")
    for lang, table in phrases.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{lang}] must be a table")
        for key, value in table.items():
            if key not in PHRASE_KEYS:
                raise ConfigError(f"{path}: [{lang}] unknown key '{key}'; allowed: {sorted(PHRASE_KEYS)}")
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
                raise ConfigError(f"{path}: [{lang}].{key} must be a string or a non-empty list of strings")
            for item in items:
                _check_template(item, PHRASE_KEYS[key], f"{path}: [{lang}].{key}")
    missing = set(PHRASE_KEYS) - set(OPTIONAL_PHRASES) - set(phrases["en"])
    if missing:
        raise ConfigError(f"{path}: [en] is missing {sorted(missing)}")
    return PromptSet(templates=templates, phrases=phrases)


@dataclass
class PromptStore:
    """The live prompt set; ``refresh()`` swaps in a new version only when it validates."""

    folder: Path
    current: PromptSet = field(init=False)
    last_error: str = ""
    _stamp: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        self.current = load_prompt_set(self.folder)
        self._stamp = self._mtimes()

    def _mtimes(self) -> tuple[tuple[str, int], ...]:
        names = [*TEMPLATES, "phrases.toml"]
        return tuple((n, (self.folder / n).stat().st_mtime_ns if (self.folder / n).exists() else 0)
                     for n in names)

    def refresh(self) -> PromptSet:
        stamp = self._mtimes()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self.current = load_prompt_set(self.folder)
                self.last_error = ""
                log.info("prompts reloaded", extra={"folder": str(self.folder)})
            except ConfigError as exc:
                self.last_error = str(exc)
                log.warning("prompt edit rejected; previous version stays live", extra={"error": str(exc)})
        return self.current
