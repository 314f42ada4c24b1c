"""``livehost eval``: a shop's own test file run through the real pipeline (triage, screen, retrieval, LLM, guards).

One case a line: ``{"question", "expect": "answer"|"refuse"|"block", "products": [...], "facts": [...],
"forbid": [...]}``, optionally ``"attribute"`` (what is asked), ``"in_sheet": false`` (the sheet does not say:
the host must say so and state no value) and ``"lang"``. Facts are strings each reply must contain; their
numbers are compared by value (so "59 EUR" matches "59,00 €" and "五十九欧元"), their words case-insensitively.

The judge is written apart from the guards it checks: a wrong claim is a forbidden string, a number the case's
product sheets do not hold, or a price said in another currency than the sheet's; a broken reply restarts
("let me say that properly") or stops mid-phrase. Each case reports where its words came from (``source``:
the LLM's verified rephrasing, the sheet's templates, both) so an LLM's accuracy is never hidden behind
template sentences.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.guards.lexicon import CURRENCY_AFTER, CURRENCY_BEFORE, currency_code
from agent.guards.numbers import NumberForm, find_numbers
from agent.language import detect_language
from agent.metrics import percentile
from agent.product import Product

EXPECTS = ("answer", "refuse", "block")
_CURRENCY_WORDS = re.compile(r"^(eur|euros?|€|usd|\$|dollars?|cny|rmb|元|欧元|美元|gbp|£)$", re.IGNORECASE)
# Said when a reply takes back what it started saying, in the languages the host speaks.
RESTARTS = ("let me say that properly", "je reprends", "准确地说", "let me rephrase", "i mean,")
_TERMINAL = re.compile(r"[.!?。！？…~)）\"”»]\s*$")


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    expect: str
    products: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    user: str = "viewer"
    line: int = 0
    attribute: str = ""
    in_sheet: bool = True
    lang: str = ""

    @property
    def language(self) -> str:
        return self.lang or detect_language(self.question, "en")


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
        in_sheet = d.get("in_sheet", True)
        if not isinstance(in_sheet, bool):
            raise InputError(str(path), n, "in_sheet", "must be true or false")
        for key in ("attribute", "lang", "user"):
            if key in d and not isinstance(d[key], str):
                raise InputError(str(path), n, key, "must be a string")
        cases.append(Case(q, expect, lists["products"], lists["facts"], lists["forbid"], str(d.get("user", "viewer")),
                          n, str(d.get("attribute", "")), in_sheet, str(d.get("lang", ""))))
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


def wrong_claims(reply: str, question: str, sheets: Sequence[Product], forbid: Iterable[str]) -> list[str]:
    """What the reply says that the case's product sheets do not support (the judge's own reading).

    A forbidden string; a number that is neither on a sheet of the case's products nor in the question; a
    price said in a currency none of those sheets uses.
    """
    named = reply.lower()
    for p in sheets:  # a product's own name is not a claim ("Box of 12" is not a count of 12 boxes)
        named = named.replace(p.title.lower(), " ")
    wrong = [f"forbidden: {f}" for f in forbid if _says(named, f.lower())]
    text = "\n".join([question, *(p.sheet() for p in sheets)])
    allowed = {round(n.value, 2) for n in find_numbers(text) if n.form is NumberForm.ARABIC}
    for p in sheets:
        allowed.update(round(x, 2) for x in p.prices)
        allowed.update(s for s in (p.total_stock, *(v.stock for v in p.variants)) if s is not None)
        # a discount in percent follows from a price and the price it replaces ("750 -> 500: 33% off")
        pairs = [(p.price, p.compare_at), *((v.price, v.compare_at) for v in p.variants)]
        allowed.update(round((was - now) / was * 100) for now, was in pairs
                       if now is not None and was is not None and was > now)
    for n in find_numbers(reply):
        if n.form is NumberForm.ARABIC and round(n.value, 2) not in allowed:
            wrong.append(f"number not on the sheet: {reply[n.start:n.end]}")
    currencies = {p.currency.upper() for p in sheets}
    for n in find_numbers(reply):
        after = CURRENCY_AFTER.match(reply[n.end : n.end + 12])
        before = CURRENCY_BEFORE.search(reply[max(0, n.start - 6) : n.start])
        token = after.group(1) if after else (before.group(1) if before else "")
        code = currency_code(token) if token else ""
        if code and currencies and code not in currencies:
            wrong.append(f"currency {code} (sheet: {', '.join(sorted(currencies))})")
    return wrong


def _says(text: str, phrase: str) -> bool:
    """A number is said only as a whole number ("40" is not in "240"); other phrases anywhere."""
    if re.fullmatch(r"\d+(?:[.,]\d+)?", phrase):
        return re.search(rf"(?<![\d.,]){re.escape(phrase)}(?![\d]|[.,]\d)", text) is not None
    return phrase in text


def broken(reply: str, sentences: Sequence[str] = ()) -> bool:
    """A reply that takes back what it started ("let me say that properly") or stops mid-phrase."""
    low = reply.lower()
    if any(r in low for r in RESTARTS):
        return True
    return bool(reply.strip()) and not _TERMINAL.search(reply.strip())


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
    source: str = ""
    rejected: list[dict[str, str]] = field(default_factory=list)
    is_broken: bool = False
    attribute: str = ""
    stated: bool | None = None
    answered: bool | None = None
    wrong: list[str] = field(default_factory=list)

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
            "lang": self.case.language,
            "source": self.source,
            "rejected": self.rejected,
            "broken": self.is_broken,
            "attribute": self.case.attribute or self.attribute,
            "attribute_detected": self.attribute,
            "attribute_answered": self.answered,
            "wrong_claims": self.wrong,
        }


def judge(case: Case, answer: dict[str, Any], ranked: list[str], sheets: Sequence[Product] = ()) -> CaseResult:
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
    # the viewer's name as written and as said ("birdlady_72" is said "birdlady 72"): its digits are no claim
    said = reply.replace(case.user, " ").replace(case.user.replace("_", " "), " ")
    wrong = wrong_claims(said, case.question, sheets, case.forbid)
    extra = [w for w in wrong if not w.startswith("forbidden")]
    if extra:
        problems.append("; ".join(extra))
    is_broken = broken(reply)
    if is_broken:
        problems.append("broken reply")
    stated = answer.get("stated")
    answered: bool | None = None
    if case.expect == "answer":
        if not case.in_sheet:
            answered = stated is False and not leaks
            if stated is not False:
                problems.append("the sheet does not say, but the reply did not say so")
        else:
            answered = decision == "answer" and not missing and stated is not False
    return CaseResult(case, decision, reply, list(answer.get("products", [])), ranked, not problems,
                      "; ".join(problems) or "ok", facts_ok, leaks,
                      float(answer.get("timings_ms", {}).get("total", 0.0)), str(answer.get("source", "")),
                      list(answer.get("rejected", [])), is_broken, str(answer.get("attribute", "")),
                      stated if isinstance(stated, bool) else None, answered, wrong)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _summary(results: Sequence[CaseResult]) -> dict[str, Any]:
    with_products = [r for r in results if r.case.products]
    hits = sum(1 for r in with_products if set(r.case.products) & set(r.ranked[:3]))
    answer_cases = [r for r in results if r.case.expect == "answer" and r.case.facts]
    facts_total = sum(len(r.case.facts) for r in answer_cases)
    by_llm = [r for r in answer_cases if r.source == "llm"]
    refuse = [r for r in results if r.case.expect == "refuse"]
    block = [r for r in results if r.case.expect == "block"]
    asked = [r for r in results if r.case.expect == "answer"]
    lat = [r.latency_ms for r in results if r.latency_ms]
    sources: dict[str, int] = defaultdict(int)
    for r in results:
        sources[r.source or "none"] += 1
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "retrieval_hit_at_3": _ratio(hits, len(with_products)),
        "fact_accuracy": _ratio(sum(r.facts_ok for r in answer_cases), facts_total),
        "llm_fact_accuracy": _ratio(sum(r.facts_ok for r in by_llm), sum(len(r.case.facts) for r in by_llm)),
        "refusal_accuracy": _ratio(sum(r.decision == "refuse" for r in refuse), len(refuse)),
        "block_accuracy": _ratio(sum(r.decision == "block" for r in block), len(block)),
        "attribute_answered": _ratio(sum(bool(r.answered) for r in asked), len(asked)),
        "forbidden_leaks": sum(len(r.leaks) for r in results),
        "wrong_claims_spoken": sum(len(r.wrong) for r in results),
        "broken_replies": sum(r.is_broken for r in results),
        "sources": dict(sorted(sources.items())),
        "latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "max": max(lat) if lat else None},
    }


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    """The headline over every case, then the same per language of the question."""
    out = _summary(results)
    langs = sorted({r.case.language for r in results})
    if len(langs) > 1:
        out["by_language"] = {lang: _summary([r for r in results if r.case.language == lang]) for lang in langs}
    return out


async def run_eval(cases: Sequence[Case], answer: Callable[[Case], Awaitable[dict[str, Any]]],
                   rank: Callable[[str], Awaitable[list[str]]],
                   sheets: Callable[[Sequence[str]], Sequence[Product]] = lambda ids: ()) -> list[CaseResult]:
    results = []
    for case in cases:
        ans = await answer(case)
        ranked = await rank(case.question) if case.products else list(ans.get("products", []))
        # a case that names its products is judged against their sheets only: a price of another product is a
        # wrong claim, even though it is on some sheet
        ids = list(case.products) or list(ans.get("products", []))
        results.append(judge(case, ans, ranked, sheets(ids)))
    return results
