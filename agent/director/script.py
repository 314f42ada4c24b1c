"""Sales scripts: per-product segments (intro, features, offer, call to action), looped, with a cursor that
only moves when a sentence has actually been played, so the show never repeats or skips one.

A script file (TOML, in ``prompts/scripts/``)::

    loop = true
    language = "en"
    [[segment]]
    product = "linen-shirt"      # optional: the product on screen while this segment plays
    part = "intro"               # intro | features | offer | cta | idle | other
    lines = ["First sentence. Second sentence.", "Third."]

A catalog without a script gets one composed from its product sheets (:func:`compose_script`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agent.errors import ConfigError
from agent.product import Product, fmt_price
from agent.reply.sentences import split_sentences

PARTS = ("intro", "features", "offer", "cta", "idle", "other")


@dataclass(frozen=True, slots=True)
class ScriptLine:
    index: int
    text: str
    product_id: str | None
    part: str
    language: str


@dataclass(frozen=True, slots=True)
class Script:
    lines: tuple[ScriptLine, ...]
    loop: bool = True

    @property
    def product_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.product_id for line in self.lines if line.product_id))


def load_script(path: Path, products: Sequence[Product] | None = None) -> Script:
    """Read and validate a script file; unknown product ids are an error naming the segment."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    known = {p.id for p in products} if products is not None else None
    language = str(data.get("language", "en"))
    segments = data.get("segment", [])
    if not isinstance(segments, list) or not segments:
        raise ConfigError(f"{path}: needs at least one [[segment]]")
    lines: list[ScriptLine] = []
    for n, seg in enumerate(segments, 1):
        where = f"{path}: segment {n}"
        if not isinstance(seg, dict):
            raise ConfigError(f"{where}: must be a table")
        product = seg.get("product")
        if product is not None and known is not None and product not in known:
            raise ConfigError(f"{where}: field 'product': unknown product id '{product}'")
        part = str(seg.get("part", "other"))
        if part not in PARTS:
            raise ConfigError(f"{where}: field 'part': '{part}' is not one of {PARTS}")
        raw = seg.get("lines")
        if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
            raise ConfigError(f"{where}: field 'lines': must be a non-empty list of strings")
        lang = str(seg.get("language", language))
        for text in raw:
            for sentence in split_sentences(text):
                lines.append(ScriptLine(len(lines), sentence, product, part, lang))
    return Script(tuple(lines), loop=bool(data.get("loop", True)))


_COMPOSE = {
    "en": {
        "intro": "Let's look at the {title}.",
        "price": "It is {price} {currency}.",
        "sale": "It was {was} {currency}, today only {price} {currency}.",
        "variants": "It comes in {variants}.",
        "cta": "Ask me anything about the {title} in the chat.",
    },
    "fr": {
        "intro": "Découvrons le produit {title}.",
        "price": "Il coûte {price} {currency}.",
        "sale": "Avant {was} {currency}, aujourd'hui seulement {price} {currency}.",
        "variants": "Disponible en {variants}.",
        "cta": "Posez-moi vos questions sur {title} dans le chat.",
    },
    "zh": {
        "intro": "我们来看看{title}。",
        "price": "价格是{price}{currency}。",
        "sale": "原价{was}{currency}，今天只要{price}{currency}。",
        "variants": "有{variants}可选。",
        "cta": "关于{title}有问题可以在评论区问我。",
    },
}


def compose_script(products: Sequence[Product], language: str = "en", per_product_text: int = 2) -> Script:
    """A script made from the sheets alone: every number comes from the structured facts."""
    t = _COMPOSE.get(language, _COMPOSE["en"])
    lines: list[ScriptLine] = []

    def add(text: str, product: str, part: str) -> None:
        lines.append(ScriptLine(len(lines), text, product, part, language))

    for p in products:
        add(t["intro"].format(title=p.title), p.id, "intro")
        if language == "en" or language == p.extra.get("language"):
            for sentence in split_sentences(p.text)[:per_product_text]:
                add(sentence, p.id, "features")
        if p.price is not None:
            if p.compare_at is not None and p.compare_at > p.price:
                add(t["sale"].format(was=fmt_price(p.compare_at), price=fmt_price(p.price),
                                     currency=p.currency), p.id, "offer")
            else:
                add(t["price"].format(price=fmt_price(p.price), currency=p.currency), p.id, "offer")
        names = [v.name for v in p.variants if v.name and v.name.lower() != "default title"][:5]
        if len(names) > 1:
            sep = "、" if language == "zh" else ", "
            add(t["variants"].format(variants=sep.join(names)), p.id, "features")
        add(t["cta"].format(title=p.title), p.id, "cta")
    if not lines:
        raise ConfigError("cannot compose a script: the catalog is empty")
    return Script(tuple(lines), loop=True)


def guarded(script: Script, products: Sequence[Product],
            output_check: Callable[[str], str | None] | None = None) -> Script:
    """Drop every line whose claims the sheets do not back (the same grounding guard as replies), and every
    line the output lists stop (banned topics, absolute claims), as a reply sentence would be."""
    from agent.guards.grounding import GroundingGuard

    guard = GroundingGuard()
    by_id = {p.id: p for p in products}
    kept: list[ScriptLine] = []
    for line in script.lines:
        facts = [by_id[line.product_id]] if line.product_id in by_id else list(products)
        if output_check is not None and output_check(line.text):
            continue
        if guard.check(line.text, facts, line.language).ok:
            kept.append(ScriptLine(len(kept), line.text, line.product_id, line.part, line.language))
    if not kept:
        raise ConfigError("no script line passed the grounding guard")
    return Script(tuple(kept), loop=script.loop)


class ScriptCursor:
    """Where the script is. ``current()`` is the next unspoken line; ``advance()`` only after it played."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.position = 0
        self.loops = 0

    def current(self) -> ScriptLine | None:
        if self.position >= len(self.script.lines):
            if not self.script.loop:
                return None
            self.position = 0
            self.loops += 1
        return self.script.lines[self.position]

    def advance(self) -> None:
        self.position += 1

    def skip_segment(self) -> None:
        """Moderator's skip: jump to the first line of the next product or part."""
        line = self.current()
        if line is None:
            return
        while True:
            self.advance()
            nxt = self.current()
            if nxt is None or (nxt.product_id, nxt.part) != (line.product_id, line.part) or nxt.index == 0:
                return
