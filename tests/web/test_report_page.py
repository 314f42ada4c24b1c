"""The report of a recorded rehearsal in real headless Chromium: every chart is drawn, nothing is requested from
anywhere (the page is one file), the numbers in the page are the record's, each table downloads as CSV, and the
text of blocked comments stays hidden until the reader asks."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Route, expect

from agent.app.report_commands import build_report
from agent.knowledge.embedding import HashEmbedder
from agent.report.outcomes import is_question
from agent.settings import load_settings
from tests.report.rehearsed import rehearsed

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("rehearsal")
    report = await rehearsed(folder)
    return folder, report


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, recorded: tuple[Path, dict[str, Any]], repo_root: Path) -> AsyncIterator[Page]:
    folder, _ = recorded
    settings = load_settings(repo_root / "settings.toml", overrides={"show.data_dir": str(folder / "data")})
    _, html = build_report(folder / "rehearsal.json", settings, language="en", embedder=HashEmbedder())
    out = folder / "report.html"
    out.write_text(html, encoding="utf-8")
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    p = await ctx.new_page()
    url = out.resolve().as_uri()
    errors: list[Exception] = []
    requests: list[str] = []
    refused: list[str] = []

    async def only_the_page(route: Route) -> None:
        if route.request.url == url:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort()

    await ctx.route("**/*", only_the_page)
    p.on("pageerror", lambda exc: errors.append(exc))
    p.on("request", lambda r: requests.append(r.url))
    await p.goto(url)
    await p.wait_for_function("window.livehostReport && window.livehostReport.drawn === window.livehostReport.charts")
    try:
        yield p
    finally:
        await ctx.close()
    assert not errors, f"JavaScript errors on the report page: {errors}"
    assert refused == [], f"the page asked for {refused}"
    assert [u for u in requests if u != url and not u.startswith(("data:", "blob:"))] == []


async def key(page: Page, name: str) -> str:
    return (await page.locator(f"dl.key div[data-key='{name}'] dd").text_content() or "").strip()


async def column(page: Page, table: str, header: str) -> list[str]:
    headers = [h.strip() for h in await page.locator(f"#t-{table} thead th").all_text_contents()]
    i = headers.index(header) + 1
    return [c.strip() for c in await page.locator(f"#t-{table} tbody tr td:nth-child({i})").all_text_contents()]


async def test_every_chart_is_drawn_from_the_page_alone(page: Page) -> None:
    charts = page.locator("div.chart")
    count = await charts.count()
    assert count == await page.evaluate("window.livehostReport.charts") >= 12
    for i in range(count):
        await expect(charts.nth(i).locator(".main-svg").first).to_be_attached()
    for section in ("airtime", "on_screen", "events_by_kind", "events_by_platform", "per_product", "per_kind",
                    "outcomes", "unanswered", "latency", "guards", "fallbacks", "blocked", "gifts", "replies"):
        await expect(page.locator(f"#s-{section}")).to_be_visible()


async def test_the_numbers_in_the_page_are_the_records(page: Page, recorded: tuple[Path, dict[str, Any]]) -> None:
    _, report = recorded
    summary, seen, said = report["summary"], report["seen"], report["said"]
    latency = summary["answered_comment_to_first_audio_ms"]
    assert await key(page, "replies") == str(summary["replies_spoken"])
    assert await key(page, "comments") == str(summary["comments_seen"])
    assert await key(page, "blocked") == str(summary["comments_blocked"])
    assert await key(page, "questions") == str(sum(1 for e in seen if is_question(e)))
    assert await key(page, "latency_p50_ms") == str(latency["p50"])
    assert await key(page, "latency_p95_ms") == str(latency["p95"])
    assert (await column(page, "latency_percentiles", "ms"))[0] == str(latency["n"])
    replies = [s for s in said if s["kind"] == "reply"]
    assert await column(page, "replies", "Reply") == [s["text"] for s in replies]
    by_kind = [[int(x) for x in await column(page, "events_by_kind", h)] for h in ("Question", "Blocked")]
    assert sum(by_kind[0]) == sum(1 for e in seen if is_question(e) and e["verdict"]["action"] != "block")
    assert sum(by_kind[1]) == summary["comments_blocked"]
    script = sum(float(x) for x in await column(page, "airtime", "Script"))
    spoken = sum(t["end"] - t["start"] for t in report["timeline"] if t["kind"] == "script")
    assert script == pytest.approx(spoken, abs=0.1 * len(await column(page, "airtime", "Time")))
    gifts: dict[str, float] = {}
    for e in seen:
        if e["kind"] == "gift":
            gifts[e["user"]] = gifts.get(e["user"], 0.0) + e["gift"]["value"]
    top = max(gifts.items(), key=lambda x: x[1])
    assert (await column(page, "supporters", "Viewer"))[0] == top[0]
    assert float((await column(page, "supporters", "Value"))[0]) == pytest.approx(top[1])
    outcomes = dict(zip(await column(page, "outcomes", "Outcome"),
                        [int(x) for x in await column(page, "outcomes", "Count")], strict=True))
    assert sum(outcomes.values()) == sum(1 for e in seen if is_question(e))
    assert outcomes["Not in the catalog"] == sum(
        1 for e in seen for f in e["fates"] if f["fate"] == "answered" and is_question(e)
        and next(s for s in said if s["utterance_id"] == f["utterance_id"])["source"] == "refusal")
    groups = await column(page, "unanswered", "Question")
    assert "Do you sell phone cases?" in groups and len(groups) == len(set(groups))


async def test_each_table_downloads_as_csv_with_the_tables_rows(page: Page, recorded: tuple[Path, Any]) -> None:
    _, report = recorded
    async with page.expect_download() as info:
        await page.locator("a.csv[data-table='t-replies']").click()
    download = await info.value
    assert download.suggested_filename == "replies.csv"
    saved = await download.path()
    text = await asyncio.to_thread(saved.read_text, encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Time", "Asked by", "Comment", "Reply"]
    assert [r[3] for r in rows[1:]] == [s["text"] for s in report["said"] if s["kind"] == "reply"]
    assert await page.evaluate("document.querySelector(\"a.csv[data-table='t-replies']\").href.startsWith('blob:')")


async def test_blocked_comments_text_is_hidden_until_the_reader_asks(page: Page) -> None:
    text = page.locator("#t-blocked_comments .secret-text").first
    await expect(text).to_be_hidden()
    await expect(page.locator("#t-blocked_comments .secret-mask").first).to_have_text("(hidden)")
    await page.get_by_label("Show the text of blocked comments").check()
    await expect(text).to_be_visible()
    await expect(page.locator("#t-blocked_comments")).to_contain_text("where can I buy weed around here")
