"""From a show's record to the report's figures: airtime, the product on screen, what the viewers did, gifts,
the guards and the fallbacks, what was blocked; the questions' figures are in :mod:`agent.report.questions`.

Times are on the show clock, from the show's first recorded moment. Counts are per bin (one minute, or more on
a long show: see :func:`agent.report.tables.bin_size`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from agent.metrics import reason_code
from agent.ports import Embedder, Vector
from agent.report import questions
from agent.report.load import ShowData
from agent.report.outcomes import blocked_topic, by_utterance, event_class, is_blocked, verdict
from agent.report.tables import Chart, Figures, Section, Table, bin_size, clock, r1

AIR = {"script": "script", "reply": "replies", "say_now": "replies", "thanks": "thanks", "bridge": "other"}
AIR_COLUMNS = ("script", "replies", "thanks", "other")
CLASSES = ("question", "chitchat", "gift", "like", "follow", "join", "ignored", "blocked")
TOP = 20


def build(data: ShowData, embedder: Embedder, *, embed: Callable[[Sequence[str]], Vector] | None = None,
          language: str = "en") -> Figures:
    """Every figure of the report for ``data``; ``embedder`` groups the unanswered questions by meaning."""
    origin = _origin(data)
    end = max([float(e["end"]) for e in data.said] + [float(e["t"]) for e in data.seen] + [origin]) - origin
    binning = bin_size(end)
    said = by_utterance(data.said)
    screen = on_screen(data.said, origin, end)
    q = questions.build(data, said, origin, screen, embedder, embed=embed)
    sections = [airtime(data.said, origin, end, binning), screen_section(screen),
                *viewers(data.seen, origin, end, binning), *q.sections, guards(data.said),
                fallbacks(data.said, origin), blocked(data.seen, origin), gifts(data.seen),
                questions.replies(data.said, origin)]
    key: dict[str, Any] = {
        "duration": clock(end), "comments": sum(1 for e in data.seen if e.get("kind") == "comment"),
        "replies": sum(1 for e in data.said if e.get("kind") == "reply"), **q.key,
        "blocked": sum(1 for e in data.seen if is_blocked(e)),
        "gifts_value": round(sum(float((e.get("gift") or {}).get("value") or 0.0) for e in data.seen), 2),
    }
    notes = [] if data.has_events else ["no_events"]
    return Figures(data.show_id, data.name, language, data.source, end, binning, key, sections, notes)


def _origin(data: ShowData) -> float:
    starts = [float(e["start"]) for e in data.said] + [float(e["t"]) for e in data.seen]
    return min(starts) if starts else 0.0


def _bins(end: float, binning: int) -> int:
    return max(1, math.ceil(end / binning)) if end > 0 else 1


def airtime(said: Sequence[dict[str, Any]], origin: float, end: float, binning: int) -> Section:
    """Seconds of each kind of speech, and of silence, in each bin."""
    n = _bins(end, binning)
    air = [dict.fromkeys(AIR_COLUMNS, 0.0) for _ in range(n)]
    for e in said:
        kind = AIR.get(str(e.get("kind")), "other")
        a, b = float(e["start"]) - origin, float(e["end"]) - origin
        i = max(0, int(a // binning))
        while a < b and i < n:
            edge = min(b, (i + 1) * binning)
            air[i][kind] += edge - a
            a, i = edge, i + 1
    rows: list[list[Any]] = []
    for i, row in enumerate(air):
        length = min(binning, end - i * binning) if end > i * binning else binning
        spoken = sum(row.values())
        rows.append([clock(i * binning), *[r1(row[k]) for k in AIR_COLUMNS], r1(max(0.0, length - spoken))])
    table = Table("airtime", ["time", *AIR_COLUMNS, "silence"], rows)
    return Section("airtime", "airtime_title", table, Chart("stack", 0, [1, 2, 3, 4, 5], axis="seconds"),
                   note="per_bin", note_args={"minutes": binning // 60})


def on_screen(said: Sequence[dict[str, Any]], origin: float, end: float) -> list[list[Any]]:
    """[title, from, to, seconds] of each stretch a product was on screen (the script's and bridges' products)."""
    out: list[list[Any]] = []
    current: tuple[str, float] | None = None
    for e in said:
        if e.get("kind") not in ("script", "bridge") or not e.get("product_id"):
            continue
        title = str(e.get("product_title") or e.get("product_id"))
        t = float(e["start"]) - origin
        if current is None or current[0] != title:
            if current is not None:
                out.append([current[0], r1(current[1]), r1(t), r1(t - current[1])])
            current = (title, t)
    if current is not None:
        out.append([current[0], r1(current[1]), r1(end), r1(end - current[1])])
    return out


def screen_section(segments: list[list[Any]]) -> Section:
    total: Counter[str] = Counter()
    for title, _, _, seconds in segments:
        total[title] += seconds
    shares = Table("on_screen_total", ["product", "seconds", "share"],
                   [[t, r1(s), round(s / max(1e-9, sum(total.values())), 3)] for t, s in total.most_common()],
                   title="on_screen_total")
    table = Table("on_screen", ["product", "from_s", "to_s", "seconds"], segments)
    return Section("on_screen", "on_screen_title", table, Chart("gantt", 0, [1, 2], axis="seconds"), [shares])


def viewers(seen: Sequence[dict[str, Any]], origin: float, end: float, binning: int) -> list[Section]:
    """Events per bin by kind, and by platform."""
    n = _bins(end, binning)
    kinds = [dict.fromkeys(CLASSES, 0) for _ in range(n)]
    platforms: list[Counter[str]] = [Counter() for _ in range(n)]
    for e in seen:
        i = min(n - 1, max(0, int((float(e["t"]) - origin) // binning)))
        kinds[i][event_class(e)] += 1
        platforms[i][str(e.get("platform") or "?")] += 1
    names = sorted({p for c in platforms for p in c})
    by_kind = Table("events_by_kind", ["time", *CLASSES],
                    [[clock(i * binning), *[k[c] for c in CLASSES]] for i, k in enumerate(kinds)])
    by_platform = Table("events_by_platform", ["time", *names],
                        [[clock(i * binning), *[c[p] for p in names]] for i, c in enumerate(platforms)])
    per: dict[str, Any] = {"minutes": binning // 60}
    return [Section("events_by_kind", "events_by_kind_title", by_kind,
                    Chart("stack", 0, list(range(1, len(CLASSES) + 1)), axis="events"), note="per_bin",
                    note_args=per),
            Section("events_by_platform", "events_by_platform_title", by_platform,
                    Chart("lines", 0, list(range(1, len(names) + 1)), axis="events"), note="per_bin",
                    note_args=per)]


def guards(said: Sequence[dict[str, Any]]) -> Section:
    """Sentences the guards stopped, by reason."""
    counts: Counter[str] = Counter()
    example: dict[str, str] = {}
    for e in said:
        for item in e.get("rejected") or []:
            if isinstance(item, list | tuple) and len(item) == 2:
                code = reason_code(str(item[1]))
                counts[code] += 1
                example.setdefault(code, str(item[0]))
    rows: list[list[Any]] = [[c, n, example[c]] for c, n in counts.most_common()]
    return Section("guards", "guards_title", Table("guards", ["reason", "count", "example"], rows),
                   Chart("hbar", 0, [1], axis="count"))


def fallbacks(said: Sequence[dict[str, Any]], origin: float) -> Section:
    """Holding lines (everything a reply would say was stopped) and LLM failures (the sheet's words said)."""
    rows: list[list[Any]] = []
    for e in said:
        if e.get("source") == "holding":
            rows.append([clock(float(e["start"]) - origin), "holding_line", e.get("text", ""), ""])
        elif e.get("fallback"):
            rows.append([clock(float(e["start"]) - origin), "llm_failed", e.get("text", ""), e["fallback"]])
    counts = Counter(r[1] for r in rows)
    summary = Table("fallbacks", ["fallback", "count"],
                    [["holding_line", counts["holding_line"]], ["llm_failed", counts["llm_failed"]]], coded=(0,))
    listing = Table("fallback_list", ["time", "fallback", "reply", "reason"], rows, title="fallback_list",
                    coded=(1,))
    return Section("fallbacks", "fallbacks_title", summary, Chart("bar", 0, [1], axis="count"), [listing])


def blocked(seen: Sequence[dict[str, Any]], origin: float) -> Section:
    """Blocked comments by topic, each one (its text hidden until asked), and the muted viewers."""
    topics: Counter[str] = Counter()
    rows: list[list[Any]] = []
    muted: dict[tuple[str, str], int] = defaultdict(int)
    for e in seen:
        if verdict(e).get("category") == "muted":
            muted[(str(e.get("platform") or ""), str(e.get("user") or ""))] += 1
        if not is_blocked(e):
            continue
        topic = blocked_topic(e)
        topics[topic] += 1
        rows.append([clock(float(e["t"]) - origin), topic, e.get("platform", ""), e.get("user", ""),
                     e.get("text", "")])
    table = Table("blocked_topics", ["topic", "count"], [[t, n] for t, n in topics.most_common()])
    comments = Table("blocked_comments", ["time", "topic", "platform", "viewer", "text"], rows, secret=4,
                     title="blocked_comments")
    viewers = Table("muted", ["platform", "viewer", "ignored_while_muted"],
                    [[p, u, n] for (p, u), n in sorted(muted.items(), key=lambda x: -x[1])], title="muted")
    return Section("blocked", "blocked_title", table, Chart("hbar", 0, [1], axis="count"), [comments, viewers])


def gifts(seen: Sequence[dict[str, Any]]) -> Section:
    """Gifts by name, and the top supporters by value."""
    by_gift: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    by_user: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for e in seen:
        g = e.get("gift")
        if e.get("kind") != "gift" or not isinstance(g, dict):
            continue
        value, count = float(g.get("value") or 0.0), int(g.get("count") or 1)
        row = by_gift[str(g.get("name") or "?")]
        row[0], row[1], row[2] = row[0] + 1, row[1] + count, row[2] + value
        u = by_user[(str(e.get("platform") or ""), str(e.get("user") or ""))]
        u[0], u[1] = u[0] + count, u[1] + value
    top = sorted(by_user.items(), key=lambda x: (-x[1][1], -x[1][0], x[0]))
    supporters = Table("supporters", ["viewer", "platform", "gifts", "value"],
                       [[u, p, int(v[0]), round(v[1], 2)] for (p, u), v in top])
    names = Table("gifts", ["gift", "events", "count", "value"],
                  [[n, int(v[0]), int(v[1]), round(v[2], 2)] for n, v in sorted(by_gift.items(),
                                                                                 key=lambda x: -x[1][2])],
                  title="gifts_by_name")
    return Section("gifts", "gifts_title", supporters, Chart("hbar", 0, [3], limit=TOP, axis="value"), [names])
