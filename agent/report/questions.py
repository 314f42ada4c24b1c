"""The questions' figures: per product and per kind, what became of them, the unanswered ones grouped by meaning
(the list of what to add to the sheets), how long the answered ones waited for the first audio, and every reply.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agent.metrics import percentile
from agent.ports import Embedder, Vector
from agent.report.groups import group_texts
from agent.report.load import ShowData
from agent.report.outcomes import ANSWERED, NEITHER, UNANSWERED, answered_by, is_question, latency_s, outcome, verdict
from agent.report.tables import Chart, Section, Table, clock, r1

NONE = "none"
PERCENTILES = (50, 90, 95, 99)
MAX_HIST_BINS = 30
TOP_GROUPS = 30


@dataclass
class Questions:
    sections: list[Section]
    key: dict[str, Any]


def build(data: ShowData, said: Mapping[str, Mapping[str, Any]], origin: float, screen: Sequence[Sequence[Any]],
          embedder: Embedder, *, embed: Callable[[Sequence[str]], Vector] | None = None) -> Questions:
    asked = [e for e in data.seen if is_question(e)]
    fate = [outcome(e, said) for e in asked]
    starts = [float(s[1]) for s in screen]

    def product(e: Mapping[str, Any]) -> str:
        uid = answered_by(e)
        entry = said.get(uid or "", {})
        if entry.get("product_id"):
            return str(entry.get("product_title") or entry["product_id"])
        i = bisect.bisect_right(starts, float(e["t"]) - origin) - 1  # not answered: the product on screen
        return str(screen[i][0]) if i >= 0 else NONE

    def kind(e: Mapping[str, Any]) -> str:
        attribute = said.get(answered_by(e) or "", {}).get("attribute")
        return str(attribute) if attribute else str(verdict(e).get("category") or "other_question")

    unanswered = [i for i, f in enumerate(fate) if f in UNANSWERED]
    latencies = [x for x in (latency_s(e, said) for e in data.seen) if x is not None]
    sections = [
        _split("per_product", "per_product_title", "product", [product(e) for e in asked], fate),
        _split("per_kind", "per_kind_title", "question_kind", [kind(e) for e in asked], fate, coded=True),
        _outcomes(fate),
        groups([asked[i] for i in unanswered], [fate[i] for i in unanswered], [product(asked[i]) for i in unanswered],
               embedder, embed),
        latency(latencies),
    ]
    p = {q: percentile(latencies, q) for q in (50, 95)}
    answered = sum(1 for f in fate if f == ANSWERED)
    key = {"questions": len(asked), "answered": answered, "unanswered": len(unanswered),
           "answered_share": round(answered / len(asked), 3) if asked else None,
           "latency_p50_ms": _ms(p[50]), "latency_p95_ms": _ms(p[95]), "latency_n": len(latencies)}
    return Questions(sections, key)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _split(key: str, title: str, column: str, labels: Sequence[str], fate: Sequence[str],
           coded: bool = False) -> Section:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for label, f in zip(labels, fate, strict=True):
        row = counts[label]
        row[0 if f == ANSWERED else 1 if f in UNANSWERED else 2] += 1
    rows: list[list[Any]] = [[k, a, u, o, a + u + o] for k, (a, u, o) in
                             sorted(counts.items(), key=lambda x: (-sum(x[1]), x[0]))]
    table = Table(key, [column, "answered", "unanswered", "other_outcome", "total"], rows,
                  coded=(0,) if coded else ())
    return Section(key, title, table, Chart("hstack", 0, [1, 2, 3], axis="questions"))


def _outcomes(fate: Sequence[str]) -> Section:
    counts = Counter(fate)
    order = [ANSWERED, *UNANSWERED, *NEITHER]
    rows: list[list[Any]] = [[o, counts[o]] for o in order if counts[o]]
    rows += [[o, n] for o, n in counts.most_common() if o not in order]
    return Section("outcomes", "outcomes_title", Table("outcomes", ["outcome", "count"], rows, coded=(0,)),
                   Chart("hbar", 0, [1], axis="questions"))


def groups(asked: Sequence[Mapping[str, Any]], fate: Sequence[str], products: Sequence[str], embedder: Embedder,
           embed: Callable[[Sequence[str]], Vector] | None) -> Section:
    """The unanswered questions grouped by meaning, most asked first, with why each was not answered."""
    grouping = group_texts([str(e.get("text") or "") for e in asked], embedder, embed=embed)
    reasons = [r for r in UNANSWERED if r in set(fate)]
    rows: list[list[Any]] = []
    for n, g in enumerate(grouping.groups, 1):
        why = Counter(fate[i] for i in g.items)
        where = Counter(products[i] for i in g.items)
        rows.append([n, g.label, len(g.items), *[why[r] for r in reasons],
                     ", ".join(p for p, _ in where.most_common(3)),
                     " | ".join(f"{t} ({c})" if c > 1 else t for t, c in g.texts[:6])])
    if grouping.left_out:
        why = Counter(fate[i] for i in grouping.left_out)
        rows.append([len(rows) + 1, "not_grouped", len(grouping.left_out), *[why[r] for r in reasons], "", ""])
    table = Table("unanswered", ["group", "question", "asked", *reasons, "products", "wordings"], rows)
    return Section("unanswered", "unanswered_title", table, Chart("hbar", 1, [2], limit=TOP_GROUPS, axis="asked"),
                   note="unanswered_note", note_args={"threshold": grouping.threshold, "embedder": embedder.name})


def latency(values: Sequence[float]) -> Section:
    """Comment to first audio of every answered comment: a histogram, and the percentiles."""
    top = max(values, default=0.0)
    width = 1.0 if top <= MAX_HIST_BINS else float(math.ceil(top / MAX_HIST_BINS))
    n = max(1, math.ceil(top / width + 1e-9)) if values else 0
    counts = [0] * n
    for v in values:
        counts[min(n - 1, max(0, int(v // width)))] += 1
    hist = Table("latency", ["from_s", "to_s", "answered_comments"],
                 [[r1(i * width), r1((i + 1) * width), c] for i, c in enumerate(counts)])
    pct: list[list[Any]] = [["n", len(values)]]
    pct += [[f"p{q}", _ms(percentile(values, q))] for q in PERCENTILES]
    pct.append(["max", _ms(top) if values else None])
    return Section("latency", "latency_title", hist, Chart("bar", 0, [2], axis="answered_comments"),
                   [Table("latency_percentiles", ["statistic", "ms"], pct, title="latency_percentiles", coded=(0,))])


def replies(said: Sequence[Mapping[str, Any]], origin: float) -> Section:
    """Every reply with the comment(s) it answers and the sheet facts it used."""
    rows: list[list[Any]] = []
    for e in said:
        if e.get("kind") != "reply":
            continue
        comments = [c for c in (e.get("comments") or ([e["comment"]] if e.get("comment") else []))
                    if isinstance(c, Mapping)]
        approval = e.get("approval") if isinstance(e.get("approval"), Mapping) else None
        rows.append([clock(float(e["start"]) - origin), ", ".join(str(c.get("user", "")) for c in comments),
                     str(comments[0].get("text", "")) if comments else "", str(e.get("text", "")),
                     str(e.get("product_title") or e.get("product_id") or ""), str(e.get("source") or ""),
                     str(e.get("attribute") or ""), " · ".join(str(f) for f in e.get("facts") or []),
                     e.get("latency_ms"),
                     f"{approval.get('action', '')} {approval.get('who', '')}".strip() if approval else ""])
    table = Table("replies", ["time", "asked_by", "comment", "reply", "product", "source", "attribute", "facts",
                              "latency_ms", "approval"], rows)
    return Section("replies", "replies_title", table)
