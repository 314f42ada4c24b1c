"""``livehost rehearse``: a whole show on virtual time, as fast as the machine allows.

Waiting (audio playing, chat gaps) costs nothing; the real compute time of the LLM, retrieval and TTS is
charged to the virtual clock, so the latencies in the report are the ones a live show would have. Adapters
mark that work busy so the clock does not jump ahead while it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agent.clock import VirtualClock
from agent.director.director import TimelineEntry
from agent.director.utterance import Utterance
from agent.metrics import percentile
from agent.settings import Settings


def script_continuity(timeline: Sequence[dict[str, Any]], lines: int) -> tuple[int, int]:
    """(repeated, skipped) script sentences: completed script lines must advance one by one, looping."""
    repeated = skipped = 0
    prev: int | None = None
    for t in timeline:
        if t["kind"] != "script" or t["interrupted"]:
            continue
        i = t["script_index"]
        if prev is not None:
            expected = (prev + 1) % lines
            if i == prev:
                repeated += 1
            elif i != expected:
                skipped += (i - expected) % lines
        prev = i
    return repeated, skipped


async def rehearse(settings: Settings, *, chat: str, knowledge: str | None = None, script: str | None = None,
                   duration: float | None = None, show_ended: Callable[[], None] | None = None) -> dict[str, Any]:
    import asyncio
    import tempfile

    from agent.app.compose import open_runtime, open_show
    from agent.records.events import read_said, read_seen
    from agent.records.onair import OnAirRecord
    from connectors.platforms.replay import ReplaySource, read_log

    clock = VirtualClock.charging_real_time()
    events = read_log(Path(chat))
    length = duration if duration is not None else (events[-1].time if events else 0) + 30.0
    driver = asyncio.ensure_future(clock.run())
    # what was said and seen, for ``said`` and ``seen``: in a file, as a live show keeps it, so memory stays flat
    folder = tempfile.TemporaryDirectory(prefix="livehost-rehearsal-")
    record = OnAirRecord(Path(folder.name) / "onair.sqlite3", show_id="rehearsal")
    try:
        async with open_runtime(settings, clock, knowledge_path=knowledge, busy=clock) as rt:
            source = ReplaySource(Path(chat), clock, speed=1.0, loop=False, events=events)
            async with open_show(rt, sources=[source], renderers=[], script_path=script, busy=clock,
                                 record=record) as show:
                entries: list[TimelineEntry] = []  # a rehearsal reports its whole timeline (the director keeps
                expired: list[Utterance] = []  # only the latest entries)
                show.director.listen(said=entries.append, expired=expired.append)
                await show.run(length)
                if show_ended is not None:  # before the record is read back (a benchmark's memory stops here)
                    show_ended()
                timeline = [t.to_json() for t in entries]
                lines = len(show.director.cursor.script.lines)
            # read once the show is closed: the questions still waiting at the end have their fate by then
            summary = show.summary()
            dropped = list(rt.triage.dropped_json())
            within = settings.show.answer_within_s
            dropped += [{**c, "t": round(u.received or 0.0, 3),
                         "reason": f"not_started_in_time: the reply could not start within {within:g} s"}
                        for u in expired for c in u.comments]
        seen = read_seen(record.events.query, record.show_id)
        said = read_said(record.events.query, record.show_id)
        # the drops the show decides itself (small talk in a busy room, askers too old to name) are in the record
        dropped += [{"user": e["user"], "text": e.get("text", ""), "t": round(e["t"], 3),
                     "reason": (f.get("detail") or {}).get("reason", f["reason"])}
                    for e in seen for f in e["fates"] if f["reason"] in ("small_talk_when_busy", "stale_merged")]
    finally:
        record.close()
        folder.cleanup()
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
    prev_kind = None
    for t in timeline:
        if t["kind"] == "script" and prev_kind in ("reply", "bridge", "thanks", "say_now"):
            t["resumed"] = True
        prev_kind = t["kind"]
    repeated, skipped = script_continuity(timeline, lines)
    lat = [t["latency_ms"] for t in timeline if t["kind"] == "reply" and t.get("latency_ms") is not None]
    summary.update({
        "duration_s": round(length, 1),
        "script_sentences_repeated": repeated,
        "script_sentences_skipped": skipped,
        "replies_cut_mid_sentence": sum(1 for t in timeline if t["kind"] == "reply" and t["interrupted"]),
        "comments_dropped": len(dropped),
        "comment_to_first_audio_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95)},
    })
    # ``seen``: every viewer event with its verdict and fates; ``said``: the on-air record's entries (facts, source)
    return {"timeline": timeline, "dropped": dropped, "summary": summary, "seen": seen, "said": said,
            "show": {"name": settings.show.name, "language": settings.show.default_language}}
