"""The show's figures in the console: ``GET /api/figures`` reads the live record (questions a minute, unanswered so
far, latency p50/p95, blocked) with the report's own definitions, so it gives the report's numbers; any logged-in
account may read it, nobody else; the page's panel follows the record without a reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from agent.app.report_commands import build_report
from agent.knowledge.embedding import HashEmbedder
from agent.records.onair import OnAirRecord
from agent.settings import load_settings
from tests.web.test_console import PASSWORD, Console, running


def comment(t: float, user: str, text: str, category: str = "product_question", action: str = "answer",
            **extra: Any) -> dict[str, Any]:
    return {"t": t, "kind": "comment", "platform": "douyin", "user": user, "text": text, "action": action,
            "category": category, "reason": "", "language": "en", **extra}


def fill(record: OnAirRecord) -> None:
    """A minute of show: four questions (two answered, one dropped as stale, one never answered), a greeting
    answered, a comment blocked by the lists and one by the screen."""
    ev = record.events
    a = ev.add_event(comment(10.0, "ana", "how much is the shirt?"))
    b = ev.add_event(comment(12.0, "bo", "is the tote in stock?"))
    c = ev.add_event(comment(14.0, "cy", "do you ship to Lyon?"))
    ev.add_event(comment(15.0, "di", "what is the mug made of?"))
    hi = ev.add_event(comment(16.0, "ed", "hello!", category="chitchat"))
    ev.add_event(comment(17.0, "troll", "buy weed here", category="banned", action="block", topic="drugs"))
    s = ev.add_event(comment(18.0, "fi", "casino tonight?"))
    for uid, start, end, asked in (("u1", 12.5, 15.0, [("ana", "how much is the shirt?")]),
                                   ("u2", 16.0, 19.0, [("bo", "is the tote in stock?")]),
                                   ("u3", 19.5, 21.0, [("ed", "hello!")])):
        record.add({"utterance_id": uid, "kind": "reply", "text": "Yes.", "start": start, "end": end,
                    "comments": [{"user": u, "text": t} for u, t in asked], "source": "facts"})
    for seq, start, uid in ((a, 12.5, "u1"), (b, 16.0, "u2"), (hi, 19.5, "u3")):
        ev.add_fate(seq, t=start + 1, fate="answered", reason="said", utterance_id=uid, detail={"start": start})
    ev.add_fate(c, t=60.0, fate="dropped", reason="stale")
    ev.add_fate(s, t=18.5, fate="blocked", reason="screen", detail={"topic": "gambling"})
    record.add({"kind": "script", "text": "Our linen shirt...", "start": 21.0, "end": 70.0})


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    async with running(tmp_path) as c:
        yield c


async def test_the_figures_are_the_reports_numbers_for_the_same_record(console: Console, repo_root: Path) -> None:
    fill(console.record)
    async with console.client() as h:
        r = await h.get("/api/figures")
    assert r.status_code == 200
    live = r.json()["figures"]
    assert live["questions"] == 5 and live["blocked"] == 2 and live["replies"] == 3
    assert live["latency_ms"] == {"p50": 3500.0, "p95": 4000.0, "n": 3}
    assert live["unanswered"] == 3  # stale, blocked by the screen, and one waiting past 30 s
    assert live["questions_per_minute"] == pytest.approx(5 / 1.0, rel=0.01)  # 60 s of show so far
    settings = load_settings(repo_root / "settings.toml", overrides={"show.data_dir": str(console.prompts.parent)})
    console.record.events.flush()
    record_file = console.prompts.parent / "data" / "onair.sqlite3"
    report, _ = build_report(record_file, settings, language="en", embedder=HashEmbedder())
    assert {k: report.key[k] for k in ("questions", "unanswered", "blocked", "replies")} == {
        k: live[k] for k in ("questions", "unanswered", "blocked", "replies")}
    assert (report.key["latency_p50_ms"], report.key["latency_p95_ms"]) == (3500.0, 4000.0)


async def test_the_figures_follow_the_record_as_it_grows(console: Console) -> None:
    async with console.client() as h:
        empty = (await h.get("/api/figures")).json()["figures"]
        assert (empty["questions"], empty["latency_ms"]["p50"]) == (0, None)
        fill(console.record)
        first = (await h.get("/api/figures")).json()["figures"]
        console.record.events.add_event(comment(80.0, "gus", "any discount today?"))
        console.record.events.add_event(comment(81.0, "troll", "buy weed", category="banned", action="block"))
        later = (await h.get("/api/figures")).json()["figures"]
    assert (later["questions"], later["blocked"]) == (first["questions"] + 1, first["blocked"] + 1)


async def test_any_account_reads_the_figures_and_nobody_else(console: Console) -> None:
    async with console.client(console.viewer_token) as viewer, console.client("") as anonymous:
        assert (await viewer.get("/api/figures")).status_code == 200
        assert (await anonymous.get("/api/figures")).status_code == 401
    async with httpx.AsyncClient(base_url=console.url) as h:
        doc = (await h.get("/openapi.json")).json()
    assert "/api/figures" in doc["paths"]


@pytest.mark.browser
@pytest.mark.asyncio(loop_scope="session")
async def test_the_panel_follows_the_show_without_a_reload(browser: Browser, tmp_path: Path) -> None:
    async with running(tmp_path) as c:
        ctx = await browser.new_context(viewport={"width": 1366, "height": 900})
        p: Page = await ctx.new_page()
        errors: list[Exception] = []
        p.on("pageerror", lambda exc: errors.append(exc))
        try:
            await p.goto(f"{c.url}/console")
            await p.get_by_label("Name").fill("viv")
            await p.get_by_label("Password").fill(PASSWORD)
            await p.get_by_role("button", name="Log in").click()
            await expect(p.locator("#fig-blocked")).to_have_text("0")
            fill(c.record)
            await expect(p.locator("#fig-blocked")).to_have_text("2", timeout=10_000)
            await expect(p.locator("#fig-unanswered")).to_have_text("3")
            await expect(p.locator("#fig-p50")).to_have_text("3.5 s")
            await expect(p.locator("#fig-p95")).to_have_text("4.0 s")
            await expect(p.locator("#fig-qpm")).to_have_text("5.0")
            polls = await p.evaluate("window.livehostFigures.polls")
            c.record.events.add_event(comment(90.0, "troll", "weed", category="banned", action="block"))
            await expect(p.locator("#fig-blocked")).to_have_text("3", timeout=10_000)
            assert await p.evaluate("window.livehostFigures.polls") > polls
        finally:
            await ctx.close()
    assert not errors, f"JavaScript errors on the console page: {errors}"
