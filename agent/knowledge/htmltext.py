"""HTML descriptions (Shopify's Body (HTML), a JSON catalog's ``body_html``) as the plain text a host can say."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "table"})
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


class _TextOnly(HTMLParser):
    """Text with a line per block; a table row's cells joined with ": " ("Capacity: 0.9 L"), as a sheet says it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.cells = 0  # cells begun in the current table row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(": ")
            self.cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Strip tags, keep paragraph breaks, collapse spaces."""
    if "<" not in markup:
        return " ".join(html.unescape(markup).split())
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{2,}", "\n", "\n".join(line for line in lines if line)).strip()
