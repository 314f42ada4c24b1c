"""``livehost eval``: a shop's own test file run through the real pipeline (triage, retrieval, LLM, guards).

One case a line: ``{"question", "expect": "answer"|"refuse"|"block", "products": [...], "facts": [...],
"forbid": [...]}``. Facts are strings each reply must contain; their numbers are compared by value (so
"59 EUR" matches "59,00 €" and "五十九欧元"), their words case-insensitively.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.guards.numbers import find_numbers
from agent.metrics import percentile

EXPECTS = ("answer", "refuse", "block")
_CURRENCY_WORDS = re.compile(r"^(eur|euros?|€|usd|\$|dollars?|cny|rmb|元|欧元|美元|gbp|£)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    expect: str
    products: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    user: str = "viewer"
    line: int = 0


def load_cases(path: Path) -> list[Case]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(path), None, None, f"cannot read: {exc}") from exc
    for n, raw in enumerate(lines, 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            d = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), n, None, f"not JSON: {exc.msg}") from exc
        if not isinstance(d, dict):
            raise InputError(str(path), n, None, "a case must be a JSON object")
        q = d.get("question")
        if not isinstance(q, str) or not q.strip():
            raise InputError(str(path), n, "question", "must be a non-empty string")
        expect = d.get("expect", "answer")
        if expect not in EXPECTS:
            raise InputError(str(path), n, "expect", f"must be one of {EXPECTS}")
        lists = {}
        for key in ("products", "facts", "forbid"):
            v = d.get(key, [])
            if not isinstance(v, list) or not all(isinstance(x, str | int | float) for x in v):
                raise InputError(str(path), n, key, "must be a list of strings")
            lists[key] = tuple(str(x) for x in v)
        cases.append(Case(q, expect, lists["products"], lists["facts"], lists["forbid"],
                          str(d.get("user", "viewer")), n))
    return cases


def fact_present(fact: str, reply: str) -> bool:
    """Numbers by value, words case-insensitively; currency words are satisfied by any currency mention."""
    nums = find_numbers(fact)
    reply_values = [t.value for t in find_numbers(reply)]
    for t in nums:
        if not any(abs(t.value - v) < 0.005 for v in reply_values):
            return False
    rest = fact
    for t in sorted(nums, key=lambda t: -t.start):
        rest = rest[: t.start] + " " + rest[t.end :]
    words = [w for w in rest.split() if w.strip(".,;:!?") and not _CURRENCY_WORDS.match(w.strip(".,;:!?"))]
    low = reply.lower()
    return all(w.strip(".,;:!?").lower() in low for w in words)


@dataclass
class CaseResult:
    case: Case
    decision: str
    reply: str
    products: list[str]
    ranked: list[str]
    passed: bool
    why: str
    facts_ok: int = 0
    leaks: list[str] = field(default_factory=list)
    latency_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.case.question,
            "expect": self.case.expect,
            "decision": self.decision,
            "reply": self.reply,
            "products": self.ranked,
            "pass": self.passed,
            "why": self.why,
            "latency_ms": round(self.latency_ms, 1),
        }


def judge(case: Case, answer: dict[str, Any], ranked: list[str]) -> CaseResult:
    reply = str(answer.get("reply", ""))
    decision = str(answer.get("decision", ""))
    problems = []
    if decision != case.expect:
        problems.append(f"decision {decision}, expected {case.expect}")
    if case.products and not set(case.products) & set(ranked[:3]):
        problems.append(f"none of {list(case.products)} in top 3 {ranked[:3]}")
    facts_ok = sum(1 for f in case.facts if fact_present(f, reply))
    missing = [f for f in case.facts if not fact_present(f, reply)]
    if missing:
        problems.append(f"missing facts {missing}")
    leaks = [f for f in case.forbid if f.lower() in reply.lower()]
    if leaks:
        problems.append(f"forbidden {leaks}")
    return CaseResult(case, decision, reply, list(answer.get("products", [])), ranked, not problems,
                      "; ".join(problems) or "ok", facts_ok, leaks,
                      float(answer.get("timings_ms", {}).get("total", 0.0)))


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    def ratio(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    with_products = [r for r in results if r.case.products]
    hits = sum(1 for r in with_products if set(r.case.products) & set(r.ranked[:3]))
    answer_cases = [r for r in results if r.case.expect == "answer" and r.case.facts]
    facts_total = sum(len(r.case.facts) for r in answer_cases)
    refuse = [r for r in results if r.case.expect == "refuse"]
    block = [r for r in results if r.case.expect == "block"]
    lat = [r.latency_ms for r in results if r.latency_ms]
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "retrieval_hit_at_3": ratio(hits, len(with_products)),
        "fact_accuracy": ratio(sum(r.facts_ok for r in answer_cases), facts_total),
        "refusal_accuracy": ratio(sum(r.decision == "refuse" for r in refuse), len(refuse)),
        "block_accuracy": ratio(sum(r.decision == "block" for r in block), len(block)),
        "forbidden_leaks": sum(len(r.leaks) for r in results),
        "latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "max": max(lat) if lat else None},
    }


async def run_eval(cases: Sequence[Case], answer: Callable[[Case], Awaitable[dict[str, Any]]],
                   rank: Callable[[str], Awaitable[list[str]]]) -> list[CaseResult]:
    results = []
    for case in cases:
        ans = await answer(case)
        ranked = await rank(case.question) if case.products else list(ans.get("products", []))
        results.append(judge(case, ans, ranked))
    return results
