"""``livehost report SHOW [--out report.html] [--language en|fr|zh] [--show ID]``: the report after the show.

SHOW is an on-air record (the SQLite file ``console.record_db``: with several shows in it, the last one, or
``--show ID``), a ``livehost rehearse --json`` output, or the console's JSONL export of the record. The page is
one HTML file that opens offline; its key figures are printed as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.ports import Embedder, Vector
from agent.settings import Settings

if TYPE_CHECKING:
    from agent.report.tables import Figures


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="the report after the show: one HTML file (charts, tables, CSV) that opens "
                                      "offline")
    p.add_argument("record", metavar="SHOW", help="an on-air record (SQLite), or a `livehost rehearse --json` output")
    p.add_argument("--out", default=None, help="the HTML file to write (default: SHOW's name with .html)")
    p.add_argument("--language", choices=("en", "fr", "zh"), default=None,
                   help="the page's language (default: the show's, else settings show.default_language)")
    p.add_argument("--show", dest="show_id", default=None, help="which show of the record (default: the last one)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from agent.report.labels import LANGUAGES

    src = Path(args.record)
    out = Path(args.out) if args.out else src.with_suffix(".html")
    figures, page = build_report(src, settings, show_id=args.show_id, language=args.language)
    from agent.toolbox.files import atomic_write

    atomic_write(out, page)
    lang = figures.language if figures.language in LANGUAGES else "en"
    print(f"livehost: report of {figures.show_id} ({lang}) written to {out}", file=sys.stderr)
    print(json.dumps({"show_id": figures.show_id, "out": str(out), **figures.key}, ensure_ascii=False))
    return 0


def report_embedder(settings: Settings) -> tuple[Embedder, Callable[[Sequence[str]], Vector]]:
    """The show's embedder, and its vectors of texts cached on disk (a report run again embeds nothing again)."""
    from agent.knowledge.embedding import make_embedder
    from agent.vectors import PhraseVectors, default_cache_dir

    embedder = make_embedder(settings.knowledge.embedding)
    folder = settings.path(settings.knowledge.vector_cache) if settings.knowledge.vector_cache else default_cache_dir()
    return embedder, PhraseVectors(embedder, folder).vectors


def build_report(src: Path, settings: Settings, *, show_id: str | None = None, language: str | None = None,
                 embedder: Embedder | None = None,
                 embed: Callable[[Sequence[str]], Vector] | None = None) -> tuple[Figures, str]:
    """Load ``src``, compute the figures and write the page; returns (figures, html)."""
    from agent.report.figures import build
    from agent.report.labels import LANGUAGES
    from agent.report.load import load_show
    from agent.report.page import render

    data = load_show(src, show_id)
    lang = language or (data.language if data.language in LANGUAGES else settings.show.default_language)
    if lang not in LANGUAGES:
        lang = "en"
    if embedder is None:
        embedder, embed = report_embedder(settings)
    figures = build(data, embedder, embed=embed, language=lang)
    return figures, render(figures)
