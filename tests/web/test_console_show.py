"""The console over a real running show, in real headless Chromium: a moderator logs in, approves a reply with
an edit (it is said as edited), adds a word to a banned topic and sees the next comment with it blocked, rolls
the edit back, pauses the host; the audit trail and the on-air record show all of it.

The show is the real pipeline (triage, moderation, retrieval with the hash embedder, guards, espeak-ng, the
director) on the loop's clock; the LLM is the scripted OpenAI-compatible server (a price answer needs none).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Dialog, Page, expect

from agent.app.compose import open_runtime, open_show
from agent.app.console import console_validators, open_console, store_path
from agent.clock import LoopClock
from agent.controls import DirectorControls
from agent.events import Event, EventKind, User
from agent.language import detect_language
from agent.llm.client import OpenAiLlm
from agent.records.onair import OnAirRecord
from agent.settings import load_settings
from agent.show import Show
from connectors.renderers.overlay import OverlayRenderer
from connectors.web.accounts import Accounts
from connectors.web.console import Console, console_routes
from connectors.web.server import WebServer, build_app
from testkit.scripted_llm import ScriptedLlmServer
from tests.renderers.polling import until

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]
PASSWORD = "a long moderator password"


@dataclass
class Live:
    show: Show
    console: Console
    record: OnAirRecord
    url: str
    prompts: Path


@pytest_asyncio.fixture(loop_scope="session")
async def live(tmp_path: Path, repo_root: Path) -> AsyncIterator[Live]:
    shutil.copy(repo_root / "settings.toml", tmp_path / "settings.toml")
    shutil.copytree(repo_root / "prompts", tmp_path / "prompts")
    (tmp_path / "knowledge").symlink_to(repo_root / "knowledge")
    settings = load_settings(tmp_path / "settings.toml", overrides={
        "show.data_dir": str(tmp_path / "data"), "knowledge.embedding": "hash", "console.approval": True,
        "console.approval_expire_s": 120.0, "knowledge.watch": False, "show.idle_after_s": 0.0})
    with Accounts(store_path(settings, settings.console.users_db), rounds=4) as accounts:
        accounts.add("mia", "moderator", PASSWORD)
    server = ScriptedLlmServer()
    await server.start()
    llm = OpenAiLlm(server.base_url, "scripted")
    clock = LoopClock()
    overlay = OverlayRenderer(settings.overlay, show="console test", serve=False)
    record = OnAirRecord(store_path(settings, settings.console.record_db), show_id="console-test")
    try:
        async with open_runtime(settings, clock, llm=llm) as rt:
            async with open_show(rt, sources=[], renderers=[overlay], record=record) as show:
                controls = DirectorControls(show.director, show.speech, detect_language, summary=show.summary,
                                            approvals=show.approvals)
                with open_console(settings, controls, console_validators(rt.knowledge.products),
                                  events=overlay.console, record=record) as console:
                    web = WebServer(build_app(console_routes(console)), "127.0.0.1", 0)
                    await web.start()
                    running = asyncio.ensure_future(show.run())
                    try:
                        yield Live(show, console, record, web.url, tmp_path / "prompts")
                    finally:
                        show.director.stop()
                        running.cancel()
                        await asyncio.gather(running, return_exceptions=True)
                        await web.aclose()
    finally:
        record.close()
        await llm.aclose()
        await server.stop()


async def _comment(live: Live, user: str, text: str) -> None:
    clock = live.show.director.clock
    await live.show.handle(Event(EventKind.COMMENT, User(user, user), text=text, time=clock.now()))


async def _login(browser: Browser, live: Live) -> Page:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    page.on("dialog", lambda d: asyncio.ensure_future(_accept(d)))
    await page.goto(f"{live.url}/console")
    await expect(page.locator("#login")).to_be_visible()
    await page.get_by_label("Name").fill("mia")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator("#who-name")).to_have_text("mia (moderator)")
    await expect(page.locator("#status")).to_have_text("Live")
    return page


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_a_moderator_approves_an_edit_blocks_a_new_word_rolls_back_and_pauses(browser: Browser,
                                                                                    live: Live) -> None:
    page = await _login(browser, live)
    errors: list[Exception] = []
    page.on("pageerror", lambda exc: errors.append(exc))
    try:
        await expect(page.locator("#ap-mode")).to_be_checked()
        # approve with an edit: the reply waits with its facts, then is said as edited
        await _comment(live, "marco", "How much is the linen shirt?")
        waiting = page.locator("#ap-list li.waiting")
        await expect(waiting).to_have_count(1, timeout=15000)
        await expect(waiting).to_contain_text("marco")
        await expect(waiting.locator(".facts")).to_contain_text("price")
        reply = waiting.locator("textarea")
        edited = (await reply.input_value()) + " Ask me about sizes!"
        await reply.fill(edited)
        await waiting.get_by_role("button", name="Approve").click()
        await expect(page.locator("#ap-msg")).to_contain_text("Approved")
        await until(lambda: any(t.kind == "reply" and "Ask me about sizes" in t.text
                                for t in live.show.director.state.timeline), limit_s=30)

        # a new word in a banned topic blocks the next comment that uses it
        path = "banned_topics/gambling.toml"
        original = (live.prompts / path).read_text(encoding="utf-8")
        await page.locator(f"#files button[data-path='{path}']").click()
        editor = page.locator("#ed-text")
        await expect(editor).to_have_value(original)
        await editor.fill(original.replace('en = [', 'en = ["zorblaxcoin", ', 1))
        await page.get_by_role("button", name="Save").click()
        await expect(page.locator("#ed-msg")).to_contain_text("Saved")
        await asyncio.sleep(0)  # the topic store polls the folder every 2 s on the show clock
        for n in range(40):
            await _comment(live, f"t{n}", f"who wants zorblaxcoin tips {n}")
            if await page.locator("#chat li.blocked", has_text="zorblaxcoin").count():
                break
            await page.wait_for_timeout(250)
        await expect(page.locator("#chat li.blocked", has_text="zorblaxcoin").first).to_contain_text("Blocked")

        # roll the edit back: the earlier version is live again
        await page.locator("#ed-history summary").click()
        await page.locator("#ed-versions li button").first.click()
        await expect(page.locator("#ed-msg")).to_contain_text("restored")
        assert (live.prompts / path).read_text(encoding="utf-8") == original

        # pause the host
        await page.get_by_role("button", name="Pause").click()
        await expect(page.locator("#status")).to_have_text("Paused")
        assert live.show.director.state.status == "paused"

        # the audit trail and the on-air record show what happened, and who did it
        await page.get_by_role("button", name="Refresh").click()
        for action in ("approval.edit", "prompt.edit", "prompt.rollback", "show.pause", "login"):
            await expect(page.locator("#au-list")).to_contain_text(action)
        said: list[dict[str, Any]] = live.record.search(kind="reply")
        assert said and "Ask me about sizes" in str(said[0]["text"])
        assert said[0]["approval"]["action"] == "edit" and said[0]["approval"]["who"] == "mia"
        assert said[0]["facts"] and said[0]["comment"]["user"] == "marco"
        await page.locator("#rec-user").fill("marco")
        await page.locator("#rec-search").click()
        await expect(page.locator("#rec-list")).to_contain_text("Ask me about sizes")
    finally:
        await page.context.close()
    assert not errors, errors
