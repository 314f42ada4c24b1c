"""Stopping ``livehost demo`` as a supervisor does (SIGTERM) or an operator does (Ctrl-C), at every stage.

The embedded LLM is a stand-in child (the scripted OpenAI-compatible server through ``llm.embedded.command``,
slow to start or to warm up when the test needs that stage to last), so the test needs no model. At each
start-up stage, found from the progress lines on stderr: exit status 0, no traceback, and no LLM server left
running. On air, SIGTERM lets the host finish the sentence being said, then say the closing line, and the
on-air record keeps both."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from pathlib import Path

import pytest

from agent.prompts import load_prompt_set
from tests.faults import cli

CHAT = [{"t": 1.0, "type": "comment", "user": "ana", "text": "How much is the linen shirt?"}]


def processes_with(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (the LLM stand-in's), from /proc."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmdline = (d / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(d.name))
    return found


def demo_settings(tmp_path: Path, *stand_in_args: str) -> tuple[Path, str]:
    marker = f"stand-in-{tmp_path.name}"
    command = ["{python}", "-m", "testkit.scripted_llm", "--host", "{host}", "--port", "{port}", "--reply", marker,
               *stand_in_args]
    f = cli.write_settings(tmp_path, replace={"command = []": f"command = {json.dumps(command)}",
                                              'paraphrase = "auto"': 'paraphrase = "always"'})
    return f, marker


async def until(condition: object, within_s: float = 30.0) -> None:
    async with asyncio.timeout(within_s):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)


STAGES = [  # (the progress line, the signal, what the stand-in does so that the stage lasts)
    ("indexing the catalog", signal.SIGTERM, ()),
    ("starting the embedded LLM", signal.SIGTERM, ("--start-delay", "60")),
    ("starting the embedded LLM", signal.SIGINT, ("--start-delay", "60")),
    ("warming up the LLM", signal.SIGTERM, ("--warm-up-delay", "60")),
    ("warming up the LLM", signal.SIGINT, ("--warm-up-delay", "60")),
]


@pytest.mark.parametrize(("stage", "sig", "stand_in"), STAGES, ids=[f"{s[0]}-{s[1].name}" for s in STAGES])
async def test_a_stop_during_start_up_exits_0_without_traceback_nor_llm_server_left(
        stage: str, sig: signal.Signals, stand_in: tuple[str, ...], tmp_path: Path) -> None:
    f, marker = demo_settings(tmp_path, *stand_in)
    proc = await cli.start("--settings", str(f), "demo", "--chat", str(cli.write_chat(tmp_path, CHAT)))
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        await cli.read_until(proc.stderr, stage, seen)
        if stage != "indexing the catalog":
            await until(lambda: processes_with(marker))  # the LLM server is running: it must not outlive the stop
        proc.send_signal(sig)
        code, out, err = await cli.finish(proc, seen)
    finally:
        await cli.reap(proc)
    assert code == 0, err
    assert "Traceback" not in err and "stopped before going on air" in err
    assert json.loads(out.strip().splitlines()[-1]) == {"stopped": "before on air"}
    assert processes_with(marker) == []


async def test_sigterm_on_air_finishes_the_sentence_then_says_the_closing_line(tmp_path: Path) -> None:
    f, marker = demo_settings(tmp_path)
    record = tmp_path / "data" / "onair.sqlite3"

    def said() -> list[tuple[str, str, int]]:
        if not record.exists():
            return []
        with sqlite3.connect(f"file:{record}?mode=ro", uri=True) as db:
            return list(db.execute("SELECT kind, text, json_extract(data, '$.interrupted') FROM onair ORDER BY id"))

    proc = await cli.start("--settings", str(f), "demo", "--chat", str(cli.write_chat(tmp_path, CHAT)))
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        await cli.read_until(proc.stderr, "on air", seen)
        await until(lambda: len(said()) >= 1)  # the first script line was said: something is on air
        proc.send_signal(signal.SIGTERM)
        code, out, err = await cli.finish(proc, seen)
    finally:
        await cli.reap(proc)
    assert code == 0, err
    assert "Traceback" not in err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["script_sentences_spoken"] >= 1
    rows = said()
    closing = load_prompt_set(cli.REPO / "prompts").phrase("en", "closing")
    assert rows[-1] == ("say_now", closing, 0)  # the last thing said, whole
    kind, text, _ = rows[-2]  # what was being said when SIGTERM came: ended at the end of a sentence
    assert kind in ("script", "reply") and text.rstrip()[-1] in ".!?"
    assert processes_with(marker) == []


async def test_a_killed_show_leaves_no_llm_server_behind(tmp_path: Path) -> None:
    """``kill -9`` gives livehost no chance to stop its child: the child goes with it (parent-death signal)."""
    f, marker = demo_settings(tmp_path)
    proc = await cli.start("--settings", str(f), "demo", "--chat", str(cli.write_chat(tmp_path, CHAT)))
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        await cli.read_until(proc.stderr, "on air", seen)
        assert processes_with(marker)
        proc.kill()
        await proc.wait()
        await until(lambda: not processes_with(marker), within_s=10.0)
    finally:
        await cli.reap(proc)
