"""Approval mode through the real pipeline on virtual time (triage, retrieval with the hash embedder, guards,
espeak-ng, the director; the LLM is the scripted OpenAI-compatible server): replies wait for a moderator while
the script plays, an approved one is said at once, a rejected or expired one never, and the on-air record keeps
what was said with the facts and the decision behind it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agent.app.compose import open_runtime, open_show
from agent.approval import Approvals
from agent.clock import VirtualClock
from agent.llm.client import OpenAiLlm
from agent.records.onair import OnAirRecord
from agent.settings import load_settings
from agent.show import Show
from connectors.platforms.replay import ReplaySource
from testkit.scripted_llm import ScriptedLlmServer

CHAT = [
    {"t": 2.0, "type": "comment", "user": "marco", "text": "How much is the linen shirt?"},
    {"t": 3.0, "type": "comment", "user": "lena", "text": "What sizes does the merino sweater come in?"},
]


def _chat(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    chat = folder / "chat.jsonl"
    chat.write_text("\n".join(json.dumps(c) for c in CHAT), encoding="utf-8")
    return chat


async def _run(tmp_path: Path, repo_root: Path, approval: bool, moderator: Callable[[Show, VirtualClock],
               Awaitable[None]] | None, seconds: float = 40.0) -> tuple[Show, list[dict[str, Any]]]:
    chat = _chat(tmp_path)
    settings = load_settings(repo_root / "settings.toml", overrides={
        "show.data_dir": str(tmp_path / "data"), "knowledge.embedding": "hash", "console.approval": approval,
        "console.approval_expire_s": 20.0, "show.answer_within_s": 60.0,
    })
    server = ScriptedLlmServer()
    await server.start()
    llm = OpenAiLlm(server.base_url, "scripted")
    clock = VirtualClock()
    record = OnAirRecord(tmp_path / f"onair-{approval}.sqlite3", show_id="t")
    driver = asyncio.ensure_future(clock.run())
    jobs: list[asyncio.Future[None]] = []
    try:
        async with open_runtime(settings, clock, llm=llm, busy=clock) as rt:
            async with open_show(rt, sources=[ReplaySource(chat, clock)], renderers=[], busy=clock,
                                 record=record) as show:
                if moderator is not None:
                    jobs.append(asyncio.ensure_future(moderator(show, clock)))
                await show.run(seconds)
        entries = record.search(limit=1000)
    finally:
        for j in jobs:
            j.cancel()
        driver.cancel()
        await asyncio.gather(driver, *jobs, return_exceptions=True)
        record.close()
        await llm.aclose()
        await server.stop()
    return show, list(reversed(entries))


async def _waiting(approvals: Approvals, clock: VirtualClock, n: int = 1) -> None:
    while len(approvals.waiting()) < n:
        await clock.sleep(0.05)


async def test_replies_wait_while_the_script_plays_and_an_unanswered_one_is_never_said(tmp_path: Path,
                                                                                        repo_root: Path) -> None:
    show, said = await _run(tmp_path, repo_root, True, None)
    timeline = show.director.state.timeline
    assert not [t for t in timeline if t.kind == "reply"]
    assert sum(1 for t in timeline if t.kind == "script" and t.start > 3.0) >= 3  # the script kept playing
    assert show.summary()["drops_by_reason"]["not_approved_in_time"] == 2
    assert {e["kind"] for e in said} == {"script"}  # the record holds what was said: no reply


async def test_an_approved_edit_is_said_at_once_and_recorded_with_its_facts_and_decision(
        tmp_path: Path, repo_root: Path) -> None:
    async def moderator(show: Show, clock: VirtualClock) -> None:
        assert show.approvals is not None
        await _waiting(show.approvals, clock, 2)
        first, second = show.approvals.waiting()
        assert first.comment == {"user": "marco", "text": "How much is the linen shirt?"} and first.facts
        show.approvals.approve(first.id, "mia", first.text + " It is on screen now.")
        show.approvals.reject(second.id, "mia")

    show, said = await _run(tmp_path, repo_root, True, moderator)
    replies = [t for t in show.director.state.timeline if t.kind == "reply"]
    assert len(replies) == 1 and replies[0].text.endswith("It is on screen now.")
    entry = next(e for e in said if e["kind"] == "reply")
    assert entry["approval"]["action"] == "edit" and entry["approval"]["who"] == "mia"
    assert entry["comment"]["user"] == "marco" and any("price" in f for f in entry["facts"])
    assert entry["text"] == replies[0].text and entry["latency_ms"] > 0
    assert show.summary()["drops_by_reason"]["rejected_by_moderator"] == 1


async def test_approving_at_once_adds_no_more_than_the_moderators_round_trip(tmp_path: Path,
                                                                           repo_root: Path) -> None:
    """The same chat with approval off, and on with a moderator who approves each reply the moment it appears:
    the first audio comes no later than without approval (plus a 0.5 s round trip, here on virtual time)."""
    round_trip = 0.5

    async def prompt_moderator(show: Show, clock: VirtualClock) -> None:
        assert show.approvals is not None
        while True:
            await _waiting(show.approvals, clock)
            await clock.sleep(round_trip)
            for r in show.approvals.waiting():
                show.approvals.approve(r.id, "mia")

    plain, _ = await _run(tmp_path / "off", repo_root, False, None)
    reviewed, _ = await _run(tmp_path / "on", repo_root, True, prompt_moderator)
    off = {t.comment["user"]: t.latency for t in plain.director.state.timeline if t.kind == "reply" and t.comment}
    on = {t.comment["user"]: t.latency for t in reviewed.director.state.timeline if t.kind == "reply" and t.comment}
    assert off.keys() == on.keys() == {"marco", "lena"}
    for user, latency in on.items():
        before = off[user]
        assert latency is not None and before is not None
        assert latency <= before + round_trip + 0.05, (user, latency, before)
