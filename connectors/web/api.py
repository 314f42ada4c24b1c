"""The console's JSON API as one table: each endpoint's method, path, role, body and summary.

The same table builds the Starlette routes (each wrapped in the access check its role needs) and the OpenAPI
document served at ``/openapi.json``, so what is documented is exactly what is served and checked.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agent.approval import ApprovalError
from connectors.web.accounts import Role
from connectors.web.auth import Auth, Caller, Need
from connectors.web.prompt_files import ConsoleError

log = logging.getLogger(__name__)

Handler = Callable[[Request, Caller], Awaitable[Response]]
ERRORS = {"400": "bad input", "401": "no session or API key", "403": "wrong role, another site, or no CSRF token",
          "404": "not found", "409": "changed by someone else", "422": "refused by a check", "429": "too many",
          "507": "not saved: the disk is full (the file is unchanged)"}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str = "string"  # JSON schema type
    where: str = "query"
    description: str = ""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """``need`` None: no login needed (the login itself). ``body``: the JSON schema of the request body."""

    method: str
    path: str
    need: Need | None
    summary: str
    handler: Handler
    tag: str = "show"
    body: dict[str, Any] | None = None
    params: tuple[Param, ...] = ()
    produces: str = "application/json"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return self.method not in ("GET", "HEAD")


def obj(**props: Any) -> dict[str, Any]:
    """A JSON-schema object; a property named with a trailing ``?`` is optional."""
    required = [k for k in props if not k.endswith("?")]
    return {"type": "object", "properties": {k.rstrip("?"): v for k, v in props.items()},
            "required": required, "additionalProperties": False}


def routes(auth: Auth, endpoints: Sequence[Endpoint]) -> list[BaseRoute]:
    """One route per (path, method); refusals and check failures become JSON errors with their status."""
    out: list[BaseRoute] = []
    for ep in endpoints:
        out.append(Route(ep.path, _wrap(auth, ep), methods=[ep.method]))
    return out


def _wrap(auth: Auth, ep: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            if ep.need is None:
                return await ep.handler(request, Caller("", Role.VIEWER, "key"))
            caller = auth.require(request, ep.need)
            return await ep.handler(request, caller)
        except ConsoleError as exc:
            return exc.response()
        except ApprovalError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)

    return run


def _openapi_path(path: str) -> str:
    return path.replace(":path}", "}")


def openapi(endpoints: Sequence[Endpoint], *, title: str = "livehost console API",
            version: str = "1") -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``endpoints``."""
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        params = [{"name": p.name, "in": p.where, "required": p.where == "path", "description": p.description,
                   "schema": {"type": p.kind}} for p in ep.params]
        for name in _path_names(ep.path):
            if not any(p["name"] == name for p in params):
                params.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
        op: dict[str, Any] = {
            "summary": ep.summary,
            "operationId": f"{ep.method.lower()}_{_op_name(ep.path)}",
            "tags": [ep.tag],
            "x-role": ep.need or "none",
            "responses": {"200": {"description": "ok", "content": {ep.produces: {"schema": {}}}},
                          **{code: {"description": text, "content": {"application/json": {"schema": {
                              "$ref": "#/components/schemas/Error"}}}} for code, text in ERRORS.items()}},
        }
        if params:
            op["parameters"] = params
        if ep.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ep.body}}}
        if ep.need is None:
            op["security"] = []
        elif ep.changes:
            op["security"] = [{"session": [], "csrf": []}, {"apiKey": []}]
        op.update(ep.extra)
        paths.setdefault(_openapi_path(ep.path), {})[ep.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Log in with POST /api/login (a session cookie plus a CSRF token to send as "
                                "X-CSRF-Token on every change), or send an account's API key as a bearer token."},
        "paths": paths,
        "security": [{"session": []}, {"apiKey": []}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "livehost_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "apiKey": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {"Error": obj(error={"type": "string"})},
        },
    }


def _path_names(path: str) -> list[str]:
    out = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            out.append(part[1:-1].split(":")[0])
    return out


def _op_name(path: str) -> str:
    parts = [p.strip("{}").split(":")[0] for p in path.strip("/").split("/")]
    return "_".join(p for p in parts if p and p != "api")
