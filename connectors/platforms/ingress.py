"""Serve a small ASGI app (a push endpoint, the browser bridge) inside the running event loop.

The connector owns the server's lifetime, so it is started and stopped with the source, never as a
separate process; signal handling stays with the application, not with the embedded server.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from starlette.types import ASGIApp


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # Ctrl-C belongs to the application that embeds us


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; ``port`` 0 picks a free one (read it back with ``getsockname``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def serve_app(app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *,
                    close_timeout_s: float = 1.0) -> AsyncIterator[int]:
    """Run ``app`` with uvicorn while the context is open; yields the bound port. On leaving, open
    connections get ``close_timeout_s`` (whole seconds, at least one) to finish."""
    sock = bind(host, port)
    bound = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", ws="websockets-sansio",
                            timeout_graceful_shutdown=max(1, math.ceil(close_timeout_s)), timeout_keep_alive=5)
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"ingress:{bound}")
    try:
        while not server.started:
            if task.done():
                await task  # surfaces the start-up error
                raise OSError(f"ingress on port {bound} stopped during start-up")
            await asyncio.sleep(0.005)
        yield bound
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
