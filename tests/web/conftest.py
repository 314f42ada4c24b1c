"""Fixtures for overlay tests: a session-wide headless Chromium and a fresh overlay server per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from agent.settings import OverlaySettings
from connectors.renderers.overlay import OverlayRenderer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()


@pytest_asyncio.fixture(loop_scope="session")
async def overlay() -> AsyncIterator[OverlayRenderer]:
    r = OverlayRenderer(OverlaySettings(port=0, ai_label="AI-generated virtual host"), show="Test shop")
    await r.start()
    try:
        yield r
    finally:
        await r.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, overlay: OverlayRenderer) -> AsyncIterator[Page]:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    p = await ctx.new_page()
    errors: list[Exception] = []
    p.on("pageerror", lambda exc: errors.append(exc))
    await p.goto(overlay.overlay_url)
    await p.wait_for_function("window.livehost && window.livehost.hellos > 0")
    try:
        yield p
    finally:
        await ctx.close()
    assert not errors, f"JavaScript errors on the overlay page: {errors}"
