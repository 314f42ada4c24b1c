"""Only what passed moderation reaches the broadcast: the semantic screen runs before a reply and before the
overlay's chat feed, spam and its author are never thanked or shown, offensive names are never said, and a
viewer who keeps posting banned content is muted. The real pipeline on virtual time, a scripted LLM, the
hash embedder, and a stand-in for the semantic screen (a word it "means"), so the test is deterministic."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from agent.app.compose import open_runtime, open_show
from agent.clock import VirtualClock
from agent.events import Event
from agent.llm.client import OpenAiLlm
from agent.moderation.matcher import Match
from agent.render import AudioChunk, ChatSeen, ChatShown, UtteranceStarted
from agent.settings import load_settings
from connectors.platforms.replay import ReplaySource
from testkit.scripted_llm import ScriptedLlmServer
from testkit.tone_tts import RecordingRenderer


class MeaningOf:
    """A semantic screen that finds 'sinister' comments banned (the real one is tested in tests/moderation)."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    async def check(self, text: str, event: Event | None = None) -> Match | None:
        self.checked.append(text)
        return Match("violence", "meaning", "a sinister example") if "sinister" in text else None


CHAT = [
    {"t": 1.0, "type": "comment", "user": "marco", "text": "How much is the linen shirt?"},
    {"t": 2.0, "type": "comment", "user": "spammer01", "text": "FREE FOLLOWERS 💯💯 visit my page!!!"},
    {"t": 2.5, "type": "follow", "user": "spammer01"},
    {"t": 3.0, "type": "comment", "user": "eve", "text": "what a sinister little shop"},
    {"t": 4.0, "type": "comment", "user": "lena", "text": "hi Mia!"},
    {"t": 5.0, "type": "follow", "user": "fuckyou123"},
    {"t": 6.0, "type": "comment", "user": "troll", "text": "online gambling here"},
    {"t": 7.0, "type": "comment", "user": "troll", "text": "casino bonus link"},
    {"t": 8.0, "type": "comment", "user": "troll", "text": "betting tips for tonight"},
    {"t": 9.0, "type": "comment", "user": "troll", "text": "hi everyone"},
]


async def test_only_what_passed_every_layer_reaches_the_broadcast(tmp_path: Path, repo_root: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join(json.dumps(c) for c in CHAT))
    settings = load_settings(repo_root / "settings.toml", overrides={
        "show.data_dir": str(tmp_path / "data"), "knowledge.embedding": "hash", "triage.thanks_window_s": 2.0,
        "triage.mute_after": 3,
    })
    server = ScriptedLlmServer()
    await server.start()
    llm = OpenAiLlm(server.base_url, "scripted")
    overlay = RecordingRenderer()
    clock = VirtualClock()
    screen = MeaningOf()
    driver = asyncio.ensure_future(clock.run())
    try:
        async with open_runtime(settings, clock, llm=llm, busy=clock) as rt:
            rt.screen = screen  # type: ignore[assignment]
            async with open_show(rt, sources=[ReplaySource(chat, clock)], renderers=[overlay], busy=clock) as show:
                await show.run(30.0)
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
        await llm.aclose()
        await server.stop()

    shown = [e for e in overlay.events if isinstance(e, ChatShown)]
    seen = [e for e in overlay.events if isinstance(e, ChatSeen)]
    said = " ".join(e.audio.text for e in overlay.events if isinstance(e, AudioChunk))
    replies = [e for e in overlay.events if isinstance(e, UtteranceStarted) and e.kind == "reply"]
    # the broadcast shows the question and the greeting, never the spam, the semantic block or the gambling
    shown_texts = [e.text for e in shown]
    assert "How much is the linen shirt?" in shown_texts and "hi Mia!" in shown_texts
    assert not any("FREE FOLLOWERS" in t or "sinister" in t or "gambling" in t for t in shown_texts)
    # moderators see each of them, with the reason
    blocked = {e.text: e.reason for e in seen if e.action == "block"}
    assert sum(1 for e in seen if e.action == "block" and e.user == "eve") == 1  # screened once, not twice
    assert "FREE FOLLOWERS 💯💯 visit my page!!!" in blocked and "meaning" in blocked["what a sinister little shop"]
    # nobody answered the spam or the blocked comment; the spammer and the offensive name were never said
    assert not any(r.comment and r.comment["user"] in ("spammer01", "eve") for r in replies)
    assert "spammer01" not in said and "fuckyou123" not in said.lower()
    assert "thanks for following" in said.lower()  # the follows are thanked all the same, without the names
    # three banned comments mute the viewer: the fourth, harmless one is not shown or answered
    assert any(e.category == "muted" and e.user == "troll" for e in seen)
    assert "hi everyone" not in shown_texts
    assert "what a sinister little shop" in screen.checked
