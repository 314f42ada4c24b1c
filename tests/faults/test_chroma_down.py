"""The knowledge store is a Chroma server that is not there.

At start-up the show does not start: one clear line says which server could not be reached and which setting
names it (exit status 2, no traceback). Mid-show, the catalog is already in memory: questions are still answered
from the sheets, the script goes on, and a catalog edit that cannot be stored is logged once and tried again."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.clock import VirtualClock
from agent.show import Show
from testkit.chroma_server import CHROMA, chroma_server, free_port
from testkit.tone_tts import ToneEngine
from tests.faults import cli
from tests.faults.kit import fault_settings, play, write_chat


async def test_a_chroma_server_that_is_not_there_stops_the_start_with_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    f = cli.write_settings(tmp_path, base_url="http://127.0.0.1:9/v1", replace={
        'store = "embedded"': 'store = "server"', 'server_url = "http://127.0.0.1:8000"': f'server_url = "{url}"'})
    proc = await cli.start("--settings", str(f), "demo", "--duration", "5")
    code, out, err = await cli.finish(proc, [])
    assert code == 2 and out == ""
    assert f"livehost: error: knowledge: cannot reach the Chroma server at {url} (knowledge.server_url" in err
    assert "Traceback" not in err


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    if not CHROMA.exists():
        pytest.skip("no chroma executable beside the interpreter")
    with chroma_server(tmp_path / "chroma") as server:
        yield server


async def test_chroma_going_away_mid_show_leaves_the_answers_and_the_show_going(
        tmp_path: Path, chroma: tuple[subprocess.Popen[bytes], str], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    server, url = chroma
    shop = tmp_path / "shop"
    shutil.copytree(cli.REPO / "knowledge", shop)
    monkeypatch.setattr("agent.app.compose.build_synthesizer", lambda *a, **kw: ToneEngine(0.05))
    caplog.set_level(logging.INFO, logger="agent")
    settings = fault_settings(tmp_path / "data", **{
        "knowledge.embedding": "hash", "knowledge.store": "server", "knowledge.server_url": url,
        "knowledge.paths": [str(shop)], "knowledge.watch": True, "knowledge.watch_interval_s": 2.0})
    chat = write_chat(tmp_path, [{"t": 2.0, "type": "comment", "user": "ana", "text": "How much is the linen shirt?"},
                                 {"t": 30.0, "type": "comment", "user": "bo", "text": "How much is the linen shirt?"}])

    async def chroma_goes_away(show: Show, clock: VirtualClock) -> None:
        await clock.sleep(10.0)
        with clock.working():  # real work: virtual time waits for it
            server.kill()
            await asyncio.to_thread(server.wait)
        sheet = shop / "linen-shirt.md"  # an edit the watcher will try to store
        sheet.write_text(sheet.read_text(encoding="utf-8").replace("garment-washed", "stone-washed"),
                         encoding="utf-8")

    played = await play(settings, chat, 60.0, speech_busy=False, meanwhile=chroma_goes_away)
    assert "59 EUR" in played.reply_to("ana").text
    after = played.reply_to("bo")  # asked with the store gone: answered from the catalog in memory
    assert "59 EUR" in after.text and after.start > 30.0
    assert len(played.script_after(after.end)) >= 2
    unreachable = [r for r in caplog.records if r.getMessage() == "knowledge store unreachable; answering from "
                   "the catalog in memory"]
    assert len(unreachable) == 1  # once per outage, though the watcher tried again at every poll
