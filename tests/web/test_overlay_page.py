"""The overlay page in real headless Chromium: audio, captions, lip-sync, cards, chat, label, reconnect."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page

from agent.render import ChatSeen, ChatShown, ProductShown, ShowState, UtteranceEnded, UtteranceStarted
from agent.settings import OverlaySettings
from connectors.renderers.overlay import OverlayRenderer
from tests.web.tones import chunk

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

STATE = "window.livehost"


async def lh(page: Page, expr: str) -> Any:
    return await page.evaluate(f"{STATE}.{expr}")


async def test_chunks_play_in_order_with_captions_and_mouth(page: Page, overlay: OverlayRenderer) -> None:
    assert await lh(page, "mouth") == 0 and not await lh(page, "playing")
    await overlay.send(UtteranceStarted("u1", "script"))
    await overlay.send(chunk("Hello and welcome.", 0.6, seq=0))
    await overlay.send(chunk("Here is today's deal.", 0.6, seq=1))

    await page.wait_for_function(f"{STATE}.playing && {STATE}.caption === 'Hello and welcome.'")
    assert await page.locator("#caption").inner_text() == "Hello and welcome."
    await page.wait_for_function(f"{STATE}.playing && {STATE}.caption === \"Here is today's deal.\"")
    await overlay.send(UtteranceEnded("u1", "script", "Hello and welcome. Here is today's deal."))
    await page.wait_for_function(f"{STATE}.played.length === 2 && !{STATE}.playing", timeout=5000)

    played = await lh(page, "played")
    assert [(p["seq"], p["text"]) for p in played] == [(0, "Hello and welcome."), (1, "Here is today's deal.")]
    assert await lh(page, "caption") == ""
    assert not await page.locator("#caption").is_visible()
    await page.wait_for_timeout(100)
    trace = await lh(page, "trace")
    assert any(s["playing"] and s["mouth"] > 0.2 for s in trace), "mouth never opened while playing"
    assert all(s["mouth"] == 0 for s in trace if not s["playing"]), "mouth moved while silent"
    assert not trace[0]["playing"] and not trace[-1]["playing"]
    assert await lh(page, "mouth") == 0


async def test_silence_keeps_mouth_closed(page: Page, overlay: OverlayRenderer) -> None:
    await overlay.send(chunk("...", 0.3, amp=0.0))
    await page.wait_for_function(f"{STATE}.played.length === 1")
    trace = await lh(page, "trace")
    assert any(s["playing"] for s in trace)
    assert all(s["mouth"] == 0 for s in trace)


async def test_interrupted_utterance_stops_audio(page: Page, overlay: OverlayRenderer) -> None:
    await overlay.send(chunk("A long sentence that gets cut.", 3.0, utt="u9", seq=0))
    await overlay.send(chunk("Never heard.", 1.0, utt="u9", seq=1))
    await page.wait_for_function(f"{STATE}.playing")
    await overlay.send(UtteranceEnded("u9", "script", "A long", interrupted=True))
    await page.wait_for_function(f"!{STATE}.playing && {STATE}.caption === ''", timeout=1000)
    assert await lh(page, "played") == []
    assert await lh(page, "queued") == 0


async def test_product_card_state_and_label(page: Page, overlay: OverlayRenderer) -> None:
    label = page.locator("#ai-label")
    assert await label.is_visible()
    assert await label.inner_text() == "AI-generated virtual host"
    await overlay.send(ProductShown("p1", "Silk scarf", 19.9, "EUR"))
    await overlay.send(ShowState("paused"))
    await page.wait_for_function(f"{STATE}.product && {STATE}.product.id === 'p1'")
    assert await page.locator("#product-title").inner_text() == "Silk scarf"
    assert "19.90" in await page.locator("#product-price").inner_text()
    await page.wait_for_function(f"{STATE}.status === 'paused'")
    assert await page.locator("#status").is_visible()
    assert await label.is_visible()


async def test_blocked_chat_is_never_shown(page: Page, overlay: OverlayRenderer) -> None:
    # moderation's view of every comment goes to the console only; the broadcast gets what passed
    await overlay.send(ChatSeen("demo", "ana", "Is it washable?", "comment", "answer", "product_question"))
    await overlay.send(ChatShown("demo", "ana", "Is it washable?", "comment"))
    await overlay.send(ChatSeen("demo", "troll", "SECRET-INSULT-42", "comment", "block", "banned", "insult"))
    await overlay.send(ChatSeen("demo", "bo", "hi!", "comment", "ignore", "chitchat"))
    await overlay.send(ChatShown("demo", "bo", "hi!", "comment"))
    await page.wait_for_function(f"{STATE}.chat.length === 2")
    body = await page.locator("body").inner_text()
    assert "Is it washable?" in body and "hi!" in body
    assert "SECRET-INSULT-42" not in body and "SECRET-INSULT-42" not in await page.content()


async def test_new_page_gets_latest_product_and_label(browser: Browser) -> None:
    r = OverlayRenderer(OverlaySettings(port=0, ai_label="Virtual host (AI)"), show="Shop")
    await r.start()
    ctx = await browser.new_context()
    try:
        await r.send(ProductShown("p1", "Old", 1.0, "EUR"))
        await r.send(ProductShown("p2", "Leather bag", None, "EUR"))
        await r.send(ShowState("playing"))
        p = await ctx.new_page()
        await p.goto(r.overlay_url)
        await p.wait_for_function(f"{STATE}.product && {STATE}.product.id === 'p2'")
        assert await p.locator("#product-title").inner_text() == "Leather bag"
        assert not await p.locator("#product-price").is_visible()
        assert await p.locator("#ai-label").inner_text() == "Virtual host (AI)"
        assert await lh(p, "status") == "playing"
    finally:
        await ctx.close()
        await r.aclose()


async def test_reconnects_after_server_restart(browser: Browser) -> None:
    first = OverlayRenderer(OverlaySettings(port=0), show="Shop")
    await first.start()
    port = int(first.url.rsplit(":", 1)[1])
    ctx = await browser.new_context()
    second: OverlayRenderer | None = None
    try:
        p = await ctx.new_page()
        await p.goto(first.overlay_url)
        await p.wait_for_function(f"{STATE}.hellos === 1")
        await first.aclose()
        await p.wait_for_function(f"!{STATE}.connected")
        second = OverlayRenderer(OverlaySettings(port=port), show="Shop")
        await second.start()
        await p.wait_for_function(f"{STATE}.hellos === 2", timeout=5000)
        await second.send(ProductShown("p3", "Back again", 5.0, "EUR"))
        await p.wait_for_function(f"{STATE}.product && {STATE}.product.id === 'p3'")
        assert await lh(p, "connects") == 2
    finally:
        await ctx.close()
        await first.aclose()
        if second is not None:
            await second.aclose()


async def test_screenshot(page: Page, overlay: OverlayRenderer) -> None:
    await overlay.send(ProductShown("p1", "Silk scarf, hand-rolled hem", 49.0, "EUR"))
    for user, text in [("ana", "Is it washable?"), ("bo", "love the colour!"), ("chen", "ship to Lyon?")]:
        await overlay.send(ChatShown("demo", user, text, "comment"))
    await page.wait_for_timeout(400)  # let the slide-in animations finish
    await overlay.send(chunk("Pure mulberry silk, and yes, it is hand-washable.", 2.0))
    await page.wait_for_function(f"{STATE}.playing && {STATE}.mouth > 0.3")
    await page.screenshot(path="/tmp/overlay.png")
    assert await page.locator("#caption").is_visible()
