"""Choose the semantic thresholds on the development sets (never on the held-out ones), and optionally write
them into the lists: each topic's ``embedding_threshold`` in prompts/banned_topics/*.toml and
``deflect_margin`` in prompts/scope.toml.

    .venv/bin/python bench/calibrate.py [--budget 0.015] [--write]

Moderation: lines the word lists already block need no threshold; for the rest, each topic's threshold is
lowered greedily (the topic that catches the most development positives per false block first) while the
false blocks on the development negatives (hard negatives, benign look-alike injections, ordinary chat,
ordinary shop questions) stay within ``--budget``. Scope: the deflect margin that misclassifies the fewest development
questions, a product question deflected counting twice (a shop would rather answer than deflect).
Results: bench/results/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.moderation.screen import too_short_to_mean  # noqa: E402
from bench.modsets import Line, read_set, stack, verdict  # noqa: E402
from bench.shops import notsold, paired, shops  # noqa: E402

FLOOR = 0.0  # a topic never matches unless it is closer than every allowed phrase
DEV = ROOT / "evals" / "dev"
# a same-language question naming a thing the best match's name lacks: answered from this keyword score or cosine
UNNAMED = ((100.0, 1.01), (4.0, 1.01), (6.0, 1.01), (8.0, 1.01), (4.0, 0.9), (6.0, 0.9))


def shop_questions() -> list[Line]:
    """Viewers' product questions from the development shops: never to be blocked, never deflected."""
    out = []
    for f in sorted(DEV.glob("*/questions.jsonl")):
        for raw in f.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                d = json.loads(raw)
                if d.get("expect") in ("answer", "refuse"):
                    out.append(Line(d["question"], d.get("lang", ""), False, trick="shop", source=f.parent.name))
    return out


def moderation(budget: float) -> dict[str, object]:
    triage, screen = stack()
    assert screen is not None, "the semantic layer is off (settings triage.semantic, knowledge.embedding)"
    meaning = screen.topics.live.meaning
    assert meaning is not None
    positives = read_set("dev") + read_set("dev_injection")
    negatives = (read_set("dev_benign") + read_set("dev_injection_benign") + read_set("dev_chat")
                 + [x for x in read_set("dev_offscope") if x.trick == "shop"] + shop_questions())
    labels = list(meaning.index.labels)

    def margins(lines: list[Line]) -> tuple[np.ndarray, list[bool]]:
        rows, lexical = [], []
        for i, line in enumerate(lines):
            v = verdict(triage, None, line.text, i)
            lexical.append(v["action"] == "block")
            if too_short_to_mean(screen.text_for(line.text)):  # the screen leaves it to the word lists
                rows.append([-9.0] * len(labels))
                continue
            scores = meaning.index.scores(screen.vector(line.text))
            rows.append([scores[label].margin for label in labels])
        return np.array(rows), lexical

    pos_m, pos_lex = margins(positives)
    neg_m, neg_lex = margins(negatives)
    pos_open = ~np.array(pos_lex)
    neg_open = ~np.array(neg_lex)
    allowed_fp = int(budget * len(negatives)) - int((~neg_open).sum())
    th = {label: 9.0 for label in labels}

    def caught(m: np.ndarray, open_: np.ndarray, t: dict[str, float]) -> np.ndarray:
        limits = np.array([t[label] for label in labels])
        return open_ & (m >= limits).any(axis=1)

    while True:
        base_pos = caught(pos_m, pos_open, th).sum()
        base_neg = caught(neg_m, neg_open, th).sum()
        best = None
        for j, label in enumerate(labels):
            cands = sorted({round(float(x), 4) for x in pos_m[:, j] if FLOOR <= x < th[label]}, reverse=True)
            for c in cands[:40]:
                trial = dict(th, **{label: c})
                gain = caught(pos_m, pos_open, trial).sum() - base_pos
                cost = caught(neg_m, neg_open, trial).sum() - base_neg
                if gain <= 0 or base_neg + cost > max(0, allowed_fp):
                    continue
                ratio = gain / (cost + 0.5)
                if best is None or ratio > best[0] or (ratio == best[0] and c > best[2]):
                    best = (ratio, label, c)
        if best is None:
            break
        th[best[1]] = best[2]
    final_pos = caught(pos_m, pos_open, th) | ~pos_open
    final_neg = caught(neg_m, neg_open, th) | ~neg_open
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, ok in zip(positives, final_pos, strict=True):
        by_lang[line.lang][0] += int(ok)
        by_lang[line.lang][1] += 1
    return {
        "thresholds": {k: (None if v >= 9 else v) for k, v in th.items()},
        "dev_block_rate": {k: round(a / b, 3) for k, (a, b) in sorted(by_lang.items())},
        "dev_block_rate_words_only": round(float((~pos_open).mean()), 3),
        "dev_false_blocks": int(final_neg.sum()),
        "dev_negatives": len(negatives),
        "budget": budget,
    }


