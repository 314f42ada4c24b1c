"""Markdown product sheets: front matter for the structured fields, the body for the free description."""

from __future__ import annotations

import re
from pathlib import Path

from agent.errors import InputError
from agent.knowledge.frontmatter import split_front_matter
from agent.knowledge.imported import ImportResult
from agent.knowledge.memo import ParseMemo
from agent.knowledge.records import product_from_record

_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def import_markdown(path: str | Path, currency: str, memo: ParseMemo | None = None) -> ImportResult:
    """One sheet per file (so ``memo`` has nothing to reuse). The id defaults to the file name, so a sheet can
    leave it out."""
    p = Path(path)
    source = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, None, None, f"cannot read: {exc}") from exc
    fm = split_front_matter(text, source)
    if not fm.data:
        raise InputError(source, 1, None, "a product sheet starts with '---' front matter (id, title, price)")
    product = product_from_record(
        fm.data,
        source=source,
        line_of=lambda *path: fm.line(*path) if path else 1,
        currency=currency,
        text=markdown_to_text(fm.body),
        default_id=p.stem,
    )
    return ImportResult(source, (product,))


def markdown_to_text(body: str) -> str:
    """Plain text for the LLM and the embedder: drop heading marks, emphasis and link targets."""
    out = []
    for line in body.splitlines():
        line = line.strip()
        line = line.lstrip("#").strip() if line.startswith("#") else line
        line = _LINK.sub(r"\1", _EMPHASIS.sub("", line))
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
