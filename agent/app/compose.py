"""The composition root: read settings, pick adapters from registries by name, wire the show, and take it
apart again. Nothing else in the project constructs services; everything is passed in."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from agent.app.busy import BusyLlm, BusyRetriever, BusySpeech
from agent.app.checks import KNOWLEDGE_CACHE_S, LLM_CACHE_S, knowledge_status, llm_check, watch_sources
from agent.app.knowledge_commands import open_knowledge, vector_folder
from agent.app.triage import TriageParts, build_triage
from agent.approval import Approvals
from agent.clock import VirtualClock
from agent.director.bus import RenderBus
from agent.director.director import Director
from agent.director.script import ScriptCursor, compose_script, guarded, load_script
from agent.errors import ConfigError
from agent.guards.faithful import Faithful
from agent.health import Health
from agent.knowledge.base import KnowledgeBase
from agent.llm.client import OpenAiLlm
from agent.metrics import Metrics
from agent.moderation.screen import Screen
from agent.moderation.store import TopicStore
from agent.onscreen import OnScreen
from agent.ports import Clock, Embedder, EventSource, Llm, OnAirLog, Renderer, Retriever, Vector
from agent.product import Product
from agent.prompts import PromptStore
from agent.records.onair import OnAirRecord
from agent.reply.facts import FactFinder
from agent.reply.paraphrase import Paraphraser
from agent.reply.planner import CatalogMatch, Planner
from agent.reply.scope import ScopeStore
from agent.reply.writer import Paraphrase, ReplyWriter
from agent.said import SaidLog
from agent.seen import SeenLog
from agent.settings import Settings
from agent.show import Show
from agent.speech.cache import SpeechCache
from agent.speech.espeak import EspeakLibrary
from agent.speech.factory import build_synthesizer
from agent.speech.metered import MeteredSpeech
from agent.speech.stream import TimedSpeech
from agent.vectors import PhraseVectors


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    metrics: Metrics
    knowledge: KnowledgeBase
    llm: Llm | None
    prompts: PromptStore
    writer: ReplyWriter
    triage: TriageParts
    on_screen: OnScreen
    health: Health  # what the show depends on (/healthz); open_show adds speech and the platforms
    screen: Screen | None = None
    scope: ScopeStore | None = None


WARM_PRODUCTS = 500  # sheets read ahead at start; a bigger catalog's others are read on their first question


def progress(msg: str) -> None:
    print(f"livehost: {msg}", file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def open_llm(settings: Settings, clock: Clock, metrics: Metrics | None = None) -> AsyncIterator[Llm]:
    """The configured LLM: a remote OpenAI-compatible server, or the embedded llama.cpp one (started here,
    restarted if it dies mid-show: ``llm_server_restarts`` in ``metrics``)."""
    s = settings.llm
    if s.provider == "langchain":  # any chat model through LangChain (llm.model = "<provider>:<model>")
        from agent.llm.langchain import LangChainLlm

        chat = LangChainLlm.from_settings(s, clock, settings.secret(s.api_key_env))
        try:
            yield chat
        finally:
            await chat.aclose()
        return
    if s.base_url:
        llm = OpenAiLlm(s.base_url, s.model, settings.secret(s.api_key_env), s.temperature, s.timeout_s)
        try:
            yield llm
        finally:
            await llm.aclose()
        return
    if not s.embedded.enabled:
        raise ConfigError("llm: set llm.base_url or enable llm.embedded")
    from agent.llm.models import MODELS, assemble
    from agent.llm.server import EmbeddedLlmServer

    model = MODELS[s.embedded.model]
    own_command = s.embedded.command and not any("{model}" in part for part in s.embedded.command)
    path = settings.data_dir / "models" if own_command else assemble(model, settings.data_dir / "models")
    progress(f"starting the embedded LLM ({s.embedded.model})")
    server = EmbeddedLlmServer(path, s.embedded, clock, settings.data_dir / "llm-server.log",
                               on_restart=None if metrics is None else lambda: metrics.count("llm_server_restarts"))
    await server.start()
    llm = OpenAiLlm(server.base_url, "local", "", s.temperature, s.timeout_s)
    try:
        yield llm
    finally:
        await llm.aclose()
        await server.stop()


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings, clock: Clock, *, knowledge_path: str | None = None,
                       llm: Llm | None = None, use_llm: bool = True,
                       busy: VirtualClock | None = None) -> AsyncIterator[Runtime]:
    """Everything a reply needs (knowledge, LLM, prompts, guards, triage); shared by show, ask and eval."""
    async with contextlib.AsyncExitStack() as stack:
        metrics, health = Metrics(clock), Health(clock)
        progress("indexing the catalog")
        kb = open_knowledge(settings, knowledge_path)
        stack.callback(kb.close)
        health.add("knowledge", partial(knowledge_status, kb), critical=True, cache_s=KNOWLEDGE_CACHE_S)
        prompts = PromptStore(settings.path("prompts"))
        embedded = llm is None and use_llm and settings.llm.embedded_server
        if llm is None and use_llm:
            llm = await stack.enter_async_context(open_llm(settings, clock, metrics))
        if llm is not None:  # critical when replies use it
            health.add("llm", llm_check(llm), critical=paraphrase_policy(settings) != "never", cache_s=LLM_CACHE_S)
        vectors = phrase_vectors(settings, kb.embedder)
        scope = ScopeStore(settings.path(settings.show.scope), vectors) if vectors is not None else None
        on_screen = OnScreen()
        triage = build_triage(settings, clock, vectors=vectors, negatives=scope.negatives() if scope else (),
                              on_screen=on_screen)
        triage.topics.use_shop_wording(shop_texts(kb.products()))
        screen = None if vectors is None else Screen(triage.topics, kb.embedder, clock, cache=kb.query_cache,
                                                     strikes=triage.strikes, metrics=metrics)
        retriever: Retriever = kb
        if busy is not None:  # rehearsal: charge real compute to virtual time
            llm = BusyLlm(llm, busy) if llm is not None else None
            retriever = BusyRetriever(kb, busy)
        writer = build_writer(settings, clock, metrics, prompts, retriever, llm, kb.query_vector, vectors, scope,
                              triage.output_check)
        if writer.finder is not None:
            # what each sheet says, embedded once (cached on disk) so that a first question is as fast as the next
            progress("reading the product sheets")
            await asyncio.to_thread(writer.finder.warm, kb.products()[:WARM_PRODUCTS])
        await asyncio.to_thread(writer.planner.warm)  # a Chinese catalog's word dictionary (about 2 s)
        if embedded:
            # page the model in and cache the fixed instructions before the first viewer asks: a cold 0.5B
            # model on 2 busy cores can take tens of seconds for its first prompt
            progress("warming up the LLM (first prompt)")
            if not await writer.warm(None, timeout_s=settings.llm.embedded.start_timeout_s):
                progress("LLM warm-up did not finish; the first replies may be slow")
        yield Runtime(settings, clock, metrics, kb, llm, prompts, writer, triage, on_screen, health, screen, scope)


def build_writer(settings: Settings, clock: Clock, metrics: Metrics, prompts: PromptStore, retriever: Retriever,
                 llm: Llm | None, embed: Callable[[str], Vector], vectors: PhraseVectors | None,
                 scope: ScopeStore | None, output_check: Callable[[str], str | None] | None) -> ReplyWriter:
    """The reply chain: planner (scope, retrieval, sold here?), fact finder, verified paraphrase."""
    ks, rs = settings.knowledge, settings.reply
    cross = CatalogMatch(min_keyword=ks.answer_cross_min_keyword, sure_dense=ks.answer_cross_sure_dense,
                         min_dense=ks.answer_cross_min_dense, min_margin=ks.answer_cross_min_margin,
                         exists_dense=ks.answer_cross_exists_dense)
    match = CatalogMatch(min_keyword=ks.answer_min_keyword, sure_dense=ks.answer_sure_dense,
                         min_dense=ks.answer_min_dense, min_margin=ks.answer_min_margin,
                         exists_dense=ks.answer_exists_dense, unnamed_min_keyword=ks.answer_unnamed_min_keyword,
                         unnamed_sure_dense=ks.answer_unnamed_sure_dense, cross=cross)
    planner = Planner(retriever, clock, metrics, scope=scope, embed=embed if vectors is not None else None,
                      match=match, top_k=ks.top_k, default_language=settings.show.default_language)
    finder = FactFinder(vectors, min_score=rs.fact_min_score) if vectors is not None else None
    paraphraser = None
    policy = paraphrase_policy(settings)
    if llm is not None and policy != "never":
        faithful = Faithful(embed=embed if vectors is not None else None, min_similarity=rs.paraphrase_min_similarity)
        paraphraser = Paraphraser(llm, clock, faithful, timeout_s=rs.paraphrase_timeout_s, metrics=metrics)
    return ReplyWriter(planner=planner, prompts=prompts, clock=clock, metrics=metrics, finder=finder,
                       paraphraser=paraphraser, paraphrase=policy, output_check=output_check)


def paraphrase_policy(settings: Settings) -> Paraphrase:
    """``reply.paraphrase``, with ``auto`` resolved: a configured endpoint rephrases other-language facts."""
    rs = settings.reply
    return rs.paraphrase if rs.paraphrase != "auto" else ("never" if settings.llm.embedded_server else "other-language")


def shop_texts(products: Sequence[Product]) -> list[str]:
    """What the shop itself writes: titles, variant names, sheets and facts (the moderation lists excuse a
    sound-alike the shop writes, never an exact list word)."""
    return [t for p in products for t in (p.title, p.text, *(v.name for v in p.variants), *(v for _, v in p.facts))]


def name_ok(topics: TopicStore, name: str) -> bool:
    """Whether a viewer's name may be said on air: as written, and with its digits and separators taken out
    ("fuckyou123")."""
    plain = re.sub(r"[\d_.\-]+", " ", name).strip()
    return topics.match(name) is None and (not plain or plain == name or topics.match(plain) is None)


def phrase_vectors(settings: Settings, embedder: Embedder) -> PhraseVectors | None:
    """Exemplar vectors for the semantic layers (moderation, scope), cached under the data folder; None when
    the semantic layer is off or the embedder has no meaning (the hash embedder of plumbing tests)."""
    if not settings.triage.semantic or embedder.name == "hash":
        return None
    return PhraseVectors(embedder, vector_folder(settings))


def script_for(settings: Settings, products: Sequence[Product], script_path: str | None = None,
               output_check: Callable[[str], str | None] | None = None) -> ScriptCursor:
    """The configured script, or one composed from the sheets when the catalog has none that fits."""
    path = settings.path(script_path or settings.show.script)
    if path.exists():
        try:
            script = load_script(path, products)
            checked = guarded(script, products, output_check)
            if len(checked.lines) < len(script.lines):
                progress(f"{path}: {len(script.lines) - len(checked.lines)} line(s) not backed by the product "
                         "sheets were left out (see `livehost ask` for what the sheets say)")
            return ScriptCursor(checked)
        except ConfigError:
            if script_path:
                raise
            progress(f"{path} does not fit this catalog; composing a script from the product sheets")
    return ScriptCursor(guarded(compose_script(products, settings.show.default_language), products, output_check))


@contextlib.asynccontextmanager
async def open_show(runtime: Runtime, *, sources: Sequence[EventSource], renderers: Sequence[Renderer],
                    script_path: str | None = None, busy: VirtualClock | None = None,
                    record: OnAirLog | None = None) -> AsyncIterator[Show]:
    """The show on ``runtime``; ``record`` keeps everything said (the on-air record), if given."""
    settings = runtime.settings
    lib = EspeakLibrary()
    try:
        synth: Any = build_synthesizer(settings.speech, lib, clock=runtime.clock,
                                       on_error=lambda engine: metered.fell_back(engine),
                                       metrics=runtime.metrics, root=settings.root)
        # an engine that hangs on a sentence is given up after speech.timeout_s: the show goes on without it
        synth = TimedSpeech(synth, runtime.clock, settings.speech.timeout_s)
        if busy is not None:
            synth = BusySpeech(synth, busy)
        synth = metered = MeteredSpeech(synth, runtime.metrics, runtime.clock)
        runtime.health.add("speech", metered.status, critical=True)
        watch_sources(sources, runtime.health, runtime.metrics, runtime.clock)
        cache = SpeechCache(synth)
        # with a record, every viewer event and what became of it is kept too (the report after the show)
        events = record.events if isinstance(record, OnAirRecord) else None
        seen = None if events is None else SeenLog(events, runtime.clock, show=(settings.show.name,
                                                                              settings.show.default_language))
        bus = RenderBus([*renderers, seen] if seen is not None else renderers)
        queue_drop = runtime.triage.queue.on_drop
        if seen is not None:
            runtime.triage.queue.on_drop = seen.chain_drop(queue_drop)
        kb = runtime.knowledge
        prompts = runtime.prompts

        def bridges(language: str, product: Product | None) -> list[str]:
            if not settings.show.bridge_after_reply or product is None:
                return []
            return prompts.refresh().phrase_list(language, "bridges", product=product.title)

        said = SaidLog(record, kb.get)
        approvals = Approvals(runtime.clock, enabled=settings.console.approval,
                              expire_s=settings.console.approval_expire_s,
                              max_waiting=settings.console.approval_max_waiting, check=runtime.triage.output_check,
                              decided=seen.reviewed if seen is not None else None)
        director = Director(
            clock=runtime.clock, bus=bus, speech=cache, said=[said.said, *([seen.said] if seen else [])],
            expired=[seen.expired] if seen is not None else [],
            cursor=script_for(settings, kb.products(), script_path, runtime.triage.output_check),
            products=kb.get, metrics=runtime.metrics, bridges=bridges,
            cut_in_at_once=settings.show.interrupt_urgent_at_once,
            script_between_replies=settings.show.script_between_replies,
            script_share=settings.show.script_share, airtime_window_s=settings.show.airtime_window_s,
            on_screen=runtime.on_screen,
        )
        show = Show(
            clock=runtime.clock, sources=sources, queue=runtime.triage.queue,
            triage=seen.triage(runtime.triage.triage) if seen is not None else runtime.triage.triage,
            thanks=runtime.triage.thanks, writer=runtime.writer, director=director, bus=bus, speech=synth,
            prompts=prompts, metrics=runtime.metrics,
            # edited product sheets go live during the show, without a restart
            background=[lambda: kb.watch(runtime.clock, settings.knowledge.watch_interval_s,
                                         on_sync=lambda _: runtime.triage.topics.use_shop_wording(
                                             shop_texts(kb.products())))]
            if settings.knowledge.watch and busy is None else [],
            idle_after_s=settings.show.idle_after_s,
            screen=runtime.screen,
            name_ok=lambda name: name_ok(runtime.triage.topics, name),
            flagged=runtime.triage.strikes.flagged,
            on_screen=runtime.on_screen,
            answer_within_s=settings.show.answer_within_s,
            merge_window_s=settings.triage.merge_window_s,
            drop_counts=lambda: dict(runtime.triage.stats.drops),
            approvals=approvals, said=said, dropped=seen.dropped if seen is not None else None,
        )
        runtime.metrics.depths(reply_queue=lambda: len(runtime.triage.queue.waiting()),
                               approvals=lambda: len(approvals.waiting()), director=lambda: len(director.pending))
        runtime.metrics.drops(show.drops)
        runtime.metrics.counted("approvals", "Moderator decisions on replies", "decision", lambda: approvals.counts)
        try:
            yield show
        finally:
            # what still waits when the show ends gets its fate too: nothing asked goes unaccounted for
            runtime.triage.queue.close("show_ended: still waiting when the show ended")
            runtime.triage.queue.on_drop = queue_drop
            if seen is not None:
                seen.flush()
            await cache.aclose()
            close = getattr(synth, "close", None)
            if callable(close):
                close()
    finally:
        lib.close()
