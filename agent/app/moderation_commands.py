"""``livehost moderate`` (check comments) and ``livehost topics validate|history|rollback`` (for moderators)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.clock import VirtualClock
from agent.errors import ConfigError, InputError, LivehostError
from agent.events import Event, EventKind, User
from agent.moderation.screen import Screen
from agent.moderation.store import TopicStore
from agent.moderation.topics import Topic, parse_topic
from agent.settings import Settings
from agent.triage.triage import Triage
from agent.verdict import TOPIC_CATEGORY, Action, Category


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("moderate", help="triage comments the way the show would (banned topics, injection)")
    p.add_argument("text", nargs="?", help="one comment to check")
    p.add_argument("--file", help="comments, one per line (plain text or JSONL events); '-' for stdin")
    p.add_argument("--json", action="store_true", help="print JSON (always on with --file)")
    p.add_argument("--knowledge", help="the shop's catalog (default: the configured one): a sound-alike of a list "
                                       "word that the shop's own sheets write is the shop's word, as in the show")
    p.set_defaults(func=moderate)

    t = subparsers.add_parser("topics", help="banned topics: validate the folder, list versions, roll back")
    tsub = t.add_subparsers(dest="topics_command", required=True)
    tsub.add_parser("validate", help="check every topic file without making anything live").set_defaults(
        func=topics_validate
    )
    tsub.add_parser("history", help="list accepted versions (the live one is marked)").set_defaults(
        func=topics_history
    )
    rb = tsub.add_parser("rollback", help="restore an accepted version into the topics folder")
    rb.add_argument("version")
    rb.set_defaults(func=topics_rollback)


def _store(settings: Settings) -> TopicStore:
    return TopicStore(settings.path(settings.triage.banned_topics_dir), settings.data_dir, VirtualClock())


def moderate(args: argparse.Namespace, settings: Settings) -> int:
    """Triage each comment as the show would, then the semantic screen on what triage let through (the show
    screens the comments it is about to answer or show; here every one is checked)."""
    if not args.text and not args.file:
        raise ConfigError("moderate: give a TEXT or --file F")
    clock = VirtualClock()
    # Checking content, not replaying a show: no per-user rate limit, no mutes.
    settings = settings.model_copy(update={"triage": settings.triage.model_copy(
        update={"user_rate_per_min": 1_000_000_000, "mute_after": 0})})
    triage, screen = _moderation(settings, clock)
    triage.topics.use_shop_wording(_shop_texts(settings, getattr(args, "knowledge", None)))
    if args.text and not args.file:
        v = _checked(triage, screen, Event(EventKind.COMMENT, User("cli", "cli"), platform="cli", text=args.text))
        if args.json:
            print(json.dumps(v, ensure_ascii=False))
        else:
            extra = f" [{', '.join(v['matched'])}]" if v["matched"] else ""
            print(f"{v['action']} ({v['category']}): {v['reason']}{extra}")
        return 0
    out = sys.stdout
    for event in _events(args.file):
        out.write(json.dumps(_checked(triage, screen, event), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _shop_texts(settings: Settings, knowledge: str | None) -> list[str]:
    """The catalog's own words, read from its files (no index needed). A ``knowledge`` path that cannot be read
    is an error; the configured catalog, when it cannot be read, is left out with a warning."""
    from agent.app.compose import shop_texts
    from agent.app.knowledge_commands import configured_paths
    from agent.knowledge.catalog import load_catalog

    if knowledge:
        return shop_texts(load_catalog([Path(knowledge)], settings.show.currency))
    try:
        return shop_texts(load_catalog([p for p in configured_paths(settings) if p.exists()], settings.show.currency))
    except LivehostError as exc:
        print(f"livehost: the catalog was not read ({exc}); checking without the shop's wording", file=sys.stderr)
        return []


def _moderation(settings: Settings, clock: VirtualClock) -> tuple[Triage, Screen | None]:
    from agent.app.compose import phrase_vectors
    from agent.app.triage import build_triage
    from agent.knowledge.embedding import embedder_for
    from agent.reply.scope import ScopeStore

    embedder = embedder_for(settings.knowledge)
    vectors = phrase_vectors(settings, embedder)
    if vectors is None:
        return build_triage(settings, clock).triage, None
    scope_file = settings.path(settings.show.scope)
    negatives = ScopeStore(scope_file, vectors).negatives() if scope_file.exists() else ()
    parts = build_triage(settings, clock, vectors=vectors, negatives=negatives)
    return parts.triage, Screen(parts.topics, embedder, clock)


def _checked(triage: Triage, screen: Screen | None, event: Event) -> dict[str, Any]:
    v = triage.decide(event)
    out = v.to_dict()
    if screen is None or v.action is Action.BLOCK or not event.text or event.kind is not EventKind.COMMENT:
        return out
    if v.action is Action.IGNORE and v.category is not Category.CHITCHAT:
        return out  # spam, floods, duplicates: never answered or shown anyway
    m = screen.match(event.text)
    if m is None:
        return out
    what = {"spam": "spam", "injection": "injection attempt"}.get(m.category, "banned topic")
    return {"action": "block", "category": TOPIC_CATEGORY[m.category].value,
            "reason": f"{what} '{m.topic}' ({'meaning' if m.rule == 'meaning' else 'decoded words'})",
            "matched": [m.label()]}


def _events(path: str) -> Iterator[Event]:
    """Plain lines become comments; lines starting with '{' are JSON events (Event.from_dict)."""
    if path == "-":
        lines = sys.stdin.read().splitlines()
        source = "<stdin>"
    else:
        p = Path(path)
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(path, None, None, f"cannot read: {exc.strerror or exc}") from exc
        source = path
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("{"):
            try:
                yield Event.from_dict(json.loads(s), platform="cli")
            except json.JSONDecodeError as exc:
                raise InputError(source, n, None, f"not valid JSON: {exc.msg}") from exc
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(source, n, None, str(exc)) from exc
        else:
            yield Event(EventKind.COMMENT, User(f"line{n}", f"line{n}"), platform="cli", text=s, time=0.0)


def topics_validate(args: argparse.Namespace, settings: Settings) -> int:
    folder = settings.path(settings.triage.banned_topics_dir)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: banned topics folder not found")
    topics: list[Topic] = [
        parse_topic(p.stem, p.read_text(encoding="utf-8"), str(p)) for p in sorted(folder.glob("*.toml"))
    ]
    for t in topics:
        print(f"ok {t.name}: {len(t.keywords)} keywords, {len(t.patterns)} patterns, {len(t.examples)} examples, "
              f"{len(t.allow)} allowed")
    print(f"{len(topics)} topics valid in {folder}")
    return 0


def topics_history(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    for v in store.history():
        mark = "*" if v.live else " "
        print(f"{mark} {v.version}  {len(v.files)} files")
    return 0


def topics_rollback(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    ts = store.rollback(args.version)
    print(f"live: {ts.version} ({len(ts.topics)} topics)")
    return 0
