"""The local web server: a Starlette app built from route lists, run by uvicorn inside the show's loop.

Routes are plain lists so the overlay, the console and anything later can be composed into one app on one
port. The server binds its own socket first, so port 0 works and the real URL is known before serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from agent.errors import ConfigError
from agent.health import Health
from agent.metrics import Metrics
from connectors.web.hub import Broadcaster

log = logging.getLogger(__name__)

STATIC_DIR = resources.files("connectors.web") / "static"


def _static_path() -> str:
    return str(STATIC_DIR)


def static_page(name: str) -> Response:
    """A page from ``static/``, never cached, so a restarted show is picked up by OBS at once."""
    body = (STATIC_DIR / name).read_bytes()
    return Response(body, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


async def _overlay_page(_: Request) -> Response:
    return static_page("overlay.html")


async def _healthz(_: Request) -> Response:
    return JSONResponse({"ok": True})


def overlay_routes(hub: Broadcaster) -> list[BaseRoute]:
    """GET /overlay, GET /healthz, WebSocket /ws and /static/* for the overlay page."""
    return [
        Route("/overlay", _overlay_page, methods=["GET"]),
        Route("/healthz", _healthz, methods=["GET"]),
        WebSocketRoute("/ws", hub.serve),
        Mount("/static", app=StaticFiles(directory=_static_path()), name="static"),
    ]


def ops_routes(metrics: Metrics, health: Health) -> list[BaseRoute]:
    """GET /metrics (Prometheus text format, this show's registry) and GET /healthz (each dependency; 200 while
    the show can go on, 503 when a critical one is down). Read-only and public like the overlay: no chat text.
    Put them before :func:`overlay_routes`, whose /healthz only says the server is up."""

    async def prometheus(_: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    async def healthz(_: Request) -> Response:
        report = await health.report()
        return JSONResponse(report, status_code=200 if report["ok"] else 503, headers={"Cache-Control": "no-store"})

    return [Route("/metrics", prometheus, methods=["GET"]), Route("/healthz", healthz, methods=["GET"])]


def build_app(*route_lists: Sequence[BaseRoute]) -> Starlette:
    """One Starlette app from several route lists (first match wins, so earlier lists take precedence)."""
    routes: list[BaseRoute] = [r for rs in route_lists for r in rs]
    return Starlette(routes=routes)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the host program owns Ctrl-C, not the web server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """Runs an ASGI app on host:port as a task of the current loop; ``url`` is the bound address."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._sock: socket.socket | None = None
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._bound_port = 0

    @property
    def port(self) -> int:
        """The port actually bound (meaningful after :meth:`start`, also when configured as 0)."""
        if not self._bound_port:
            raise RuntimeError("server not started")
        return self._bound_port

    @property
    def url(self) -> str:
        """Base HTTP URL, e.g. ``http://127.0.0.1:8780``."""
        host = self._host if self._host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")

    async def start(self) -> None:
        """Bind, then serve in the background; returns once uvicorn accepts connections."""
        if self._task is not None:
            return
        self._sock = self._bind()
        self._bound_port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(
            self._app,
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="websockets-sansio",
            timeout_graceful_shutdown=2,
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]), name="web-server")
        try:
            while not self._server.started:
                if self._task.done():
                    err = self._task.exception()
                    self._task = None
                    self._close_sock()
                    raise ConfigError(f"web server on {self._host}:{self._port} failed to start: {err}")
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            await self.aclose()
            raise
        log.info("web server listening", extra={"url": self.url})

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            raise ConfigError(f"overlay: cannot listen on {self._host}:{self._port}: {exc}") from exc
        return sock

    def _close_sock(self) -> None:
        if self._sock is not None:
            self._sock.close()

    async def aclose(self) -> None:
        """Close every connection, wait for the server task; idempotent."""
        task, server = self._task, self._server
        self._task = None
        if task is None or server is None:
            return
        server.should_exit = True
        try:
            await task
        except (asyncio.CancelledError, SystemExit):
            pass
        finally:
            self._close_sock()
            log.info("web server stopped", extra={"port": self._port})
