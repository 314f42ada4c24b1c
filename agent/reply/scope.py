"""What the host talks about: product questions answered from the sheets, everything else deflected.

``prompts/scope.toml`` (edited by the shop) lists the attributes the host answers, with example questions for
each, and the kinds of question it deflects (how-to, news, opinions, health, law, money, personal, harmful,
general), with examples too. A question's vector is compared with both sets by meaning
(:class:`agent.moderation.semantic.SemanticIndex`): the nearest attribute says what is asked ("how long does it
stay hot?" -> capacity or features), and a question much closer to a deflected kind than to any attribute is
deflected with a fixed phrase. Free LLM text is never used for a deflected question.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agent.errors import ConfigError
from agent.moderation.semantic import SemanticIndex
from agent.ports import Vector
from agent.vectors import PhraseVectors

log = logging.getLogger(__name__)

ATTRIBUTES = (
    "price", "variants", "stock", "material", "dimensions", "weight", "capacity", "compatibility", "use",
    "included", "shipping", "returns", "warranty", "care", "origin", "ingredients", "age", "features",
)
_KEYS = frozenset({"description", "answer", "deflect_margin", "attributes", "deflect"})
_LANGS = frozenset({"en", "fr", "zh", "any"})


@dataclass(frozen=True, slots=True)
class ScopeSpec:
    description: str
    answer: tuple[str, ...]
    deflect_margin: float
    attributes: Mapping[str, tuple[str, ...]]
    deflect: Mapping[str, tuple[str, ...]]
    source: str = ""


def parse_scope(text: str, source: str) -> ScopeSpec:
    """Validate a scope file; errors name the file and the key."""

    def fail(key: str | None, reason: str) -> ConfigError:
        return ConfigError(f"{source}: key '{key}': {reason}" if key else f"{source}: {reason}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail(None, f"not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (expected one of {sorted(_KEYS)})")
    answer = data.get("answer", list(ATTRIBUTES))
    if not isinstance(answer, list) or not all(isinstance(a, str) and a in ATTRIBUTES for a in answer):
        raise fail("answer", f"must be a list drawn from {list(ATTRIBUTES)}")
    margin = data.get("deflect_margin", 0.0)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not -1.0 <= margin <= 1.0:
        raise fail("deflect_margin", "must be a number between -1 and 1")
    tables = {}
    for section, allowed in (("attributes", ATTRIBUTES), ("deflect", None)):
        raw = data.get(section, {})
        if not isinstance(raw, dict):
            raise fail(section, "must be a table of [section.NAME] tables")
        out: dict[str, tuple[str, ...]] = {}
        for name, langs in raw.items():
            if allowed is not None and name not in allowed:
                raise fail(f"{section}.{name}", f"unknown attribute (expected one of {list(allowed)})")
            if not isinstance(langs, dict):
                raise fail(f"{section}.{name}", "must be a table of language = [questions]")
            phrases: list[str] = []
            for lang, items in langs.items():
                if lang not in _LANGS:
                    raise fail(f"{section}.{name}.{lang}", f"language must be one of {sorted(_LANGS)}")
                if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                    raise fail(f"{section}.{name}.{lang}", "must be a list of non-empty strings")
                phrases += [i.strip() for i in items]
            out[name] = tuple(phrases)
        tables[section] = out
    missing = [a for a in answer if a not in tables["attributes"]]
    if missing:
        raise fail("answer", f"no [attributes.{missing[0]}] examples for an attribute the host answers")
    return ScopeSpec(str(data.get("description", "")), tuple(answer), float(margin), tables["attributes"],
                     tables["deflect"], source)


@dataclass(frozen=True, slots=True)
class ScopeDecision:
    """``attribute``: the nearest attribute asked (None when it is one the shop does not answer);
    ``kind``: the nearest deflected kind; ``deflect``: whether the question is out of scope."""

    deflect: bool
    attribute: str | None
    kind: str | None
    margin: float  # nearest deflected kind's score minus the nearest answered attribute's

    def to_dict(self) -> dict[str, object]:
        return {"deflect": self.deflect, "attribute": self.attribute, "kind": self.kind,
                "margin": round(self.margin, 4)}


class ShopScope:
    """One validated scope file with its exemplar vectors."""

    def __init__(self, spec: ScopeSpec, vectors: PhraseVectors) -> None:
        self.spec = spec
        labelled = [(f"a:{name}", q) for name, qs in spec.attributes.items() for q in qs]
        labelled += [(f"d:{kind}", q) for kind, qs in spec.deflect.items() for q in qs]
        self.index = SemanticIndex(labelled, (), vectors)

    def decide(self, vec: Vector) -> ScopeDecision:
        scores = self.index.scores(vec)
        asked = [(n.score, label[2:]) for label, n in scores.items() if label.startswith("a:")]
        off = [(n.score, label[2:]) for label, n in scores.items() if label.startswith("d:")]
        best_attr = max(asked, default=(-1.0, ""))
        answered = max(((s, a) for s, a in asked if a in self.spec.answer), default=(-1.0, ""))
        best_off = max(off, default=(-1.0, ""))
        margin = best_off[0] - answered[0]
        deflect = bool(off) and margin >= self.spec.deflect_margin
        if best_attr[1] and best_attr[1] not in self.spec.answer and best_attr[0] > best_off[0]:
            deflect = True  # asks for an attribute this shop does not answer on air
        attribute = best_attr[1] if best_attr[1] in self.spec.answer else None
        return ScopeDecision(deflect, attribute, best_off[1] or None, margin)

    def attributes(self, vec: Vector) -> list[tuple[str, float]]:
        """Answered attributes by closeness to the question, best first."""
        scores = self.index.scores(vec)
        ranked = [(label[2:], n.score) for label, n in scores.items()
                  if label.startswith("a:") and label[2:] in self.spec.answer]
        return sorted(ranked, key=lambda x: -x[1])


class ScopeStore:
    """The live scope, reloaded when the file changes; a broken edit keeps the previous version."""

    def __init__(self, path: Path, vectors: PhraseVectors) -> None:
        self.path = Path(path)
        self.vectors = vectors
        self.last_error = ""
        self._stamp = self._mtime()
        self.current = ShopScope(self._read(), vectors)

    def _mtime(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return 0

    def _read(self) -> ScopeSpec:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the scope file: {exc}") from exc
        return parse_scope(text, str(self.path))

    def refresh(self) -> ShopScope:
        stamp = self._mtime()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self.current = ShopScope(self._read(), self.vectors)
                self.last_error = ""
            except ConfigError as exc:
                self.last_error = str(exc)
                log.warning("scope edit rejected; previous version stays live", extra={"error": str(exc)})
        return self.current

    def negatives(self) -> Sequence[str]:
        """In-scope questions: phrases the moderation layer must never take for a banned topic."""
        return [q for qs in self.current.spec.attributes.values() for q in qs]
