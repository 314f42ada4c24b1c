"""Query-mode vectors of fixed phrases (moderation and scope exemplars), remembered on disk per model.

A few thousand exemplar phrases take ~25 s to embed on one core, and they change one line at a time (a
moderator's edit), so each phrase is embedded once per model and kept in ``<dir>/<model>.npz``. The file is
rewritten whole, through a temporary name, only when new phrases were added: a reader never sees half of it,
and a broken or foreign file is simply embedded again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.ports import Embedder, Vector

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """Where phrase vectors live unless settings say otherwise: the user's cache folder. A vector is a pure
    function of the model and the text, so every show, catalog and checkout of this machine can share it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "livehost" / "vectors"


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class PhraseVectors:
    """``vectors(texts)``: one unit row per text, embedding only texts never seen before with this model.

    ``folder`` None keeps the cache in memory only (tests, one-off commands). Thread-safe.
    """

    def __init__(self, embedder: Embedder, folder: Path | None = None) -> None:
        self.embedder = embedder
        self.path = None if folder is None else Path(folder) / f"{embedder.name}.npz"
        self._rows: dict[str, Vector] = {}
        self._lock = threading.Lock()
        self._loaded = False

    def vectors(self, texts: Sequence[str]) -> Vector:
        with self._lock:
            self._load()
            keys = [_key(t) for t in texts]
            missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._rows))
            if missing:
                fresh = self.embedder.embed_queries(missing)
                for t, v in zip(missing, fresh, strict=True):
                    self._rows[_key(t)] = np.asarray(v, dtype=np.float32)
                self._save()
            if not keys:
                return np.zeros((0, self.embedder.dim), dtype=np.float32)
            return np.vstack([self._rows[k] for k in keys]).astype(np.float32, copy=False)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.path is None or not self.path.exists():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, matrix = data["keys"], data["vectors"]
            if matrix.ndim != 2 or matrix.shape[1] != self.embedder.dim or len(keys) != len(matrix):
                raise ValueError(f"shape {matrix.shape} does not fit dim {self.embedder.dim}")
            self._rows = {str(k): matrix[i].astype(np.float32) for i, k in enumerate(keys)}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("phrase vector cache unreadable; embedding again", extra={"path": str(self.path),
                                                                                 "error": str(exc)})
            self._rows = {}

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._rows), dtype="U24")
        matrix = np.vstack(list(self._rows.values())).astype(np.float32)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                np.savez(f, keys=keys, vectors=matrix)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:  # a full disk loses the cache, never the show
            log.warning("phrase vector cache not saved", extra={"path": str(self.path), "error": str(exc)})
            tmp.unlink(missing_ok=True)


class QueryCache:
    """A small LRU of query vectors: viewers repeat questions, and an embedding costs ~30 ms of CPU."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Vector | None:
        with self._lock:
            v = self._items.get(key)
            if v is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return v

    def put(self, key: str, value: Vector) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
