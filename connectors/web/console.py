"""The moderator console: show controls, live chat with triage decisions, and a safe prompt editor.

Everything under ``/api`` needs ``Authorization: Bearer <token>``; with no token configured only this machine
may use it (and only under a loopback Host name, so a web page cannot reach it through DNS rebinding).
A prompt edit is checked by its validator before it is written, then written atomically (temp file, fsync,
rename), so the show never reads a broken or half-written file; the replaced copy is kept for rollback.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import tomllib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from agent.errors import ConfigError, LivehostError
from agent.ports import ShowControls, Validator
from agent.toolbox.files import FileHistory, atomic_write
from connectors.web.hub import Broadcaster
from connectors.web.server import STATIC_DIR, static_page

log = logging.getLogger(__name__)

EDITABLE = ("*.md", "*.toml", "scripts/*.toml", "banned_topics/*.toml")
SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
LOCAL_CLIENTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_CONTENT = 256 * 1024
MAX_SAY = 500
KEEP_VERSIONS = 50
ASSETS = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}


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

    def resolve(self, rel: str) -> Path:
        """The file ``rel`` names, or 400 for anything outside the editable set (traversal, absolute, hidden)."""
        parts = rel.split("/")
        if (not rel or "\\" in rel or rel.startswith("/") or any(not p or p.startswith(".") for p in parts)
                or any(not set(p) <= SAFE_CHARS for p in parts)
                or not any(_glob_match(rel, pat) for pat in EDITABLE)):
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
        for pat in EDITABLE:
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
            self.history.archive(rel, old, st.st_mtime_ns)
        atomic_write(path, data, 0o644 if st is None else st.st_mode & 0o777)
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


class Gate:
    """Who may use the console: the token holder, or with no token, only this machine."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")

    def check(self, conn: HTTPConnection, *, allow_query: bool = False) -> None:
        host = conn.headers.get("host", "")
        origin = conn.headers.get("origin")
        if conn.scope["type"] == "websocket" or conn.scope.get("method") not in ("GET", "HEAD"):
            if origin is not None and urlsplit(origin).netloc != host:
                self._deny(conn, 403, "request from another web site refused")
        if self._token:
            auth = conn.headers.get("authorization", "")
            given = auth[7:] if auth[:7].lower() == "bearer " else ""
            if not given and allow_query:
                given = conn.query_params.get("token", "")
            if not hmac.compare_digest(given.encode("utf-8"), self._token):
                self._deny(conn, 401, "wrong or missing console token")
            return
        client = conn.client.host if conn.client else ""
        hostname = urlsplit(f"//{host}").hostname or ""
        if client not in LOCAL_CLIENTS or hostname not in LOCAL_HOSTS:
            self._deny(conn, 403, "no console token is set, so the console only works on this computer")

    @staticmethod
    def _deny(conn: HTTPConnection, status: int, message: str) -> None:
        log.warning("console request refused", extra={"status": status, "path": conn.url.path,
                                                       "client": conn.client.host if conn.client else ""})
        raise ConsoleError(status, message)


Handler = Callable[[Request], Awaitable[Response]]


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ConsoleError(400, "the request body must be JSON") from None
    if not isinstance(body, dict):
        raise ConsoleError(400, "the request body must be a JSON object")
    return body


