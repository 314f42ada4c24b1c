from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from agent.clock import VirtualClock
from agent.knowledge.base import KnowledgeBase, SyncReport
from agent.settings import KnowledgeSettings

from .conftest import SAMPLE_SHOP, CountingEmbedder


async def test_edited_sheet_is_live_after_the_next_watch_tick(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(SAMPLE_SHOP, shop)
    kb = KnowledgeBase(KnowledgeSettings(embedding="hash"), [shop], tmp_path / "data", embedder=CountingEmbedder())
    kb.sync()
    clock = VirtualClock()
    synced: asyncio.Queue[SyncReport] = asyncio.Queue()
    task = asyncio.create_task(kb.watch(clock, interval=2.0, on_sync=synced.put_nowait))
    try:
        await asyncio.sleep(0)
        clock.advance(2.0)  # a tick with nothing changed: no sync
        await asyncio.sleep(0.05)
        assert synced.empty()
        sheet = shop / "stoneware-mug-set.md"
        sheet.write_text(sheet.read_text().replace("price: 38", "price: 33"), encoding="utf-8")
        bad = shop / "broken.md"
        bad.write_text("---\ntitle: no end\n", encoding="utf-8")
        clock.advance(2.0)  # a broken file is rejected: the old catalog stays live
        await asyncio.sleep(0.2)
        assert synced.empty() and kb.get("stoneware-mug-set").price == 38.0  # type: ignore[union-attr]
        bad.unlink()
        clock.advance(2.0)
        report = await asyncio.wait_for(synced.get(), timeout=10)
        assert report.restamped == 1
        hits = await kb.search("stoneware mug set", k=1)
        assert hits[0].product.id == "stoneware-mug-set" and hits[0].product.price == 33.0
    finally:
        task.cancel()