def scope() -> dict[str, object]:
    from agent.app.compose import phrase_vectors
    from agent.knowledge.embedding import embedder_for
    from agent.reply.scope import ScopeStore
    from bench.modsets import settings

    s = settings()
    embedder = embedder_for(s.knowledge)
    vectors = phrase_vectors(s, embedder)
    assert vectors is not None
    store = ScopeStore(s.path(s.show.scope), vectors)
    lines = read_set("dev_offscope") + shop_questions()
    margins = np.array([store.current.decide(embedder.embed_query(x.text)).margin for x in lines])
    deflect = np.array([x.trick != "shop" for x in lines])
    best = None
    for m in sorted({round(float(v), 4) for v in margins}):
        wrong_shop = int(((margins >= m) & ~deflect).sum())
        wrong_off = int(((margins < m) & deflect).sum())
        cost = 2 * wrong_shop + wrong_off
        if best is None or cost < best[0]:
            best = (cost, m, wrong_shop, wrong_off)
    assert best is not None
    return {"deflect_margin": best[1], "dev_shop_questions_deflected": best[2],
            "dev_offscope_answered": best[3], "dev_shop_questions": int((~deflect).sum()),
            "dev_offscope": int(deflect.sum())}


def write_thresholds(result: dict[str, object], scope_result: dict[str, object]) -> None:
    folder = ROOT / "prompts" / "banned_topics"
    thresholds = result["thresholds"]
    assert isinstance(thresholds, dict)
    for name, value in thresholds.items():
        path = folder / f"{name}.toml"
        text = path.read_text(encoding="utf-8")
        line = (f"embedding_threshold = {value}  # calibrated by bench/calibrate.py on the development sets"
                if value is not None else
                "embedding_threshold = 2.0  # the semantic layer never blocks this topic (bench/calibrate.py)")
        if re.search(r"(?m)^embedding_threshold\s*=.*$", text):
            text = re.sub(r"(?m)^embedding_threshold\s*=.*$", line, text, count=1)
        else:
            head = re.search(r"(?m)^description\s*=.*$", text)
            if head is not None:
                text = text[: head.end()] + "\n" + line + text[head.end():]
        path.write_text(text, encoding="utf-8")
    scope_file = ROOT / "prompts" / "scope.toml"
    text = scope_file.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^deflect_margin\s*=.*$", f"deflect_margin = {scope_result['deflect_margin']}", text, count=1)
    scope_file.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=0.015, help="false blocks allowed on the development negatives")
    ap.add_argument("--write", action="store_true", help="write the thresholds into the lists")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "calibration.json"))
    args = ap.parse_args()
    result = {"moderation": moderation(args.budget), "scope": scope(), "catalog": catalog()}
    if args.write:
        write_thresholds(result["moderation"], result["scope"])  # type: ignore[arg-type]
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))



@dataclass(frozen=True, slots=True)
class Asked:
    """What the planner's sold-here decision reads for one development product question."""

    answer: bool
    right: bool  # retrieval's best match is the product asked about
    cross: bool
    dense: float
    margin: float
    keyword: float
    exists: bool
    names: bool
    unknown: bool
    unnamed: bool = False  # same language, not "do you sell X?", names a thing the best match's name lacks
    named: bool = False  # same language: names the best match by its own name's words alone (answered)
    holds: bool = False  # same language, "do you sell X?": asks what the best match, named alone, holds
    mentioned: bool = False  # the thing named (unnamed above) is written in the best match's sheet


