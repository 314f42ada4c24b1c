"""Metrics: bounded samples with every observation counted, Prometheus families on a registry per instance,
typed events, figures read at scrape time; a platform link's ups and downs; the health registry."""

from __future__ import annotations

import asyncio
import math
import random

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from agent.audio import Audio
from agent.clock import LoopClock, VirtualClock
from agent.events import Event, EventKind, User
from agent.guards.faithful import Faithful
from agent.health import Health, State, Status
from agent.llm.client import OpenAiLlm
from agent.metrics import KEEP, MAX_LABEL_VALUES, Metrics, percentile, reason_code
from agent.product import Product
from agent.reply.paraphrase import Paraphraser
from agent.speech.fallback import FallbackSynthesizer
from agent.speech.metered import MeteredSpeech
from agent.toolbox.backoff import Backoff, Session
from agent.toolbox.link import Link
from agent.verdict import Action, Category, Verdict
from connectors.platforms.reconnect import reconnect_forever
from testkit.scripted_llm import Script, ScriptedLlmServer
from testkit.tone_tts import ToneEngine


def _value(m: Metrics, name: str, **labels: str) -> float | None:
    return m.registry.get_sample_value(name, labels)


def test_samples_stay_bounded_while_the_histogram_counts_everything() -> None:
    m = Metrics(VirtualClock())
    for i in range(100_000):
        m.observe("triage", (i % 100) / 1000)
    assert len(m.samples["triage"]) == KEEP
    assert _value(m, "livehost_stage_seconds_count", stage="triage") == 100_000
    assert _value(m, "livehost_stage_seconds_bucket", stage="triage", le="0.001") == 2_000  # 0 and 1 ms
    summary = m.summary_ms()["triage"]
    assert summary["n"] == KEEP and summary["p50"] == 50.0
    assert percentile(m.samples["triage"], 100) == 0.099


def test_two_instances_share_nothing() -> None:
    a, b = Metrics(VirtualClock()), Metrics(VirtualClock())
    a.comment("twitch")
    a.observe("triage", 0.01)
    a.count("screen.block")
    assert _value(a, "livehost_comments_total", platform="twitch") == 1
    assert _value(b, "livehost_comments_total", platform="twitch") is None
    assert not b.samples and not b.counters
    assert a.registry is not b.registry


def test_typed_events_land_in_their_families() -> None:
    m = Metrics(VirtualClock())
    event = Event(EventKind.COMMENT, User("u1", "ana"), text="price?", platform="bilibili")
    m.verdict(Verdict(Action.ANSWER, Category.PRODUCT_QUESTION, "a question", (event,)))
    m.verdict(Verdict(Action.THANK, Category.GIFT, "a gift", (Event(EventKind.GIFT, User("u2", "bo")),)))
    m.reply("facts")
    m.said("script", cut=True)
    m.said("reply")
    m.guard_rejected("material not on the sheet: silk")
    m.reconnect("tiktok")
    m.llm_error("timeout")
    m.speech_error("edge")
    assert _value(m, "livehost_comments_total", platform="bilibili") == 1  # the gift is no comment
    assert _value(m, "livehost_verdicts_total", action="answer", category="product_question") == 1
    assert _value(m, "livehost_verdicts_total", action="thank", category="gift") == 1
    assert _value(m, "livehost_replies_total", source="facts") == 1
    assert _value(m, "livehost_utterances_total", kind="script") == 1
    assert _value(m, "livehost_utterances_cut_total", kind="script") == 1
    assert _value(m, "livehost_utterances_cut_total", kind="reply") is None
    assert _value(m, "livehost_guard_rejections_total", reason="material_not_on_the_sheet") == 1
    assert _value(m, "livehost_reconnects_total", platform="tiktok") == 1
    assert _value(m, "livehost_llm_errors_total", kind="timeout") == 1
    assert _value(m, "livehost_speech_errors_total", engine="edge") == 1
    assert m.counters["triage.answer"] == 1 and m.counters["guard_rejected"] == 1  # the old counters still count


def test_reason_codes_and_label_values_are_bounded() -> None:
    assert reason_code("not close to the sheet (0.412)") == "not_close_to_the_sheet"
    assert reason_code("banned topic: gambling") == "banned_topic"
    assert reason_code("!!!") == "unknown"
    m = Metrics(VirtualClock())
    for i in range(MAX_LABEL_VALUES + 10):
        m.comment(f"platform-{i}")
    assert _value(m, "livehost_comments_total", platform="other") == 10


