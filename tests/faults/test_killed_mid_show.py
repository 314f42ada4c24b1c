"""``livehost demo`` killed mid-show (``kill -9``: no handler runs, nothing is flushed on the way out): the
on-air record is a sound SQLite database and every entry written before the kill is there, whole."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from testkit.scripted_llm import Script, ScriptedLlmServer
from tests.faults import cli

CHAT = [
    {"t": 1.0, "type": "comment", "user": "ana", "text": "How much is the linen shirt?"},
    {"t": 2.0, "type": "gift", "user": "bo", "gift": {"name": "rose", "count": 3, "value": 0.3}},
    {"t": 4.0, "type": "comment", "user": "cy", "text": "What sizes does the merino jumper come in?"},
]
ROWS = 4  # entries on the record before the kill


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedLlmServer]:
    server = ScriptedLlmServer(Script(["The Relaxed Linen Shirt is 59 EUR."]))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def read_record(path: Path) -> list[tuple[int, str, str, str]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return list(db.execute("SELECT id, kind, text, data FROM onair ORDER BY id"))


async def test_a_show_killed_mid_show_leaves_its_on_air_record_whole(tmp_path: Path,
                                                                      scripted: ScriptedLlmServer) -> None:
    f = cli.write_settings(tmp_path, base_url=scripted.base_url)
    record = tmp_path / "data" / "onair.sqlite3"
    proc = await cli.start("--settings", str(f), "demo", "--chat", str(cli.write_chat(tmp_path, CHAT)))
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        await cli.read_until(proc.stderr, "on air", seen)
        before: list[tuple[int, str, str, str]] = []
        async with asyncio.timeout(90):
            while len(before) < ROWS:
                await asyncio.sleep(0.1)
                before = read_record(record) if record.exists() else []
        proc.send_signal(signal.SIGKILL)
        code, _, err = await cli.finish(proc, seen)
    finally:
        await cli.reap(proc)
    assert code == -signal.SIGKILL, err
    with sqlite3.connect(record) as db:  # opened for writing: the WAL is replayed, as the next show would
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after = read_record(record)
    assert after[:len(before)] == before  # every entry seen before the kill, unchanged
    for _, kind, text, data in after:
        entry = json.loads(data)
        assert kind in ("script", "reply", "thanks", "bridge", "say_now") and text and entry["text"] == text
    assert {"script", "reply"} <= {kind for _, kind, _, _ in before}
