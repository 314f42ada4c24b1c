"""The evaluation shops: a folder of ``evals/dev`` or ``evals/heldout`` with a catalog and its questions.

Other folders there are not shops (``evals/dev/report`` holds the report's question groups) and are skipped.
"""

from __future__ import annotations

from pathlib import Path

EVALS = Path(__file__).resolve().parents[1] / "evals"


def shops(group: str) -> list[tuple[str, Path, Path]]:
    """(name, questions file, catalog) for every shop of ``group`` ("dev" or "heldout"), by name."""
    out = []
    for d in sorted((EVALS / group).iterdir()):
        catalog = next((p for p in sorted(d.iterdir()) if p.name.startswith("catalog")), None) if d.is_dir() else None
        if catalog is not None and (d / "questions.jsonl").exists():
            out.append((d.name, d / "questions.jsonl", catalog))
    return out


def paired(folder: str) -> list[tuple[str, Path, Path]]:
    """(name, questions file, catalog) for every catalog ``NAME.json[l]`` of ``evals/<folder>`` that has a
    ``NAME.questions.jsonl`` beside it (several small shops in one folder)."""
    d = EVALS / folder
    return [(f"{d.name}-{c.stem}", c.with_name(f"{c.stem}.questions.jsonl"), c)
            for c in sorted(d.glob("*.json*")) if ".questions." not in c.name
            and c.with_name(f"{c.stem}.questions.jsonl").exists()]


def notsold() -> list[tuple[str, Path, Path]]:
    """(name, questions file, catalog) for ``evals/dev/notsold``: ``FOLDER-NAME.questions.jsonl`` asks about things
    the catalog ``evals/dev/FOLDER/NAME.json`` does not sell."""
    d = EVALS / "dev" / "notsold"
    out = []
    for q in sorted(d.glob("*.questions.jsonl")):
        folder, _, name = q.name.removesuffix(".questions.jsonl").partition("-")
        out.append((f"notsold-{folder}-{name}", q, EVALS / "dev" / folder / f"{name}.json"))
    return out