def catalog_features() -> list[Asked]:
    """For every development product question (answer or refuse): what the planner's decision reads."""
    import asyncio

    from agent.app.compose import phrase_vectors
    from agent.app.knowledge_commands import open_knowledge
    from agent.clock import LoopClock
    from agent.knowledge.embedding import embedder_for
    from agent.language import detect_language
    from agent.metrics import Metrics
    from agent.reply.head import head_of, mentions, owns, phrase_about
    from agent.reply.planner import Planner, asks_existence
    from bench.modsets import settings

    s = settings()
    embedder = embedder_for(s.knowledge)
    assert phrase_vectors(s, embedder) is not None
    rows: list[Asked] = []

    async def run() -> None:
        # every development shop: the refusals are in dev and shops2, the others' questions are all answers
        sets = [*shops("dev"), *(p for name in ("shops2", "dims", "specifics", "attrs") for p in paired(f"dev/{name}")),
                *notsold()]
        for _, questions, cat in sets:
            kb = open_knowledge(s, str(cat), embedder=embedder, progress=lambda *_: None)
            planner = Planner(kb, LoopClock(), Metrics(LoopClock()))
            catalog_lang = planner._catalog_language()
            for raw in questions.read_text(encoding="utf-8").splitlines():
                d = json.loads(raw) if raw.strip() else None
                if not d or d.get("expect") not in ("answer", "refuse"):
                    continue
                hits = await kb.search(d["question"], s.knowledge.top_k)
                top = hits[0]
                content, known = kb.vocabulary_coverage(d["question"])
                lang = d.get("lang") or detect_language(d["question"])
                phrase = phrase_about(d["question"], lang, top.product) if lang == catalog_lang else []
                thing = head_of(phrase, lang)
                rows.append(Asked(
                    d["expect"] == "answer", top.product.id in d.get("products", []),
                    lang != catalog_lang,
                    top.dense,
                    top.dense - max((h.dense for h in hits[1:]), default=0.0), top.keyword,
                    asks_existence(d["question"]), Planner._names_it(d["question"], top.product),
                    content > 0 and known == 0,
                    thing is not None and not asks_existence(d["question"]) and not owns(thing, top.product),
                    thing is not None and Planner._names_alone(phrase, thing, hits),
                    lang == catalog_lang and Planner._holds(d["question"], lang, hits),
                    thing is not None and mentions(thing, top.product)))
            kb.close()

    asyncio.run(run())
    return rows


def catalog() -> dict[str, object]:
    """The sold-here thresholds, for questions in the catalog's language and in another, that cost the least
    on the development questions: an answer about a product the viewer did not ask about (not sold, or the
    wrong match) costs 3, a product question refused costs 1."""
    from bench.modsets import settings

    rows = catalog_features()
    out: dict[str, object] = {}
    for regime in ("same", "cross"):
        sub = [r for r in rows if r.cross == (regime == "cross")]
        best = None
        # same language: with the rule for a question naming another thing (off, or answered from a keyword score)
        for unnamed in (UNNAMED if regime == "same" else UNNAMED[:1]):
            for kw in (2.0, 3.0, 4.0, 6.0, 8.0):
                for sure in np.arange(0.82, 0.92, 0.005):
                    for low in np.arange(0.76, 0.87, 0.005):
                        for margin in (-1.0, 0.0, 0.005, 0.01, 0.02, 0.03):
                            for exists in np.arange(0.82, 0.93, 0.01):
                                wrong = _cost(sub, regime == "same", kw, sure, low, margin, exists, unnamed)
                                key = (wrong, -low, -margin, -sure, -exists)  # equal errors: the stricter
                                if best is None or key < best[0]:
                                    best = (key, kw, round(float(sure), 3), round(float(low), 3), margin,
                                            round(float(exists), 3), unnamed)
        assert best is not None
        k = settings().knowledge
        now = ((k.answer_min_keyword, k.answer_sure_dense, k.answer_min_dense, k.answer_min_margin,
                k.answer_exists_dense, (k.answer_unnamed_min_keyword, k.answer_unnamed_sure_dense))
               if regime == "same" else
               (k.answer_cross_min_keyword, k.answer_cross_sure_dense, k.answer_cross_min_dense,
                k.answer_cross_min_margin, k.answer_cross_exists_dense))
        found: dict[str, object] = {
            "cost": int(best[0][0]), "cost_of_settings_now": _cost(sub, regime == "same", *now),
            "questions": len(sub), "min_keyword": best[1], "sure_dense": best[2], "min_dense": best[3],
            "min_margin": best[4], "exists_dense": best[5]}
        if regime == "same":
            found.update(unnamed_min_keyword=best[6][0], unnamed_sure_dense=best[6][1],
                         unnamed_questions=sum(1 for r in sub if r.unnamed))
        out[regime] = found
    return out


def _cost(sub: list[Asked], same: bool, kw: float, sure: float, low: float, margin: float, exists: float,
          unnamed: tuple[float, float] = (100.0, 1.01)) -> int:
    """What thresholds cost on ``sub``: an answer about a product not asked about 3, a refused product question 1."""
    wrong = 0
    for r in sub:
        if r.exists:
            ok = (r.holds or r.keyword >= kw and r.names) if same else r.dense >= exists
        elif r.unnamed:
            ok = r.keyword >= unnamed[0] and r.mentioned or r.dense >= unnamed[1]
        elif r.named or r.keyword >= kw or r.dense >= sure:
            ok = True
        elif same and r.unknown:
            ok = False
        else:
            ok = r.dense >= low and r.margin >= margin
        if ok and not (r.answer and r.right):
            wrong += 3  # an answer about the wrong product: a wrong claim on air
        elif not ok and r.answer:
            wrong += 1  # a question the shop could answer, refused
    return wrong


if __name__ == "__main__":
    main()
