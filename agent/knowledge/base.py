"""The knowledge base: keeps the Chroma store in step with the catalog files and answers searches.

Chroma is the store of record; searches run on an in-memory snapshot (vectors + keyword index) built from
it, because a numpy product over 10,000 rows takes about a millisecond. Sync is incremental: a changed file is
re-read but only its changed records are parsed again, products whose embedded text is unchanged are never
embedded again, and an edit of a few products replaces their rows in the snapshot instead of rebuilding it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import LivehostError
from agent.knowledge import codec
from agent.knowledge.catalog import Stamp, catalog_files, file_stamp, import_file, merge
from agent.knowledge.embedding import Embedder, QueryCache, Vector, embedder_for, product_vectors
from agent.knowledge.imported import ImportResult
from agent.knowledge.keywords import product_terms
from agent.knowledge.ranking import Snapshot, query_terms, rank
from agent.knowledge.store import ChromaStore, StoreUnavailable
from agent.knowledge.words import CatalogWords, catalog_words
from agent.ports import Clock, Hit
from agent.product import Product
from agent.settings import KnowledgeSettings
from agent.vectors import PhraseVectors

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

_EMBED_BATCH = 64
_PATCH_SHARE = 0.1  # edits of up to this share of the products patch the snapshot; more rebuild it


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync did. ``embedded`` counts texts sent to the embedder."""

    files: int
    products: int
    added: int
    reembedded: int
    restamped: int
    removed: int
    unchanged: int
    per_file: tuple[tuple[str, int], ...] = ()

    @property
    def embedded(self) -> int:
        return self.added + self.reembedded

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "products": self.products,
            "added": self.added,
            "reembedded": self.reembedded,
            "restamped": self.restamped,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    product: Product
    embed_hash: str
    record_hash: str
    vector: Vector


