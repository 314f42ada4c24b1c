"""The console page in real headless Chromium: a login, the buttons reach the show, a bad edit is shown and not
saved, a viewer cannot change anything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from agent.render import ChatSeen
from tests.renderers.polling import until
from tests.web.test_console import PASSWORD, Console, running

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(loop_scope="session")
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    async with running(tmp_path) as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, console: Console) -> AsyncIterator[Page]:
    ctx = await browser.new_context(viewport={"width": 1366, "height": 900})
    p = await ctx.new_page()
    errors: list[Exception] = []
    p.on("pageerror", lambda exc: errors.append(exc))
    await p.goto(f"{console.url}/console")
    await p.get_by_label("Name").fill("mod")
    await p.get_by_label("Password").fill(PASSWORD)
    await p.get_by_role("button", name="Log in").click()
    await expect(p.locator("#status")).to_have_text("Live")
    await p.wait_for_function("window.livehostConsole.linked")
    try:
        yield p
    finally:
        await ctx.close()
    assert not errors, f"JavaScript errors on the console page: {errors}"


async def test_pause_button_pauses_the_show_and_chat_shows_decisions(page: Page, console: Console) -> None:
    await expect(page.locator("#product")).to_have_text("Relaxed Linen Shirt")
    await page.get_by_role("button", name="Pause").click()
    await until(lambda: ("pause",) in console.controls.calls)
    await expect(page.locator("#status")).to_have_text("Paused")
    await expect(page.get_by_role("button", name="Resume")).to_be_enabled()

    console.events.publish(ChatSeen("demo", "ana", "Do you ship to Lyon?", "comment", "answer",
                                    "product_question").to_json())
    console.events.publish(ChatSeen("demo", "troll", "where to buy weed", "comment", "block", "banned",
                                    "banned topic: drugs").to_json())
    blocked = page.locator("#chat li.blocked")
    await expect(blocked).to_contain_text("Blocked because: banned topic: drugs")
    await expect(page.locator("#chat li.answer")).to_contain_text("Do you ship to Lyon?")
    await page.get_by_label("Show blocked comments").uncheck()
    await expect(blocked).to_be_hidden()

    await page.locator("#say-text").fill("Two minutes break, stay with us!")
    await page.get_by_role("button", name="Say it now").click()
    await until(lambda: ("say_now", "Two minutes break, stay with us!", None) in console.controls.calls)


async def test_a_bad_placeholder_is_shown_and_the_file_is_unchanged(page: Page, console: Console) -> None:
    target = console.prompts / "reply.md"
    before = target.read_bytes()
    await page.locator("#files button[data-path='reply.md']").click()
    editor = page.locator("#ed-text")
    await expect(editor).to_have_value(before.decode("utf-8"))
    await editor.fill(before.decode("utf-8") + "\nMention $discount_code.")
    await page.get_by_role("button", name="Save").click()
    error = page.locator("#ed-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("unknown placeholder(s) ['discount_code']")
    assert target.read_bytes() == before
    await expect(page.locator("#ed-state")).to_have_text("Unsaved changes")  # the moderator's text is kept

    fixed = before.decode("utf-8") + "\nBe brief."
    await editor.fill(fixed)
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#ed-msg")).to_contain_text("Saved")
    await expect(error).to_be_hidden()
    assert target.read_text(encoding="utf-8") == fixed
    await expect(page.locator("#ed-versions li button")).to_have_count(1)


async def test_a_wrong_password_is_refused_and_a_viewer_cannot_change_anything(browser: Browser,
                                                                              console: Console) -> None:
    ctx = await browser.new_context()
    p = await ctx.new_page()
    try:
        await p.goto(f"{console.url}/console")
        await expect(p.locator("#app")).to_be_hidden()
        await p.get_by_label("Name").fill("viv")
        await p.get_by_label("Password").fill("not the password")
        await p.get_by_role("button", name="Log in").click()
        await expect(p.locator("#login-msg")).to_have_text("wrong name or password")
        await p.get_by_label("Password").fill(PASSWORD)
        await p.get_by_role("button", name="Log in").click()
        await expect(p.locator("#who-name")).to_have_text("viv (viewer)")
        await expect(p.locator("#read-only-note")).to_be_visible()
        status = await p.evaluate("""async () => (await fetch('/api/show/pause', {method: 'POST',
            headers: {'X-CSRF-Token': window.livehostConsole.csrf}})).status""")
        assert status == 403
        cookie = await p.evaluate("document.cookie")
        assert "livehost_session" not in cookie  # HttpOnly: page scripts cannot read the session
    finally:
        await ctx.close()
    assert console.controls.calls == []
