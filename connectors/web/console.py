"""The moderator console: show controls, approval mode, live chat with verdicts, prompt and settings editors,
the on-air record and the audit trail, behind accounts and roles (see :mod:`connectors.web.auth`).

Every action is a JSON endpoint in one table (:mod:`connectors.web.api`), documented at ``/openapi.json``.
Every login, control action, decision and edit is written to the audit trail with who, when and, for edits,
the content before and after. The page itself and its assets are public; everything it shows comes from the
API, so a visitor without a session sees the login form and nothing else.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from agent.errors import ConfigError
from agent.ports import ShowControls
from agent.records.onair import OnAirRecord
from agent.report.live import LiveFigures
from connectors.web.api import Endpoint, Param, obj, openapi, routes
from connectors.web.auth import Auth, Caller, Need
from connectors.web.hub import Broadcaster
from connectors.web.prompt_files import ConsoleError, PromptFiles
from connectors.web.server import STATIC_DIR, static_page

log = logging.getLogger(__name__)

MAX_SAY = 500
ASSETS = {"console.js": "text/javascript; charset=utf-8", "console-review.js": "text/javascript; charset=utf-8",
          "console-figures.js": "text/javascript; charset=utf-8",
          "console.css": "text/css; charset=utf-8"}
STR = {"type": "string"}
COMMANDS = {"pause": "Pause the host (the script resumes where it stopped)", "resume": "Resume the show",
            "skip": "Drop what the host is saying now", "stop": "End the show"}


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ConsoleError(400, "the request body must be JSON") from None
    if not isinstance(body, dict):
        raise ConsoleError(400, "the request body must be a JSON object")
    return body


def _num(request: Request, name: str, default: float | None = None) -> float | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConsoleError(400, f"'{name}' must be a number") from None
    if not math.isfinite(value):
        raise ConsoleError(400, f"'{name}' must be a finite number")
    return value


@dataclass
class Console:
    """Route handlers over the show's controls, the editable files, the record and the audit trail."""

    controls: ShowControls
    files: PromptFiles
    auth: Auth
    events: Broadcaster | None = None
    record: OnAirRecord | None = None
    settings_files: PromptFiles | None = None

    def __post_init__(self) -> None:
        self.write_lock = asyncio.Lock()  # one writer of files at a time (not global: one per console)
        self.live = None if self.record is None else LiveFigures(self.record.events.query, self.record.show_id)

    # -- pages -----------------------------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        return static_page("console.html")

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response("not found", status_code=404)
        body = (STATIC_DIR / name).read_bytes()
        return Response(body, media_type=ASSETS[name], headers={"Cache-Control": "no-store"})

    async def feed(self, ws: WebSocket) -> None:
        """The overlay's render events for moderators (blocked comments included): any logged-in account."""
        try:
            self.auth.require(ws, "read")
        except ConsoleError:
            await ws.close(code=1008)
            return
        if self.events is None:
            await ws.close(code=1000)
            return
        await self.events.serve(ws)

    async def openapi_doc(self, request: Request) -> Response:
        return JSONResponse(openapi(self.endpoints()))

    # -- accounts ----------------------------------------------------------------------------------------------
    async def login(self, request: Request, _: Caller) -> Response:
        return await self.auth.login(request, await json_body(request))

    async def logout(self, request: Request, caller: Caller) -> Response:
        self.auth.record(caller, request)(action="logout")
        return await self.auth.logout(request, caller)

    async def me(self, request: Request, caller: Caller) -> Response:
        return JSONResponse(self.auth.me_json(caller.session, caller))

    # -- the show ----------------------------------------------------------------------------------------------
    def command(self, action: str) -> Any:
        async def run(request: Request, caller: Caller) -> Response:
            getattr(self.controls, action)()
            self.auth.record(caller, request)(action=f"show.{action}")
            log.info("console command", extra={"action": action, "who": caller.name})
            return JSONResponse({"ok": True, "status": self.controls.status()})

        return run

    async def say(self, request: Request, caller: Caller) -> Response:
        body = await json_body(request)
        text, language = body.get("text"), body.get("language") or None
        if not isinstance(text, str) or not text.strip():
            raise ConsoleError(400, "type what the host should say")
        if len(text) > MAX_SAY:
            raise ConsoleError(400, f"too long: at most {MAX_SAY} characters")
        if language is not None and (not isinstance(language, str) or len(language) > 16):
            raise ConsoleError(400, "bad language code")
        self.controls.say_now(text.strip(), language)
        self.auth.record(caller, request)(action="show.say", after={"text": text.strip(), "language": language})
        return JSONResponse({"ok": True, "status": self.controls.status()})

    async def status(self, request: Request, caller: Caller) -> Response:
        return JSONResponse(self.controls.status())

    # -- approval mode -----------------------------------------------------------------------------------------
    async def approval_mode(self, request: Request, caller: Caller) -> Response:
        on = (await json_body(request)).get("enabled")
        if not isinstance(on, bool):
            raise ConsoleError(400, "'enabled' must be true or false")
        before = self.controls.status().get("approval", {}).get("enabled")
        self.controls.set_approval(on)
        self.auth.record(caller, request)(action="approval.mode", before=before, after=on)
        return JSONResponse({"ok": True, "status": self.controls.status()})

    async def approvals(self, request: Request, caller: Caller) -> Response:
        return JSONResponse({"waiting": self.controls.approvals()})

    async def approve(self, request: Request, caller: Caller) -> Response:
        body = await json_body(request)
        text = body.get("text")
        if text is not None and not isinstance(text, str):
            raise ConsoleError(400, "'text' must be a string (the edited reply) or left out")
        rid = request.path_params["id"]
        waiting = {r["id"]: r for r in self.controls.approvals()}
        decided = self.controls.approve(rid, caller.name, text)
        edited = decided["text"] != waiting.get(rid, {}).get("text")
        self.auth.record(caller, request)(action="approval.edit" if edited else "approval.approve", target=rid,
                                          before=waiting.get(rid, {}).get("text"), after=decided["text"])
        return JSONResponse({"ok": True, "reply": decided})

    async def reject(self, request: Request, caller: Caller) -> Response:
        rid = request.path_params["id"]
        decided = self.controls.reject(rid, caller.name)
        self.auth.record(caller, request)(action="approval.reject", target=rid, before=decided["text"])
        return JSONResponse({"ok": True, "reply": decided})

    # -- editable files ----------------------------------------------------------------------------------------
    def _files(self, request: Request) -> tuple[PromptFiles, str]:
        if request.url.path.startswith("/api/settings-files"):
            if self.settings_files is None:
                raise ConsoleError(404, "no settings file to edit")
            return self.settings_files, "settings"
        return self.files, "prompt"

    async def list_files(self, request: Request, caller: Caller) -> Response:
        files, _ = self._files(request)
        return JSONResponse({"files": await asyncio.to_thread(files.listing)})

    async def read_file(self, request: Request, caller: Caller) -> Response:
        files, _ = self._files(request)
        return JSONResponse(await asyncio.to_thread(files.read, request.path_params["path"]))

    async def write_file(self, request: Request, caller: Caller) -> Response:
        files, kind = self._files(request)
        body = await json_body(request)
        content, base = body.get("content"), body.get("base_mtime")
        if not isinstance(content, str):
            raise ConsoleError(400, "'content' must be a string")
        if isinstance(base, str) and base.isdigit():
            base = int(base)
        if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
            raise ConsoleError(400, "'base_mtime' must be the mtime_ns you read")
        rel = request.path_params["path"]
        async with self.write_lock:
            before = await asyncio.to_thread(_content_or_none, files, rel)
            saved = await asyncio.to_thread(files.save, rel, content, base)
        if before != content:
            self.auth.record(caller, request)(action=f"{kind}.edit", target=rel, before=before, after=content)
        return JSONResponse(saved)

    async def history(self, request: Request, caller: Caller) -> Response:
        files, _ = self._files(request)
        versions = await asyncio.to_thread(files.versions, request.path_params["path"])
        return JSONResponse({"path": request.path_params["path"], "versions": versions})

    async def version(self, request: Request, caller: Caller) -> Response:
        files, _ = self._files(request)
        p = request.path_params
        content = await asyncio.to_thread(files.version_content, p["path"], p["version"])
        return JSONResponse({"path": p["path"], "version": p["version"], "content": content})

    async def rollback(self, request: Request, caller: Caller) -> Response:
        files, kind = self._files(request)
        version = (await json_body(request)).get("version")
        if not isinstance(version, str):
            raise ConsoleError(400, "'version' must be a string")
        rel = request.path_params["path"]
        async with self.write_lock:
            before = await asyncio.to_thread(_content_or_none, files, rel)
            saved = await asyncio.to_thread(files.rollback, rel, version)
        self.auth.record(caller, request)(action=f"{kind}.rollback", target=rel, before=before,
                                          after=saved.get("content"), detail=version)
        return JSONResponse(saved)

    # -- the on-air record and the audit trail -----------------------------------------------------------------
    def _record_filters(self, request: Request) -> dict[str, Any]:
        q = request.query_params
        return {"text": q.get("text") or None, "product": q.get("product") or None, "user": q.get("user") or None,
                "kind": q.get("kind") or None, "since": _num(request, "since"), "until": _num(request, "until")}

    async def search_record(self, request: Request, caller: Caller) -> Response:
        if self.record is None:
            return JSONResponse({"entries": []})
        limit, offset = int(_num(request, "limit", 100) or 0), int(_num(request, "offset", 0) or 0)
        if not 1 <= limit <= 1000 or offset < 0:
            raise ConsoleError(400, "'limit' must be 1..1000 and 'offset' at least 0")
        record, filters = self.record, self._record_filters(request)
        try:
            entries = await asyncio.to_thread(lambda: record.search(**filters, limit=limit, offset=offset))
        except ValueError as exc:
            raise ConsoleError(400, str(exc)) from None
        return JSONResponse({"entries": entries})

    async def export_record(self, request: Request, caller: Caller) -> Response:
        out = io.StringIO()
        if self.record is not None:
            record, filters = self.record, self._record_filters(request)
            try:
                await asyncio.to_thread(lambda: record.export_jsonl(out, **filters))
            except ValueError as exc:
                raise ConsoleError(400, str(exc)) from None
        return Response(out.getvalue(), media_type="application/x-ndjson; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="onair.jsonl"'})

    async def figures(self, request: Request, caller: Caller) -> Response:
        """The report's key figures so far, from the live record (only the rows added since the last read)."""
        live = self.live
        return JSONResponse({"figures": None if live is None else await asyncio.to_thread(live.read)})

    async def audit(self, request: Request, caller: Caller) -> Response:
        limit = int(_num(request, "limit", 100) or 0)
        if not 1 <= limit <= 1000:
            raise ConsoleError(400, "'limit' must be 1..1000")
        before = _num(request, "before_id")
        q = request.query_params
        entries = await asyncio.to_thread(lambda: self.auth.audit.list(
            limit=limit, before_id=None if before is None else int(before), who=q.get("who") or None,
            action=q.get("action") or None))
        return JSONResponse({"entries": entries})

    def endpoints(self) -> list[Endpoint]:
        """Every console action (see :mod:`connectors.web.api`)."""
        path = Param("path", where="path", description="a file relative to the editable folder")
        files: list[tuple[str, str, Need, Need]] = [("/api/prompts", "prompts", "control", "read"),
                                                    ("/api/settings-files", "settings", "admin", "admin")]
        record_q = tuple(Param(n, k) for n, k in (("text", "string"), ("product", "string"), ("user", "string"),
                                                  ("kind", "string"), ("since", "number"), ("until", "number")))
        eps = [
            Endpoint("POST", "/api/login", None, "Log in: sets the session cookie, returns the CSRF token",
                     self.login, "accounts", obj(name=STR, password=STR)),
            Endpoint("POST", "/api/logout", "read", "Log out", self.logout, "accounts"),
            Endpoint("GET", "/api/me", "read", "Who is logged in, the role and the CSRF token", self.me, "accounts"),
            *[Endpoint("POST", f"/api/show/{a}", "control", s, self.command(a)) for a, s in COMMANDS.items()],
            Endpoint("POST", "/api/show/say", "control", "Say a sentence right after the current one", self.say,
                     body=obj(text=STR, **{"language?": {"type": ["string", "null"]}})),
            Endpoint("GET", "/api/show/status", "read", "Status, what waits to be said, figures", self.status),
            Endpoint("POST", "/api/approvals/mode", "control", "Approval mode on or off", self.approval_mode,
                     "approvals", obj(enabled={"type": "boolean"})),
            Endpoint("GET", "/api/approvals", "read", "Replies waiting for approval", self.approvals, "approvals"),
            Endpoint("POST", "/api/approvals/{id}/approve", "control",
                     "Approve a reply, or edit it (the edit passes the output guards)", self.approve, "approvals",
                     obj(**{"text?": {"type": ["string", "null"]}})),
            Endpoint("POST", "/api/approvals/{id}/reject", "control", "Reject a reply: it is never said",
                     self.reject, "approvals"),
            Endpoint("GET", "/api/record", "read", "Search the on-air record", self.search_record, "record",
                     params=(*record_q, Param("limit", "integer"), Param("offset", "integer"))),
            Endpoint("GET", "/api/record/export", "read", "The on-air record as JSONL", self.export_record,
                     "record", params=record_q, produces="application/x-ndjson"),
            Endpoint("GET", "/api/figures", "read", "The show's figures so far: questions a minute, unanswered, "
                     "latency p50/p95, blocked", self.figures, "record"),
            Endpoint("GET", "/api/audit", "control", "The audit trail, newest first", self.audit, "audit",
                     params=(Param("limit", "integer"), Param("before_id", "integer"), Param("who"),
                             Param("action"))),
        ]
        for base, tag, need, read_need in files:
            eps += [
                Endpoint("GET", base, read_need, f"List the editable {tag} files", self.list_files, tag),
                Endpoint("GET", base + "/{path:path}/history/{version}", read_need, "An earlier version",
                         self.version, tag, params=(path,)),
                Endpoint("GET", base + "/{path:path}/history", read_need, "Earlier versions", self.history, tag,
                         params=(path,)),
                Endpoint("POST", base + "/{path:path}/rollback", need, "Restore an earlier version (checked)",
                         self.rollback, tag, obj(version=STR), (path,)),
                Endpoint("GET", base + "/{path:path}", read_need, "Read a file", self.read_file, tag,
                         params=(path,)),
                Endpoint("PUT", base + "/{path:path}", need, "Save a file: checked first, written atomically",
                         self.write_file, tag, obj(content=STR, **{"base_mtime?": {"type": ["string", "integer"]}}),
                         (path,)),
            ]
        return eps


def _content_or_none(files: PromptFiles, rel: str) -> str | None:
    try:
        return str(files.read(rel)["content"])
    except ConsoleError:
        return None


def console_routes(console: Console) -> list[BaseRoute]:
    """GET /console (the page), /console/ws (the live feed), /openapi.json and every API endpoint."""
    return [
        Route("/console", console.page, methods=["GET"]),
        Route("/console/static/{name}", console.asset, methods=["GET"]),
        WebSocketRoute("/console/ws", console.feed),
        Route("/openapi.json", console.openapi_doc, methods=["GET"]),
        *routes(console.auth, console.endpoints()),
    ]


def toml_validator(path: Path, content: str) -> None:
    """The least check for a TOML file with no stricter loader: it must parse."""
    try:
        tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
