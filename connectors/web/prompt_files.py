"""The prompt files a moderator may edit from the console, their validators and their earlier versions.

An edit is checked by its validator before it is written, then written atomically (temp file, fsync, rename),
so the show never reads a broken or half-written file; the replaced copy is kept for rollback.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from starlette.responses import JSONResponse

from agent.errors import LivehostError
from agent.ports import Validator
from agent.toolbox.files import FileHistory, atomic_write

log = logging.getLogger(__name__)

EDITABLE = ("*.md", "*.toml", "scripts/*.toml", "banned_topics/*.toml")
SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
MAX_CONTENT = 256 * 1024


class ConsoleError(Exception):
    """A request the console refuses; ``status`` is the HTTP status, the message is shown to the moderator."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra

    def response(self) -> JSONResponse:
        return JSONResponse({"error": str(self), **self.extra}, status_code=self.status)


def _glob_match(rel: str, pattern: str) -> bool:
    """Whole-path glob where ``*`` never crosses ``/`` (``*.md`` is not ``scripts/x.md``)."""
    parts, pats = rel.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatchcase(p, q) for p, q in zip(parts, pats, strict=True))


@dataclass(frozen=True)
class PromptFiles:
    """The editable files under ``root``, their validators, and their previous versions in ``history``."""

    root: Path
    history: FileHistory
    validators: Mapping[str, Validator]
    patterns: Sequence[str] = EDITABLE

    def resolve(self, rel: str) -> Path:
        """The file ``rel`` names, or 400 for anything outside the editable set (traversal, absolute, hidden)."""
        parts = rel.split("/")
        if (not rel or "\\" in rel or rel.startswith("/") or any(not p or p.startswith(".") for p in parts)
                or any(not set(p) <= SAFE_CHARS for p in parts)
                or not any(_glob_match(rel, pat) for pat in self.patterns)):
            raise ConsoleError(400, "not a prompt file: use a .md or .toml file inside the prompts folder")
        root = self.root.resolve()
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            raise ConsoleError(400, "not a prompt file: it points outside the prompts folder")
        return path

    def validator(self, rel: str) -> Validator | None:
        return next((v for pat, v in self.validators.items() if _glob_match(rel, pat)), None)

    def listing(self) -> list[dict[str, Any]]:
        out = []
        for pat in self.patterns:
            for p in sorted(self.root.glob(pat)):
                rel = p.relative_to(self.root).as_posix()
                if p.is_file() and not p.name.startswith("."):
                    st = p.stat()
                    out.append({"path": rel, "size": st.st_size, "mtime": st.st_mtime,
                                "mtime_ns": str(st.st_mtime_ns), "editable": self.validator(rel) is not None})
        return out

    def read(self, rel: str) -> dict[str, Any]:
        """Content and stat; ``mtime_ns`` is a string because nanoseconds do not fit a JavaScript number."""
        path = self.resolve(rel)
        try:
            data, st = path.read_bytes(), path.stat()
        except FileNotFoundError:
            raise ConsoleError(404, "no such prompt file") from None
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConsoleError(400, "not a UTF-8 text file") from None
        return {"path": rel, "content": content, "size": st.st_size, "mtime": st.st_mtime,
                "mtime_ns": str(st.st_mtime_ns), "editable": self.validator(rel) is not None}

    def save(self, rel: str, content: str, base_mtime: int | None) -> dict[str, Any]:
        """Validate, keep the old copy, write atomically. Not reentrant: the caller serializes saves."""
        path = self.resolve(rel)
        check = self.validator(rel)
        if check is None:
            raise ConsoleError(400, "not editable from the console")
        data = content.encode("utf-8")
        if len(data) > MAX_CONTENT:
            raise ConsoleError(400, f"file too large (at most {MAX_CONTENT // 1024} KB)")
        st = path.stat() if path.exists() else None
        if base_mtime is not None and (st is None or st.st_mtime_ns != base_mtime):
            raise ConsoleError(409, "this file was changed by someone else since you opened it; reload it first",
                               mtime_ns=None if st is None else str(st.st_mtime_ns))
        try:
            check(path, content)
        except (LivehostError, ValueError) as exc:  # ConfigError by contract; TOMLDecodeError is a ValueError
            raise ConsoleError(422, str(exc) or type(exc).__name__) from None
        if st is not None:
            old = path.read_bytes()
            if old == data:
                return self.read(rel)
        try:
            if st is not None:
                self.history.archive(rel, old, st.st_mtime_ns)
            atomic_write(path, data, 0o644 if st is None else st.st_mode & 0o777)
        except OSError as exc:  # the disk is full, or read-only: the file on disk is still the old one, whole
            log.error("prompt file not saved", extra={"path": rel, "error": exc.strerror or str(exc)})
            raise ConsoleError(507 if exc.errno == errno.ENOSPC else 500,
                               f"not saved: {exc.strerror or exc}; the file is unchanged") from None
        if st is not None and path.stat().st_mtime_ns <= st.st_mtime_ns:
            bump = st.st_mtime_ns + 1  # a coarse clock must not hide this edit from base_mtime checks
            os.utime(path, ns=(bump, bump))
        log.info("prompt file saved", extra={"path": rel, "bytes": len(data)})
        return self.read(rel)

    def versions(self, rel: str) -> list[dict[str, Any]]:
        """Previous copies, newest first; ``mtime`` is when that copy was last changed (seconds)."""
        self.resolve(rel)
        return [{"version": v.name, "size": v.size, "mtime": v.mtime} for v in self.history.versions(rel)]

    def version_content(self, rel: str, version: str) -> str:
        self.resolve(rel)
        if not FileHistory.is_version(version):
            raise ConsoleError(400, "bad version name")
        text = self.history.content(rel, version)
        if text is None:
            raise ConsoleError(404, "no such version")
        return text

    def rollback(self, rel: str, version: str) -> dict[str, Any]:
        return self.save(rel, self.version_content(rel, version), None)
