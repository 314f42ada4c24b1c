"""``livehost listen`` against local fakes: JSON lines, --limit, several platforms merged."""

from __future__ import annotations

import argparse
import io
import json

from agent.app.platform_commands import format_event, platform_settings, register, run_listen
from agent.settings import PlatformSettings, Settings
from connectors.platforms.bilibili_codec import Ver
from testkit.bilibili_server import FakeBilibili, danmu, frame
from testkit.twitch_server import FakeTwitchIrc, privmsg
from tests.connectors.helpers import FAST


def test_register_adds_listen() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["listen", "--platform", "twitch", "--platform", "bilibili", "--room", "x",
                              "--json", "--limit", "3"])
    assert args.platform == ["twitch", "bilibili"] and args.limit == 3 and args.json and callable(args.func)


def test_overrides_keep_section_keys() -> None:
    s = Settings(platforms={"twitch": PlatformSettings(room="a", nick="bot")})
    p = platform_settings(s, "twitch", None, "ws://127.0.0.1:1")
    assert (p.room, p.endpoint, p.enabled, (p.model_extra or {})["nick"]) == ("a", "ws://127.0.0.1:1", True, "bot")


async def test_listen_merges_platforms_and_prints_jsonl() -> None:
    async with FakeTwitchIrc().running() as tw, FakeBilibili().running() as bili:
        settings = Settings(platforms={
            "twitch": PlatformSettings(room="shop", endpoint=tw.url, **FAST),
            "bilibili": PlatformSettings(room="21", endpoint=bili.endpoint, ws_scheme="ws", **FAST),
        })
        out = io.StringIO()

        async def feed() -> None:
            await tw.wait_for(lambda: bool(tw.joined))
            await bili.wait_sessions(1)
            await tw.send(privmsg("shop", "ann", "hello", "m1"))
            await bili.send(frame(danmu(1, "Bo", "你好"), ver=Ver.BROTLI))

        import asyncio

        feeder = asyncio.create_task(feed())
        async with asyncio.timeout(5):
            assert await run_listen(settings, ["twitch", "bilibili"], None, None, True, 2, out) == 0
        await feeder
        lines = [json.loads(x) for x in out.getvalue().splitlines()]
        assert sorted((x["platform"], x["text"]) for x in lines) == [("bilibili", "你好"), ("twitch", "hello")]
        assert all(x["type"] == "comment" and "t" in x and "id" in x for x in lines)
        text = format_event(__import__("agent.events", fromlist=["Event"]).Event.from_dict(lines[0]), False)
        assert text.startswith("[")
