"""Files that are never half-written, and the previous copies of edited files.

:func:`atomic_write` writes a temporary file next to the target, fsyncs it, renames it over the target and
fsyncs the folder, so a reader sees the old file or the new one and a crash leaves one of them.
:class:`FileHistory` keeps the replaced copies of edited files (``<folder>/<rel>/<mtime_ns>-<digest>.txt``),
whoever edits them: the console and the ``topics`` commands write through it alike.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) in one rename; ``mode`` defaults to 0o644."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644 if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Version:
    name: str  # "<mtime_ns>-<digest>"
    size: int
    mtime: float  # when that copy was last changed, in seconds


class FileHistory:
    """Previous copies of edited files, the newest ``keep`` per file."""

    def __init__(self, folder: Path, keep: int = 50) -> None:
        self.folder = Path(folder)
        self.keep = keep

    def archive(self, rel: str, data: bytes, mtime_ns: int) -> None:
        """Keep ``data``, the copy of ``rel`` that is about to be replaced (last changed at ``mtime_ns``)."""
        folder = self.folder / rel
        atomic_write(folder / f"{mtime_ns}-{digest(data)}.txt", data)
        for stale in sorted(folder.glob("*.txt"), key=_key)[: -self.keep]:
            stale.unlink(missing_ok=True)

    def archive_file(self, rel: str, path: Path, new: bytes) -> None:
        """Archive ``path``'s current content unless it is missing or already ``new``."""
        try:
            old, st = path.read_bytes(), path.stat()
        except FileNotFoundError:
            return
        if old != new:
            self.archive(rel, old, st.st_mtime_ns)

    def versions(self, rel: str) -> list[Version]:
        """Previous copies of ``rel``, newest first."""
        folder = self.folder / rel
        files = sorted(folder.glob("*.txt"), key=_key, reverse=True) if folder.is_dir() else []
        return [Version(p.stem, p.stat().st_size, _key(p)[0] / 1e9) for p in files if _key(p)[0] >= 0]

    @staticmethod
    def is_version(name: str) -> bool:
        stamp, _, dig = name.partition("-")
        return stamp.isdigit() and len(dig) == 8 and set(dig) <= set("0123456789abcdef")

    def content(self, rel: str, version: str) -> str | None:
        """The text of one previous copy; None when ``version`` is no such copy (or not a version name)."""
        if not self.is_version(version):
            return None
        p = self.folder / rel / f"{version}.txt"
        return p.read_text(encoding="utf-8") if p.is_file() else None


def _key(p: Path) -> tuple[int, str]:
    stamp = p.stem.partition("-")[0]
    return (int(stamp), p.stem) if stamp.isdigit() else (-1, p.stem)
