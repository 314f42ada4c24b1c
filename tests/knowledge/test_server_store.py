"""The Chroma server store, against a real ``chroma run`` subprocess on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent.knowledge.base import KnowledgeBase
from agent.settings import KnowledgeSettings

from .conftest import SAMPLE_SHOP, CountingEmbedder

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMA.exists():
        pytest.skip("no chroma executable beside the interpreter")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma server did not become healthy")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def test_server_store_persists_products_and_syncs_incrementally(chroma_url: str, tmp_path: Path) -> None:
    settings = KnowledgeSettings(store="server", server_url=chroma_url, embedding="hash", collection="srv")
    first = KnowledgeBase(settings, [SAMPLE_SHOP], tmp_path, embedder=CountingEmbedder())
    report = first.sync()
    assert report.added == report.products >= 10
    assert not (tmp_path / "chroma").exists()  # nothing stored locally in server mode
    again_embedder = CountingEmbedder()
    again = KnowledgeBase(settings, [SAMPLE_SHOP], tmp_path, embedder=again_embedder)
    assert again.sync().unchanged == report.products and again_embedder.passages == []
    assert again.products() == first.products()
    hits = await again.search("Rattan Pendant Lamp", k=1)
    assert hits[0].product.id == "rattan-pendant-lamp"
    first.close()
    again.close()