class _Console:
    """Route handlers; holds the lock that serializes prompt writes (one per console, not global)."""

    def __init__(self, controls: ShowControls, files: PromptFiles, gate: Gate, events: Broadcaster | None) -> None:
        self.controls = controls
        self.files = files
        self.gate = gate
        self.events = events
        self.write_lock = asyncio.Lock()

    def api(self, fn: Handler) -> Handler:
        """Wrap a handler: check access first, turn :class:`ConsoleError` into its JSON response."""

        async def wrapped(request: Request) -> Response:
            try:
                self.gate.check(request)
                return await fn(request)
            except ConsoleError as exc:
                return exc.response()

        return wrapped

    async def page(self, request: Request) -> Response:
        return static_page("console.html")

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response("not found", status_code=404)
        body = (STATIC_DIR / name).read_bytes()
        return Response(body, media_type=ASSETS[name], headers={"Cache-Control": "no-store"})

    def command(self, action: str) -> Handler:
        async def run(request: Request) -> Response:
            getattr(self.controls, action)()
            log.info("console command", extra={"action": action})
            return JSONResponse({"ok": True, "status": self.controls.status()})

        return run

    async def say(self, request: Request) -> Response:
        body = await _json_body(request)
        text, language = body.get("text"), body.get("language") or None
        if not isinstance(text, str) or not text.strip():
            raise ConsoleError(400, "type what the host should say")
        if len(text) > MAX_SAY:
            raise ConsoleError(400, f"too long: at most {MAX_SAY} characters")
        if language is not None and (not isinstance(language, str) or len(language) > 16):
            raise ConsoleError(400, "bad language code")
        self.controls.say_now(text.strip(), language)
        log.info("console say now", extra={"chars": len(text), "language": language})
        return JSONResponse({"ok": True, "status": self.controls.status()})

    async def status(self, request: Request) -> Response:
        return JSONResponse(self.controls.status())

    async def list_prompts(self, request: Request) -> Response:
        return JSONResponse({"files": await asyncio.to_thread(self.files.listing)})

    async def read_prompt(self, request: Request) -> Response:
        return JSONResponse(await asyncio.to_thread(self.files.read, request.path_params["path"]))

    async def write_prompt(self, request: Request) -> Response:
        body = await _json_body(request)
        content, base = body.get("content"), body.get("base_mtime")
        if not isinstance(content, str):
            raise ConsoleError(400, "'content' must be a string")
        if isinstance(base, str) and base.isdigit():
            base = int(base)
        if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
            raise ConsoleError(400, "'base_mtime' must be the mtime_ns you read")
        async with self.write_lock:
            saved = await asyncio.to_thread(self.files.save, request.path_params["path"], content, base)
        return JSONResponse(saved)

    async def history(self, request: Request) -> Response:
        versions = await asyncio.to_thread(self.files.versions, request.path_params["path"])
        return JSONResponse({"path": request.path_params["path"], "versions": versions})

    async def version(self, request: Request) -> Response:
        p = request.path_params
        content = await asyncio.to_thread(self.files.version_content, p["path"], p["version"])
        return JSONResponse({"path": p["path"], "version": p["version"], "content": content})

    async def rollback(self, request: Request) -> Response:
        version = (await _json_body(request)).get("version")
        if not isinstance(version, str):
            raise ConsoleError(400, "'version' must be a string")
        async with self.write_lock:
            saved = await asyncio.to_thread(self.files.rollback, request.path_params["path"], version)
        log.info("prompt file rolled back", extra={"path": request.path_params["path"], "version": version})
        return JSONResponse(saved)

    async def feed(self, ws: WebSocket) -> None:
        """The overlay's render events, for moderators (blocked comments included)."""
        try:
            self.gate.check(ws, allow_query=True)
        except ConsoleError:
            await ws.close(code=1008)
            return
        if self.events is None:
            await ws.close(code=1000)
            return
        await self.events.serve(ws)


def console_routes(
    controls: ShowControls,
    prompts_dir: Path,
    validators: Mapping[str, Validator],
    token: str,
    events: Broadcaster | None = None,
    *,
    history_dir: Path,
) -> list[BaseRoute]:
    """GET /console, /console/ws and /api/show/*, /api/prompts/* (see the module docstring).

    ``validators`` maps globs relative to ``prompts_dir`` (``"banned_topics/*.toml"``) to the check that
    must pass before an edit goes live; the first match wins, and a file with none is read-only.
    ``history_dir`` keeps replaced copies, one folder per file.
    """
    files = PromptFiles(prompts_dir, FileHistory(history_dir, KEEP_VERSIONS), dict(validators))
    c = _Console(controls, files, Gate(token), events)
    api = c.api
    show = [Route(f"/api/show/{a}", api(c.command(a)), methods=["POST"]) for a in ("pause", "resume", "skip", "stop")]
    return [
        Route("/console", c.page, methods=["GET"]),
        Route("/console/static/{name}", c.asset, methods=["GET"]),
        WebSocketRoute("/console/ws", c.feed),
        *show,
        Route("/api/show/say", api(c.say), methods=["POST"]),
        Route("/api/show/status", api(c.status), methods=["GET"]),
        Route("/api/prompts", api(c.list_prompts), methods=["GET"]),
        Route("/api/prompts/{path:path}/history/{version}", api(c.version), methods=["GET"]),
        Route("/api/prompts/{path:path}/history", api(c.history), methods=["GET"]),
        Route("/api/prompts/{path:path}/rollback", api(c.rollback), methods=["POST"]),
        Route("/api/prompts/{path:path}", api(c.read_prompt), methods=["GET"]),
        Route("/api/prompts/{path:path}", api(c.write_prompt), methods=["PUT"]),
    ]


def toml_validator(path: Path, content: str) -> None:
    """The least check for a TOML file with no stricter loader: it must parse."""
    try:
        tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
