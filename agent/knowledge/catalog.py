"""Loads a catalog from files and folders, picking the importer by extension, and checks ids are unique."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from agent.errors import InputError
from agent.knowledge.imported import ImportResult
from agent.knowledge.jsoncat import import_json, import_jsonl
from agent.knowledge.markdown import import_markdown
from agent.knowledge.memo import ParseMemo
from agent.knowledge.shopify import import_shopify
from agent.product import Product

# (file, currency, memo): an importer given the memo of its previous import of the file may reuse the records
# that did not change instead of parsing them again (a Markdown file is one record: it ignores the memo)
Stamp = tuple[int, int]  # (mtime_ns, size) of a catalog file: changed when either changes

Importer = Callable[[str | Path, str, ParseMemo | None], ImportResult]

IMPORTERS: dict[str, Importer] = {
    ".md": import_markdown,
    ".csv": import_shopify,
    ".json": import_json,
    ".jsonl": import_jsonl,
}


def catalog_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every supported file under ``paths``, sorted, so imports are reproducible. Hidden files are skipped."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in IMPORTERS
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and _looks_like_catalog(f)
            )
        elif p.is_file():
            if p.suffix.lower() not in IMPORTERS:
                raise InputError(str(p), None, None, f"unsupported file type; use one of {sorted(IMPORTERS)}")
            out.append(p)
        else:
            raise InputError(str(p), None, None, "no such file or folder")
    return list(dict.fromkeys(out))


def _looks_like_catalog(path: Path) -> bool:
    """A folder may also hold other JSONL files: skip one whose first record is a chat event ("user" with its
    "text" or "type") or a test question ("question"); any other record is a product (its fields checked on
    import, so a broken product is reported, never skipped)."""
    if path.suffix.lower() != ".jsonl":
        return True
    try:
        with path.open(encoding="utf-8") as fh:
            first = next((ln for ln in fh if ln.strip()), "")
        rec = json.loads(first) if first else {}
    except (OSError, UnicodeDecodeError, ValueError):
        return True  # let the importer report what is wrong
    if not isinstance(rec, dict):
        return True
    return "question" not in rec and not ("user" in rec and ("text" in rec or "type" in rec))


def import_file(path: str | Path, currency: str, previous: ImportResult | None = None) -> ImportResult:
    """``previous``: this file's last import, whose unchanged records are then reused instead of parsed."""
    p = Path(path)
    suffix = p.suffix.lower()
    importer = IMPORTERS.get(suffix)
    if importer is None:
        raise InputError(str(p), None, None, f"unsupported file type; use one of {sorted(IMPORTERS)}")
    return importer(p, currency, previous.memo if previous is not None else None)


def merge(results: Sequence[ImportResult]) -> list[Product]:
    """All products in order; an id found twice is an error naming both places."""
    seen: dict[str, Product] = {}
    for result in results:
        for product in result.products:
            first = seen.get(product.id)
            if first is not None:
                raise InputError(
                    product.source,
                    product.line,
                    "id",
                    f"duplicate product id {product.id!r}: already defined in {first.source}:{first.line}",
                )
            seen[product.id] = product
    return list(seen.values())


def load_catalog(paths: Iterable[str | Path], currency: str) -> list[Product]:
    """Import every supported file under ``paths`` (.md, .csv, .json, .jsonl) into one product list."""
    return merge([import_file(f, currency) for f in catalog_files(paths)])


def file_stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)