class KnowledgeBase:
    """Implements :class:`agent.ports.Retriever` over the catalogs at ``paths``.

    ``collection`` defaults to ``settings.collection``; the embedder's name is appended so that vectors of
    different models never share a collection. Pass one ``embedder`` to every knowledge base of a process.
    """

    def __init__(
        self,
        settings: KnowledgeSettings,
        paths: Sequence[str | Path],
        data_dir: str | Path,
        *,
        currency: str = "EUR",
        embedder: Embedder | None = None,
        collection: str | None = None,
        query_cache: QueryCache | None = None,
        vector_cache: Path | None = None,
    ) -> None:
        self.settings = settings
        self.paths = tuple(Path(p) for p in paths)
        self.data_dir = Path(data_dir)
        self.currency = currency
        self.embedder = embedder if embedder is not None else embedder_for(settings)
        self.collection = f"{collection or settings.collection}-{self.embedder.name}"
        self._cache = query_cache if query_cache is not None else QueryCache()
        self._words = CatalogWords()  # the shop's glossary.toml, the dictionary and the bridge, made at each sync
        # the bridge's name words: on disk in ``vector_cache`` (None: in memory), never for the hash embedder
        self._names = PhraseVectors(self.embedder, vector_cache if self.embedder.name != "hash" else None)
        self._store: ChromaStore | None = None
        self._entries: dict[str, _Entry] | None = None
        self._files: dict[Path, tuple[Stamp, ImportResult]] = {}
        self._stamps: dict[Path, Stamp] = {}
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._terms: dict[str, tuple[Product, dict[str, float]]] = {}

    @property
    def query_cache(self) -> QueryCache:
        """Question vectors by text; the moderation screen shares it, so a question is embedded once."""
        return self._cache

    # -- Retriever -------------------------------------------------------------------------------------------

    async def search(self, query: str, k: int = 3, on_screen: str | None = None) -> list[Hit]:
        snap = self._snapshot
        if snap is None:
            await asyncio.to_thread(self.sync)
            snap = self._snapshot
        assert snap is not None
        words, cached = self._words, self._cache.get(query)
        if cached is not None and not words.embeds(query):
            return rank(snap, query, cached, k, on_screen, words.expand(query))
        qvec, extra = await asyncio.to_thread(lambda: (cached if cached is not None else self._embed_query(query),
                                                       words.expand(query)))
        return rank(snap, query, qvec, k, on_screen, extra)

    def query_vector(self, query: str) -> Vector:
        """The question's vector (query mode), from the shared cache when it was asked before."""
        qvec = self._cache.get(query)
        return qvec if qvec is not None else self._embed_query(query)

    def _embed_query(self, query: str) -> Vector:
        qvec = self.embedder.embed_query(query)
        self._cache.put(query, qvec)
        return qvec

    def vocabulary_coverage(self, query: str) -> tuple[int, int]:
        """(content words in the question, how many of them occur anywhere in the catalog).

        Latin-script words only: a question whose every content word is unknown to the catalog asks about
        something the shop does not sell, however close its embedding lands.
        """
        snap = self._snapshot
        if snap is None:
            return (0, 0)
        terms = [t for t in query_terms(query) if t.isascii() and t.isalpha() and len(t) > 2]
        return (len(terms), sum(1 for t in terms if t in snap.keywords))

    def get(self, product_id: str) -> Product | None:
        snap = self._snapshot
        if snap is None:
            return None
        row = snap.rows.get(product_id)
        return snap.products[row] if row is not None else None

    def products(self) -> tuple[Product, ...]:
        return self._snapshot.products if self._snapshot is not None else ()

    @property
    def snapshot(self) -> Snapshot | None:
        """The immutable index searches run on (None before the first sync)."""
        return self._snapshot

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    # -- sync ------------------------------------------------------------------------------------------------

    def sync(self, progress: Progress | None = None) -> SyncReport:
        """Bring the store in line with the files: embed new and changed products, delete removed ones.

        Raises :class:`InputError` for a bad file; the store and the live snapshot are then left as they were.
        """
        with self._lock:
            return self._sync(progress)

    def _sync(self, progress: Progress | None) -> SyncReport:
        files = catalog_files(self.paths)
        results, stamps = [], {}
        for f in files:
            stamp = file_stamp(f)
            cached = self._files.get(f)
            if cached is not None and cached[0] == stamp:
                result = cached[1]
            else:
                result = import_file(f, self.currency, cached[1] if cached is not None else None)
            self._files[f] = (stamp, result)
            stamps[f] = stamp
            results.append(result)
        for gone in set(self._files) - set(files):
            del self._files[gone]
        products = merge(results)
        self._words = catalog_words(self.settings, self.paths, products, self._words,
                                    products == list(self.products()), self._names.vectors, self.embedder.embed_queries)
        store = self._open()
        entries = self._load(store)
        model = self.embedder.name
        to_embed: list[tuple[Product, str, str]] = []
        to_update: list[tuple[Product, str, str]] = []
        unchanged = 0
        for p in products:
            old = entries.get(p.id)
            if old is not None and (old.product is p or old.product == p):
                unchanged += 1  # equal record: skip hashing (it dominates re-syncs of big catalogs)
                continue
            eh, rh = codec.embed_hash(p, model), codec.record_hash(p)
            if old is None or old.embed_hash != eh:
                to_embed.append((p, eh, rh))
            elif old.record_hash != rh:
                to_update.append((p, eh, rh))
            else:
                unchanged += 1
        current = {p.id for p in products}
        removed = [pid for pid in entries if pid not in current]
        added = sum(1 for p, _, _ in to_embed if p.id not in entries)
        self._embed_and_store(store, entries, to_embed, progress)
        if to_update:
            store.update(
                [p.id for p, _, _ in to_update],
                np.vstack([entries[p.id].vector for p, _, _ in to_update]),
                [_meta(p, eh, rh) for p, eh, rh in to_update],
                [p.sheet() for p, _, _ in to_update],
            )
            for p, eh, rh in to_update:
                entries[p.id] = _Entry(p, eh, rh, entries[p.id].vector)
        if removed:
            store.delete(removed)
            for pid in removed:
                del entries[pid]
        self._snapshot = self._next_snapshot(products, entries)
        for pid in [pid for pid in self._terms if pid not in entries]:
            del self._terms[pid]
        self._stamps = stamps
        report = SyncReport(
            files=len(files),
            products=len(products),
            added=added,
            reembedded=len(to_embed) - added,
            restamped=len(to_update),
            removed=len(removed),
            unchanged=unchanged,
            per_file=tuple((r.source, r.count) for r in results),
        )
        log.info("knowledge synced", extra={"collection": self.collection, **report.to_dict()})
        return report

    def _embed_and_store(
        self,
        store: ChromaStore,
        entries: dict[str, _Entry],
        todo: list[tuple[Product, str, str]],
        progress: Progress | None,
    ) -> None:
        """Embed in batches and write each batch at once, so an interrupted build keeps what it finished."""
        for start in range(0, len(todo), _EMBED_BATCH):
            batch = todo[start : start + _EMBED_BATCH]
            vectors = product_vectors(self.embedder, [p for p, _, _ in batch])
            store.upsert(
                [p.id for p, _, _ in batch],
                vectors,
                [_meta(p, eh, rh) for p, eh, rh in batch],
                [p.sheet() for p, _, _ in batch],
            )
            for (p, eh, rh), vec in zip(batch, vectors, strict=True):
                entries[p.id] = _Entry(p, eh, rh, vec)
            if progress is not None:
                progress(min(start + _EMBED_BATCH, len(todo)), len(todo))

    def _next_snapshot(self, products: list[Product], entries: dict[str, _Entry]) -> Snapshot:
        """Patch the live snapshot when the same ids come in the same order and few entries changed (a live
        edit); otherwise build it from the entries. Both give the same snapshot."""
        prev = self._snapshot
        if prev is not None and prev.size == len(products) and all(
            a.id == b.id for a, b in zip(prev.products, products, strict=True)
        ):
            changed = {}
            for row, (p, shown) in enumerate(zip(products, prev.products, strict=True)):
                entry = entries[p.id]
                if entry.product is not shown:  # entries are replaced, never mutated: identity tells
                    changed[row] = (entry.product, entry.vector)
            if not changed:
                return prev
            if len(changed) <= _PATCH_SHARE * len(products):
                return prev.updated(changed, self._terms_of)
        ordered = [entries[p.id] for p in products]
        dim = self.embedder.dim
        matrix = np.vstack([e.vector for e in ordered]) if ordered else np.zeros((0, dim), np.float32)
        return Snapshot.build([e.product for e in ordered], matrix, self._terms_of)

    def _terms_of(self, product: Product) -> dict[str, float]:
        """Keyword terms, remembered per product so a re-sync only tokenizes what changed."""
        cached = self._terms.get(product.id)
        if cached is not None and cached[0] == product:
            return cached[1]
        terms = product_terms(product)
        self._terms[product.id] = (product, terms)
        return terms

    def stored(self) -> int:
        """Entries in the vector store: raises when the store (Chroma) cannot be reached (the health check)."""
        return self._open().count()

    def close(self) -> None:
        """Close the Chroma client if one was opened; a later call opens a new one."""
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def _open(self) -> ChromaStore:
        if self._store is None:
            self._store = ChromaStore(self.settings, self.data_dir, self.collection)
        return self._store

    def _load(self, store: ChromaStore) -> dict[str, _Entry]:
        if self._entries is None:
            entries = {}
            for s in store.load():
                try:
                    product = codec.product_from_dict(json.loads(s.product_json))
                except (ValueError, KeyError, TypeError):
                    continue  # unreadable entry (older format): it will be re-embedded
                entries[s.id] = _Entry(product, s.embed_hash, s.record_hash, s.vector)
            self._entries = entries
        return self._entries

    # -- live edits ------------------------------------------------------------------------------------------

    def changed(self) -> bool:
        """Has any catalog file been added, removed or modified since the last sync?"""
        try:
            files = catalog_files(self.paths)
        except LivehostError:
            return True
        return {f: file_stamp(f) for f in files} != self._stamps

    async def watch(
        self,
        clock: Clock,
        interval: float | None = None,
        on_sync: Callable[[SyncReport], None] | None = None,
    ) -> None:
        """Poll the files every ``interval`` seconds of ``clock`` and re-sync when one changes.

        A broken edit is logged and skipped (the show keeps the last good catalog) until the file
        changes again; a store that cannot be reached (a Chroma server gone) is logged once and tried again.
        """
        every = interval if interval is not None else self.settings.watch_interval_s
        failed: dict[Path, Stamp] | None = None
        store_down = False
        while True:
            await clock.sleep(every)
            if not self.changed():
                continue
            now = {f: file_stamp(f) for f in self.paths_now()}
            if now == failed:
                continue
            working = getattr(clock, "working", None)
            try:
                if working is not None:
                    with working():
                        report = await asyncio.to_thread(self.sync)
                else:
                    report = await asyncio.to_thread(self.sync)
            except Exception as exc:  # noqa: BLE001 - a broken edit, or the store (a Chroma server) gone
                if isinstance(exc, LivehostError) and not isinstance(exc, StoreUnavailable):
                    failed = now
                    log.warning("knowledge edit rejected", extra={"error": str(exc)})
                elif not store_down:  # logged once per outage; the sync is tried again at the next poll
                    store_down = True
                    log.warning("knowledge store unreachable; answering from the catalog in memory",
                                extra={"error": repr(exc)[:300]})
                continue
            failed, store_down = None, False
            if on_sync is not None:
                on_sync(report)

    def paths_now(self) -> list[Path]:
        try:
            return catalog_files(self.paths)
        except LivehostError:
            return []


def _meta(p: Product, embed_hash: str, record_hash: str) -> dict[str, Any]:
    return {"embed_hash": embed_hash, "record_hash": record_hash, "title": p.title, "source": p.source,
            "product": codec.dumps(p)}
