"""Moderation data and the moderation stack as ``livehost moderate`` builds it, shared by
``bench/calibrate.py`` (development sets) and ``bench/moderation_bench.py`` (held-out sets).

See evals/README.md for who wrote which set and what each is for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agent.app.moderation_commands import _checked, _moderation  # noqa: E402
from agent.clock import VirtualClock  # noqa: E402
from agent.events import Event, EventKind, User  # noqa: E402
from agent.moderation.screen import Screen  # noqa: E402
from agent.settings import Settings, load_settings  # noqa: E402
from agent.triage.triage import Triage  # noqa: E402

SETS = ROOT / "evals" / "moderation"
SHARED = ROOT.parent / "shared" / "fixtures"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    lang: str
    block: bool  # expected
    topic: str = ""
    trick: str = ""
    source: str = ""


def read_set(name: str) -> list[Line]:
    """One JSONL set of evals/moderation ({"text"|"question", "lang", "expect", "topic"?, "trick"?|"kind"?})."""
    out = []
    for raw in (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        d = json.loads(raw)
        text = d.get("text") or d.get("question")
        expect = d.get("expect", "block")
        out.append(Line(text, d["lang"], expect == "block", d.get("topic", ""), d.get("trick") or d.get("kind", ""),
                        name))
    return out


def real_chat() -> list[Line]:
    """Real viewer comments this project did not write: 45 Douyin comments (LiveChat, MIT) and the text
    messages of real YouTube Live API responses (pytchat, MIT). None of them should be blocked."""
    out: list[Line] = []
    live = SHARED / "livechat" / "subset.json"
    for pairs in json.loads(live.read_text(encoding="utf-8")).values():
        out += [Line(p[0], "zh", False, source="livechat") for p in pairs]
    for f in sorted((SHARED / "youtube").glob("*.json")):
        for text in _youtube_texts(json.loads(f.read_text(encoding="utf-8"))):
            out.append(Line(text, "en", False, source="youtube"))
    return out


def _youtube_texts(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        snippet = obj.get("snippet")
        if isinstance(snippet, dict) and isinstance(snippet.get("displayMessage"), str):
            text = snippet["displayMessage"].strip()
            if text:
                yield text
            return
        for v in obj.values():
            yield from _youtube_texts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _youtube_texts(v)


def settings() -> Settings:
    s = load_settings(ROOT / "settings.toml")
    return s.model_copy(update={"triage": s.triage.model_copy(update={"user_rate_per_min": 1_000_000_000,
                                                                       "mute_after": 0})})


def stack(s: Settings | None = None) -> tuple[Triage, Screen | None]:
    """Triage (word lists) and the semantic screen, exactly as ``livehost moderate`` builds them."""
    return _moderation(s or settings(), VirtualClock())


def verdict(triage: Triage, screen: Screen | None, text: str, n: int = 0) -> dict[str, Any]:
    event = Event(EventKind.COMMENT, User(f"u{n}", f"u{n}"), platform="bench", text=text, time=0.0)
    return _checked(triage, screen, event)
