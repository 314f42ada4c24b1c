"""JSON (a list, or ``{"products": [...]}``) and JSONL catalogs with the same fields as the Markdown sheets.

The json module gives no positions, so each product object is decoded on its own with ``raw_decode`` to know
the line it starts on, and a field's line is found by looking for its key inside that object's text.
Given the previous import's ``memo``, a record whose text is unchanged is not validated again (JSONL lines are
not even decoded).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.knowledge.imported import ImportResult
from agent.knowledge.memo import ParseMemo, lookup
from agent.knowledge.records import product_from_record
from agent.product import Product

_SHAPE = 'expected a list of products or {"products": [...]}'


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), None, None, f"cannot read: {exc}") from exc


def import_json(path: str | Path, currency: str, memo: ParseMemo | None = None) -> ImportResult:
    p = Path(path)
    source, text = str(p), _read(p)
    fresh = ParseMemo()
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    line, counted = 1, 0  # line number at offset ``counted``: counted forward, never from the start again
    try:
        if text.startswith("{", i):
            whole = json.loads(text)
            if not isinstance(whole, dict) or not isinstance(whole.get("products"), list):
                raise InputError(source, 1, "products", _SHAPE)
            i = _skip(text, text.index("[", text.index('"products"')))
        elif not text.startswith("[", i):
            raise InputError(source, _line(text, i), None, _SHAPE)
        i = _skip(text, i + 1)
        products: list[Product] = []
        while not text.startswith("]", i):
            obj, end = decoder.raw_decode(text, i)
            line, counted = line + text.count("\n", counted, i), i
            raw = text[i:end]
            product = lookup(memo, raw, line)
            if product is None:
                product = _product(obj, source, text, i, end, line, currency)
            fresh.put(raw, product)
            products.append(product)
            i = _skip(text, end)
            if text.startswith(",", i):
                i = _skip(text, i + 1)
            elif not text.startswith("]", i):
                raise InputError(source, _line(text, i), None, "expected ',' or ']' between products")
    except json.JSONDecodeError as exc:
        raise InputError(source, exc.lineno, None, f"not valid JSON: {exc.msg}") from exc
    return ImportResult(source, tuple(products), fresh)


def import_jsonl(path: str | Path, currency: str, memo: ParseMemo | None = None) -> ImportResult:
    p = Path(path)
    source, text = str(p), _read(p)
    fresh = ParseMemo()
    products = []
    for n, line in enumerate(text.splitlines(), start=1):
        product = lookup(memo, line, n)
        if product is None:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(source, n, None, f"not valid JSON: {exc.msg}") from exc
            product = product_from_record(obj, source=source, line_of=_at(n), currency=currency)
        fresh.put(line, product)
        products.append(product)
    return ImportResult(source, tuple(products), fresh)


def _at(line: int) -> Callable[..., int]:
    return lambda *_path: line


def _product(obj: Any, source: str, text: str, start: int, end: int, first: int, currency: str) -> Product:
    return product_from_record(obj, source=source, line_of=_field_lines(text, start, end, first), currency=currency)


def _field_lines(text: str, start: int, end: int, first: int) -> Callable[..., int]:
    def line_of(*path: str | int) -> int:
        pos = start
        for part in path:
            if isinstance(part, str):
                hit = text.find(f'"{part}"', pos, end)
                if hit < 0:
                    break
                pos = hit
            else:  # the n-th object of a list: step over n '{' at this depth, roughly
                for _ in range(part + 1):
                    hit = text.find("{", pos + 1, end)
                    if hit < 0:
                        break
                    pos = hit
        return _line(text, pos) if path else first

    return line_of


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _line(text: str, i: int) -> int:
    return text.count("\n", 0, i) + 1
