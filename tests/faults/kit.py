"""The fault tests' show: the real pipeline (triage, the real embedder and fact finder, guards, the director) on
virtual time, fed by a replayed chat, with the fault put where the test says (the LLM, the speech engine, a
renderer, the store)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.app.compose import open_runtime, open_show
from agent.clock import VirtualClock
from agent.director.director import TimelineEntry
from agent.metrics import Metrics
from agent.ports import Llm, Renderer
from agent.settings import Settings, load_settings
from agent.show import Show
from connectors.platforms.replay import ReplaySource

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What is the cashmere scarf made of?"
HEAD = "ana, the Cashmere Scarf:"  # said first, while the LLM rephrases the fact
FACT = "Material: 100% Mongolian cashmere."  # the sheet's own words: what is said when the LLM fails
ASKED = [{"t": 2.0, "type": "comment", "user": "ana", "text": QUESTION}]


def write_chat(folder: Path, events: Sequence[dict[str, Any]] = ASKED) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    chat = folder / "chat.jsonl"
    chat.write_text("\n".join(json.dumps(e) for e in events), encoding="utf-8")
    return chat


def fault_settings(data_dir: Path, **overrides: Any) -> Settings:
    """The shipped settings on ``data_dir``; every sheet fact goes through the LLM (``reply.paraphrase``
    always), so that an LLM fault is on the reply's path."""
    return load_settings(REPO / "settings.toml", overrides={
        "show.data_dir": str(data_dir), "reply.paraphrase": "always", "knowledge.watch": False, **overrides})


@dataclass
class Played:
    show: Show
    metrics: Metrics

    @property
    def timeline(self) -> list[TimelineEntry]:
        return self.show.director.state.timeline

    def reply_to(self, user: str) -> TimelineEntry:
        replies = [t for t in self.timeline if t.kind == "reply" and t.comment and t.comment["user"] == user]
        assert len(replies) == 1, [(t.kind, t.text) for t in self.timeline]
        return replies[0]

    def script_after(self, t: float) -> list[TimelineEntry]:
        """Script sentences said whole after ``t``: the show went on."""
        return [e for e in self.timeline if e.kind == "script" and e.start >= t and not e.interrupted]

    def counted(self, family: str, **labels: str) -> float:
        """A Prometheus counter's value (0 when never counted)."""
        return self.metrics.registry.get_sample_value(f"livehost_{family}_total", labels) or 0.0


async def play(settings: Settings, chat: Path, seconds: float, *, llm: Llm | None = None, llm_busy: bool = True,
               speech_busy: bool = True, renderers: Sequence[Renderer] = (),
               meanwhile: Callable[[Show, VirtualClock], Awaitable[None]] | None = None) -> Played:
    """``seconds`` of show on virtual time. ``llm_busy`` / ``speech_busy``: real LLM calls / syntheses hold
    virtual time while they run (False for a fault that never answers: only then can the show's timeout, on
    the virtual clock, fire). ``meanwhile(show, clock)`` runs beside the show (a fault put in mid-show)."""
    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())
    jobs: list[asyncio.Future[None]] = []
    try:
        async with open_runtime(settings, clock, llm=llm, use_llm=llm is not None,
                                busy=clock if llm_busy else None) as rt:
            async with open_show(rt, sources=[ReplaySource(chat, clock)], renderers=list(renderers),
                                 busy=clock if speech_busy else None) as show:
                if meanwhile is not None:
                    jobs.append(asyncio.ensure_future(meanwhile(show, clock)))
                await show.run(seconds)
                for job in jobs:
                    if job.done():
                        job.result()  # a failed check beside the show fails the test
            return Played(show, rt.metrics)
    finally:
        for job in jobs:
            job.cancel()
        driver.cancel()
        await asyncio.gather(driver, *jobs, return_exceptions=True)
