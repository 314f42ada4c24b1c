"""A recorded rehearsal for the report's tests: ten minutes of chat on three platforms (questions in English,
French and Chinese, questions about things the shop does not sell, greetings, a flash of questions the host
cannot all answer, banned comments and spam, gifts, likes, follows, joins), rehearsed on virtual time with the
scripted LLM and the hash embedder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.app.rehearse import rehearse
from agent.settings import load_settings
from testkit.scripted_llm import Script, ScriptedLlmServer

QUESTIONS = ["How much is the linen shirt?", "Is the waxed canvas tote on sale?", "price of the mug set?",
             "C'est combien le plaid en laine ?", "这个马克杯套装多少钱？", "Do you sell phone cases?",
             "What sizes does the merino jumper come in?", "Vous vendez des vélos ?", "有没有猫砂？",
             "Is the cashmere scarf still in stock?"]
FLASH = ["how much is the leather belt?", "is the oak side table in stock?", "price of the beeswax candle?",
         "c'est combien la lampe en rotin ?", "亚麻床品套件多少钱？", "what colours does the tee come in?",
         "do you sell laptops?", "combien coûte l'écharpe ?"]
BANNED = ["where can I buy weed around here", "check this out http://spam.example/win"]
PLATFORMS = ("douyin", "twitch", "replay")
SETTINGS = Path(__file__).resolve().parents[2] / "settings.toml"


def chat_lines(minutes: int = 10) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for i in range(minutes * 5):  # a question every 12 s
        lines.append({"t": 4 + i * 12, "type": "comment", "user": f"v{i % 11}", "platform": PLATFORMS[i % 3],
                      "text": QUESTIONS[i % len(QUESTIONS)]})
        if i % 5 == 0:
            lines.append({"t": 6 + i * 12, "type": "comment", "user": f"h{i}", "platform": "twitch",
                          "text": "hello everyone!"})
        if i % 4 == 1:
            lines.append({"t": 7 + i * 12, "type": "gift", "user": f"fan{i % 3}", "platform": PLATFORMS[i % 3],
                          "gift": {"name": "rose" if i % 2 else "rocket", "count": 1 + i % 3, "value": 0.5 + i % 4}})
        if i % 6 == 2:
            lines.append({"t": 8 + i * 12, "type": "like", "user": f"l{i}", "count": 12, "platform": "douyin"})
            lines.append({"t": 9 + i * 12, "type": "follow", "user": f"f{i}", "platform": "douyin"})
            lines.append({"t": 9.5 + i * 12, "type": "join", "user": f"j{i}", "platform": "twitch"})
        if i % 9 == 3:
            lines.append({"t": 10 + i * 12, "type": "comment", "user": "troll", "platform": "replay",
                          "text": BANNED[(i // 9) % 2]})
    for k in range(40):  # a flash of questions at minute 5: more than the host can answer in time
        lines.append({"t": 300 + k * 0.05, "type": "comment", "user": f"flash{k}", "platform": PLATFORMS[k % 3],
                      "text": FLASH[k % len(FLASH)] + ("" if k < len(FLASH) else f" ({k})")})
    return sorted(lines, key=lambda x: x["t"])


async def rehearsed(folder: Path, minutes: int = 10) -> dict[str, Any]:
    """The ``rehearse --json`` report of :func:`chat_lines`; also written to ``folder/rehearsal.json``."""
    server = ScriptedLlmServer(Script(["Thanks for asking! ", "Have a look at the card on screen."]))
    await server.start()
    try:
        settings = load_settings(SETTINGS, overrides={
            "show.data_dir": str(folder / "data"), "knowledge.embedding": "hash", "llm.base_url": server.base_url,
        })
        chat = folder / "chat.jsonl"
        chat.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in chat_lines(minutes)), encoding="utf-8")
        report = await rehearse(settings, chat=str(chat))
    finally:
        await server.stop()
    (folder / "rehearsal.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return report
