"""Chroma as the persistent store of record: one entry per product with its vector, hashes and full JSON.

Embedded (``PersistentClient`` in ``<data_dir>/chroma``) or a Chroma server (``HttpClient``). Chroma never
embeds anything itself: the collection is opened with no embedding function and always given vectors, since
its default function would try to download a model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from agent.errors import ConfigError, RetryableError
from agent.knowledge.embedding import Vector
from agent.settings import KnowledgeSettings

log = logging.getLogger(__name__)

_BATCH = 1000


class StoreUnavailable(RetryableError):
    """The Chroma server cannot be reached: at start-up the show does not start (the message says where it
    looked); mid-show the catalog in memory keeps answering and a re-sync is tried again later."""


@dataclass(frozen=True, slots=True)
class StoredProduct:
    id: str
    embed_hash: str
    record_hash: str
    product_json: str
    vector: Vector


class ChromaStore:
    """One collection. Methods are blocking: callers run them in a thread when on the event loop."""

    def __init__(self, settings: KnowledgeSettings, data_dir: Path, collection: str) -> None:
        import chromadb  # imported here: ~2 s, paid only by processes that open a store
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.store == "server":
            url = urlparse(settings.server_url)
            if not url.hostname:
                raise ConfigError(f"knowledge.server_url: not a URL: {settings.server_url!r}")
            try:
                self._client: Any = chromadb.HttpClient(
                    host=url.hostname,
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
            except Exception as exc:  # chromadb says ValueError("Could not connect to a Chroma server...")
                raise StoreUnavailable(f"knowledge: cannot reach the Chroma server at {settings.server_url} "
                                       f"(knowledge.server_url; is `chroma run` started?): {exc}") from exc
        else:
            path = data_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        self.name = collection
        self._col = self._client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def close(self) -> None:
        """Release the client (its HTTP connections, or the SQLite files); the store is unusable after."""
        # chromadb's sync HTTP API never closes its httpx sessions (the client's and its admin client's):
        # close them here, or their sockets leak until garbage collection.
        owners = (self._client, getattr(self._client, "_admin_client", None))
        sessions = [getattr(getattr(o, "_server", None), "_session", None) for o in owners]
        self._client.close()
        for session in sessions:
            if session is not None and hasattr(session, "close"):
                session.close()

    def load(self) -> list[StoredProduct]:
        """Everything stored, vectors included: the in-memory index is rebuilt from this at start-up."""
        out: list[StoredProduct] = []
        total = self._col.count()
        for offset in range(0, total, _BATCH * 5):
            got = self._col.get(include=["embeddings", "metadatas"], limit=_BATCH * 5, offset=offset)
            vecs = got["embeddings"]
            for i, pid in enumerate(got["ids"]):
                meta = got["metadatas"][i] or {}
                out.append(
                    StoredProduct(
                        id=pid,
                        embed_hash=str(meta.get("embed_hash", "")),
                        record_hash=str(meta.get("record_hash", "")),
                        product_json=str(meta.get("product", "")),
                        vector=np.asarray(vecs[i], dtype=np.float32),
                    )
                )
        return out

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Vector,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str],
    ) -> None:
        for i in range(0, len(ids), _BATCH):
            self._col.upsert(
                ids=list(ids[i : i + _BATCH]),
                embeddings=vectors[i : i + _BATCH],
                metadatas=list(metadatas[i : i + _BATCH]),
                documents=list(documents[i : i + _BATCH]),
            )

    def update(
        self,
        ids: Sequence[str],
        vectors: Vector,
        metadatas: Sequence[dict[str, Any]],
        documents: Sequence[str],
    ) -> None:
        """New metadata (price, stock) for entries whose embedded text did not change: no re-embedding.

        The unchanged vectors are sent again: given documents without embeddings, Chroma would call its
        default embedding function, which downloads a model.
        """
        for i in range(0, len(ids), _BATCH):
            self._col.update(
                ids=list(ids[i : i + _BATCH]),
                embeddings=vectors[i : i + _BATCH],
                metadatas=list(metadatas[i : i + _BATCH]),
                documents=list(documents[i : i + _BATCH]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), _BATCH):
            self._col.delete(ids=list(ids[i : i + _BATCH]))

    def count(self) -> int:
        return int(self._col.count())
