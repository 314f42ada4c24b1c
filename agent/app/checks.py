"""The show's health checks (``/healthz``) and the metrics read at scrape time, registered by the composition
root: the LLM (a cheap probe, cached a few seconds), the knowledge store, speech and each platform source."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from agent.errors import LlmError
from agent.health import Check, Health, Status
from agent.knowledge.base import KnowledgeBase
from agent.llm.client import OpenAiLlm
from agent.metrics import Metrics
from agent.ports import Clock, EventSource, Llm
from agent.toolbox.link import Link

LLM_PROBE_S = 1.5  # the probe's own timeout; Health's (2 s, on the clock) covers the rest
LLM_CACHE_S = 5.0
KNOWLEDGE_CACHE_S = 10.0


async def llm_status(llm: OpenAiLlm, timeout_s: float = LLM_PROBE_S) -> Status:
    try:
        await llm.ping(timeout_s)
    except LlmError as exc:
        return Status.down(str(exc))
    return Status.ok(f"model {llm.model}")


def llm_check(llm: Llm) -> Check:
    if isinstance(llm, OpenAiLlm):
        return partial(llm_status, llm)
    return lambda: Status.ok("not probed")


async def knowledge_status(kb: KnowledgeBase) -> Status:
    """Down without a catalog (nothing to answer from); degraded when the vector store cannot be reached:
    answers still come from the catalog in memory, but edited sheets cannot go live."""
    products = len(kb.products())
    if not kb.ready or not products:
        return Status.down("no catalog indexed")
    try:
        stored = await asyncio.to_thread(kb.stored)
    except Exception as exc:  # noqa: BLE001 - whatever the store raises, it is unreachable
        return Status.degraded(f"vector store unreachable ({type(exc).__name__}); answering from memory")
    return Status.ok(f"{products} products, {stored} in the store")


def link_status(link: Link, clock: Clock) -> Status:
    if link.ended:
        return Status.down(f"stopped ({link.last_error})" if link.last_error else "stopped")
    if link.connected:
        heard = "no event yet" if link.last_event is None else f"last event {clock.now() - link.last_event:.0f} s ago"
        return Status.ok(f"connected, {heard}, {link.reconnects} reconnects")
    if link.reconnects:
        return Status.degraded(f"reconnecting after {link.last_error or 'a drop'} ({link.reconnects} so far)")
    return Status.degraded("connecting")


def watch_sources(sources: Sequence[EventSource], health: Health, metrics: Metrics, clock: Clock) -> None:
    """A ``platform:NAME`` check per source; a connector's link also feeds the reconnect and connected metrics.
    A source without a link (a replayed log) is always ok."""
    for source in sources:
        name = f"platform:{source.name}"
        n = 2
        while name in health.names:
            name, n = f"platform:{source.name}#{n}", n + 1
        link = getattr(source, "link", None)
        if isinstance(link, Link):
            link.watch(metrics.link(source.name))
            health.add(name, partial(link_status, link, clock))
        else:
            health.add(name, partial(Status.ok, "replayed chat log"))
