"""A whole show on virtual time: the script never repeats or skips a sentence, replies are never cut."""

from __future__ import annotations

import json
from pathlib import Path

from agent.app.rehearse import rehearse, script_continuity
from agent.settings import load_settings
from testkit.scripted_llm import Script, ScriptedLlmServer

QUESTIONS = ["How much is the linen shirt?", "Is the waxed canvas tote on sale?", "price of the mug set?",
             "C'est combien le plaid en laine ?", "这个马克杯套装多少钱？", "hello everyone"]


def chat_log(path: Path, minutes: int) -> None:
    lines = []
    for i in range(minutes * 4):  # a comment every 15 s, a gift every minute
        lines.append({"t": 5 + i * 15, "type": "comment", "user": f"v{i % 7}", "text": QUESTIONS[i % len(QUESTIONS)]})
        if i % 4 == 0:
            lines.append({"t": 6 + i * 15, "type": "gift", "user": f"g{i}", "gift": {"name": "rose", "count": 1}})
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))


async def test_rehearsal_keeps_the_script_whole_and_never_cuts_a_reply(tmp_path: Path, repo_root: Path) -> None:
    server = ScriptedLlmServer(Script(["Thanks for asking! ", "Have a look at the card on screen."]))
    await server.start()
    try:
        settings = load_settings(repo_root / "settings.toml", overrides={
            "show.data_dir": str(tmp_path / "data"), "knowledge.embedding": "hash",
            "llm.base_url": server.base_url,
        })
        chat = tmp_path / "chat.jsonl"
        chat_log(chat, minutes=10)
        report = await rehearse(settings, chat=str(chat))
    finally:
        await server.stop()
    summary, timeline = report["summary"], report["timeline"]
    assert summary["script_sentences_repeated"] == 0 and summary["script_sentences_skipped"] == 0
    assert summary["replies_cut_mid_sentence"] == 0
    replies = [t for t in timeline if t["kind"] == "reply"]
    assert len(replies) >= 10 and all(t["comment"] and t["comment"]["user"] for t in replies)
    assert any(t.get("resumed") for t in timeline if t["kind"] == "script")
    assert any(t["kind"] == "thanks" for t in timeline)
    # utterances never overlap on the show's clock
    assert all(b["start"] >= a["end"] - 1e-6 for a, b in zip(timeline, timeline[1:], strict=False))
    assert timeline[-1]["end"] <= summary["duration_s"] + 30
    for d in report["dropped"]:
        assert d["reason"]
    assert summary["comment_to_first_audio_ms"]["p50"] is not None


def test_continuity_counts_repeats_and_skips() -> None:
    tl = [{"kind": "script", "interrupted": False, "script_index": i} for i in (0, 1, 1, 3, 4, 0)]
    assert script_continuity(tl, 5) == (1, 1)


async def test_a_quiet_chat_gets_an_invitation_to_ask(tmp_path: Path, repo_root: Path) -> None:
    server = ScriptedLlmServer()
    await server.start()
    try:
        settings = load_settings(repo_root / "settings.toml", overrides={
            "show.data_dir": str(tmp_path / "data"), "knowledge.embedding": "hash",
            "llm.base_url": server.base_url, "show.idle_after_s": 30.0,
        })
        chat = tmp_path / "chat.jsonl"
        chat.write_text(json.dumps({"t": 1, "type": "comment", "user": "ana", "text": "hello"}))
        report = await rehearse(settings, chat=str(chat), duration=100.0)
    finally:
        await server.stop()
    bridges = [t for t in report["timeline"] if t["kind"] == "bridge" and t["start"] > 25]
    assert bridges and any("question" in t["text"].lower() or "chat" in t["text"].lower() for t in bridges)


async def test_a_crowd_asking_the_same_thing_gets_one_fresh_reply_that_lists_every_asker(tmp_path: Path,
                                                                                         repo_root: Path) -> None:
    server = ScriptedLlmServer()
    await server.start()
    try:
        settings = load_settings(repo_root / "settings.toml", overrides={
            "show.data_dir": str(tmp_path / "data"), "knowledge.embedding": "hash", "llm.base_url": server.base_url,
        })
        lines = [{"t": 20 + i * 0.05, "type": "comment", "user": f"fan{i}", "text": "How much is the linen shirt?"}
                 for i in range(6)]
        chat = tmp_path / "chat.jsonl"
        chat.write_text("\n".join(json.dumps(x) for x in lines))
        report = await rehearse(settings, chat=str(chat), duration=90.0)
    finally:
        await server.stop()
    summary = report["summary"]
    replies = [t for t in report["timeline"] if t["kind"] == "reply"]
    assert len(replies) == 1, replies  # one answer for the crowd
    asked = replies[0]["comments"]
    assert replies[0]["comment"] == asked[0] and len(asked) >= 2
    assert all(set(c) == {"user", "text"} for c in asked)
    assert summary["questions_merged"] == len(asked) - 1
    assert summary["answered_comment_to_first_audio_ms"]["p95"] <= settings.show.answer_within_s * 1000
    assert summary["distinct_product_questions"] == 1 and summary["distinct_answered_share"] == 1.0
    assert 0 < summary["script_airtime_share"] < 1 and isinstance(summary["drops_by_reason"], dict)