def test_depths_and_drops_are_read_at_scrape_time() -> None:
    m = Metrics(VirtualClock())
    waiting = [1, 2, 3]
    drops = {"stale": 2}
    m.depths(reply_queue=lambda: len(waiting), broken=lambda: 1 // 0)
    m.drops(lambda: drops)
    assert _value(m, "livehost_queue_depth", queue="reply_queue") == 3
    waiting.append(4)
    drops["queue_full"] = 5
    assert _value(m, "livehost_queue_depth", queue="reply_queue") == 4
    assert math.isnan(_value(m, "livehost_queue_depth", queue="broken") or 0.0)
    assert _value(m, "livehost_drops_total", reason="queue_full") == 5
    m.drops(lambda: {"other": 1})  # registering again replaces the reader
    families = {f.name: f for f in text_string_to_metric_families(generate_latest(m.registry).decode())}
    assert [s.labels for s in families["livehost_drops"].samples] == [{"reason": "other"}]


async def test_a_platform_link_feeds_the_reconnect_metrics() -> None:
    clock = VirtualClock()
    m = Metrics(clock)
    link = Link(clock)
    link.watch(m.link("bilibili"))
    assert _value(m, "livehost_platform_connected", platform="bilibili") == 0
    outcomes: list[object] = [OSError("refused"), "healthy", TimeoutError(), "done"]

    async def connect(session: Session) -> bool:
        outcome = outcomes.pop(0)
        if outcome == "healthy":
            session.healthy()
            assert link.connected and _value(m, "livehost_platform_connected", platform="bilibili") == 1
            return True
        if outcome == "done":
            session.healthy()
            return False
        assert isinstance(outcome, BaseException)
        raise outcome

    driver = asyncio.ensure_future(clock.run())
    try:
        await reconnect_forever(connect, name="bilibili", clock=clock, backoff=Backoff(jitter=0.0),
                                rng=random.Random(1), watch=link)
    finally:
        driver.cancel()
    assert _value(m, "livehost_reconnects_total", platform="bilibili") == 3  # refused, ended, timed out
    assert link.reconnects == 3 and link.last_error == "TimeoutError" and link.connected


async def test_health_reports_each_check_and_whether_the_show_can_go_on() -> None:
    clock = VirtualClock()
    health = Health(clock, timeout_s=2.0)
    calls = 0

    async def llm() -> Status:
        nonlocal calls
        calls += 1
        return Status.ok("model x")

    async def hangs() -> Status:
        await asyncio.Event().wait()
        return Status.ok()

    def raises() -> Status:
        raise OSError("no")

    health.add("llm", llm, critical=True, cache_s=5.0)
    health.add("platform:twitch", lambda: Status.degraded("reconnecting"))
    health.add("platform:youtube", hangs)
    health.add("speech", lambda: Status.ok("espeak"), critical=True)
    driver = asyncio.ensure_future(clock.run())
    try:
        report = await health.report()
        assert report["ok"] is True and report["status"] == "down"  # a platform is down, none critical
        assert report["checks"]["platform:youtube"] == {"status": "down", "detail": "no answer within 2 s",
                                                        "critical": False}
        assert report["checks"]["llm"] == {"status": "ok", "detail": "model x", "critical": True}
        await health.report()
        assert calls == 1  # cached
        health.add("speech", raises, critical=True)
        assert not await health.can_go_on()
        assert (await health.status("speech")).state is State.DOWN
    finally:
        driver.cancel()


async def test_llm_failures_are_counted_by_kind() -> None:
    server = ScriptedLlmServer()
    await server.start()
    server.push(Script(status=500))
    llm = OpenAiLlm(server.base_url, "scripted")
    clock = LoopClock()
    m = Metrics(clock)
    paraphraser = Paraphraser(llm, clock, Faithful(), timeout_s=5.0, metrics=m)
    try:
        out = await paraphraser.rephrase("It is 59 EUR.", Product("p", "Linen Shirt", 59.0, "EUR"), "en")
        await server.stop()  # the endpoint now refuses connections
        assert not await paraphraser.warm(5.0)
    finally:
        await llm.aclose()
        await server.stop()
    assert out.sentence is None
    assert _value(m, "livehost_llm_errors_total", kind="InternalServerError") == 1
    assert _value(m, "livehost_llm_errors_total", kind="APIConnectionError") == 1


class _Broken:
    name = "cloud"

    async def say(self, text: str, language: str = "en") -> Audio:
        raise OSError("unreachable")


async def test_speech_failures_are_counted_and_tell_the_health_check() -> None:
    clock = VirtualClock()
    m = Metrics(clock)
    speech = MeteredSpeech(FallbackSynthesizer(_Broken(), ToneEngine(), on_error=lambda e: speech.fell_back(e)),
                           m, clock)
    assert (await speech.say("hello")).text == "hello"
    assert _value(m, "livehost_speech_errors_total", engine="cloud") == 1
    assert _value(m, "livehost_stage_seconds_count", stage="speech") == 1
    assert speech.status() == Status.degraded("cloud failed; speaking with the offline voice")
    broken = MeteredSpeech(_Broken(), m, clock)
    for n in range(1, 4):
        with pytest.raises(OSError):
            await broken.say("hello")
        assert broken.status().state is (State.DOWN if n == 3 else State.DEGRADED)
    assert _value(m, "livehost_speech_errors_total", engine="cloud") == 4


def test_labelled_counters_are_looked_up_once_and_stay_bounded() -> None:
    from agent.metrics import MAX_LABEL_VALUES, Metrics

    m = Metrics(VirtualClock())
    for _ in range(3):
        m.comment("douyin")
    assert len(m._kids) == 1
    for i in range(10 * MAX_LABEL_VALUES):  # a platform name nobody bounded upstream: "other" past the bound
        m.comment(f"p{i}")
    assert len(m._kids) <= 4 * MAX_LABEL_VALUES
    text = generate_latest(m.registry).decode()
    assert 'livehost_comments_total{platform="douyin"} 3.0' in text and 'platform="other"' in text
