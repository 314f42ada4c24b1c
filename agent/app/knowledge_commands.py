"""``livehost knowledge import|search``, and :func:`open_knowledge`, which eval, ask and rehearse reuse.

``--knowledge PATH`` indexes PATH into a store of its own under ``<data_dir>/catalogs/<hash>`` (a collection
of its own in server mode), so trying a catalog never touches the show's store, and a second run re-embeds
nothing unless the files changed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.knowledge.base import KnowledgeBase, Progress, SyncReport
from agent.knowledge.embedding import Embedder
from agent.settings import Settings
from agent.vectors import default_cache_dir

IMPORTS_FILE = "knowledge_imports.json"


def open_knowledge(
    settings: Settings,
    knowledge_path: str | None,
    *,
    embedder: Embedder | None = None,
    sync: bool = True,
    progress: Progress | None = None,
) -> KnowledgeBase:
    """The show's knowledge base (configured paths plus imported ones), or a cached one for ``knowledge_path``.

    With ``sync`` (the default) the store is brought up to date before returning (only new or changed
    products are embedded; progress goes to stderr), so ``products()`` and ``get()`` work at once. Raises
    :class:`InputError` for a bad catalog file.
    """
    kb = _knowledge_base(settings, knowledge_path, embedder)
    if sync:
        kb.sync(progress=progress if progress is not None else _progress)
    return kb


def vector_folder(settings: Settings) -> Path:
    """Where phrase vectors are kept on disk: ``[knowledge] vector_cache``, else the user's cache folder."""
    ks = settings.knowledge
    return settings.path(ks.vector_cache) if ks.vector_cache else default_cache_dir()


def _knowledge_base(settings: Settings, knowledge_path: str | None, embedder: Embedder | None) -> KnowledgeBase:
    ks = settings.knowledge
    currency = settings.show.currency
    vectors = vector_folder(settings)
    if knowledge_path:
        resolved = Path(knowledge_path).expanduser().resolve()
        if not resolved.exists():
            raise InputError(str(knowledge_path), None, None, "no such file or folder")
        key = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:16]
        return KnowledgeBase(
            ks,
            [resolved],
            settings.data_dir / "catalogs" / key,
            currency=currency,
            embedder=embedder,
            collection=f"{ks.collection}-cat-{key}",
            vector_cache=vectors,
        )
    return KnowledgeBase(ks, configured_paths(settings), settings.data_dir, currency=currency, embedder=embedder,
                         vector_cache=vectors)


def configured_paths(settings: Settings) -> list[Path]:
    """The show's catalog: the configured paths, then those added with ``livehost knowledge import``."""
    paths = [settings.path(p) for p in settings.knowledge.paths]
    return paths + [Path(p) for p in imported_paths(settings) if Path(p) not in paths]


def imported_paths(settings: Settings) -> list[str]:
    """Paths added with ``livehost knowledge import``, kept beside the show's store."""
    f = settings.data_dir / IMPORTS_FILE
    if not f.exists():
        return []
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(f), None, None, f"unreadable import list: {exc}") from exc
    return [str(p) for p in data] if isinstance(data, list) else []


def _save_imports(settings: Settings, paths: list[str]) -> None:
    f = settings.data_dir / IMPORTS_FILE
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps(sorted(set(paths)), indent=1) + "\n", encoding="utf-8")


def _progress(done: int, total: int) -> None:
    if total >= 64:
        print(f"knowledge: embedded {done}/{total} products", file=sys.stderr, flush=True)


def _print_report(report: SyncReport) -> None:
    for source, n in report.per_file:
        print(f"{source}: {n} products")
    print(
        f"{report.products} products from {report.files} files: {report.added} added, "
        f"{report.reembedded} re-embedded, {report.restamped} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged"
    )


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    new = [str(Path(p).expanduser().resolve()) for p in args.paths]
    for p in new:
        if not Path(p).exists():
            raise InputError(p, None, None, "no such file or folder")
    before = imported_paths(settings)
    kb = open_knowledge(settings, None, sync=False)
    kb.paths = tuple(dict.fromkeys([*kb.paths, *(Path(p) for p in new)]))
    report = kb.sync(progress=_progress)  # raises on a bad file, before the import list is saved
    _save_imports(settings, before + new)
    _print_report(report)
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    kb = open_knowledge(settings, args.knowledge)
    hits = asyncio.run(kb.search(args.query, k=args.k or settings.knowledge.top_k, on_screen=args.on_screen))
    rows: list[dict[str, Any]] = [
        {"product_id": h.product.id, "title": h.product.title, "score": h.score, "snippet": h.snippet} for h in hits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{r['score']:.3f}  {r['product_id']}  {r['title']}\n        {r['snippet']}")
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("knowledge", help="import product catalogs and search them")
    sub = p.add_subparsers(dest="knowledge_command", required=True)
    imp = sub.add_parser("import", help="index catalog files or folders (.md, .csv, .json, .jsonl) into the show")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.set_defaults(func=cmd_import)
    s = sub.add_parser("search", help="search the catalog like the host does")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=0, help="how many hits (default: knowledge.top_k)")
    s.add_argument("--knowledge", default=None, metavar="PATH", help="search this catalog instead of the show's")
    s.add_argument("--on-screen", default=None, metavar="ID", help="the product shown now")
    s.add_argument("--json", action="store_true", help="print [{product_id, title, score, snippet}]")
    s.set_defaults(func=cmd_search)
