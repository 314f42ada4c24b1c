"""A renderer whose server accepts the WebSocket and then never answers times out on the show's clock: on a
VirtualClock the wait ends when virtual time passes the timeout, with no real second spent. Unknown keys in a
renderer table are configuration errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.typing import Subprotocol

from agent.clock import VirtualClock
from agent.errors import ConfigError
from agent.settings import Settings
from connectors.renderers.obs import ObsRenderer
from connectors.renderers.options import ObsConfig, VtsConfig
from connectors.renderers.registry import create_renderer
from connectors.renderers.vtube_studio import VtubeStudioRenderer
from tests.renderers.polling import until

TIMEOUT_S = 30.0  # virtual seconds; a real timer this long would outlast every wait below


class CountingClock(VirtualClock):
    """Virtual time that counts the sleeps started on it (each timeout's alarm is one)."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeps = 0

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        await super().sleep(seconds)


class SilentServer:
    """Accepts WebSocket connections (with the subprotocol the client asks for) and never sends a byte."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0
        self._server: Server | None = None

    async def _handle(self, ws: ServerConnection) -> None:
        self.opened += 1
        try:
            await ws.wait_closed()
        finally:
            self.closed += 1

    async def start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", 0, select_subprotocol=self._any)

    @staticmethod
    def _any(ws: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        return offered[0] if offered else None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"ws://127.0.0.1:{next(iter(self._server.sockets)).getsockname()[1]}"

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def silent() -> AsyncIterator[SilentServer]:
    server = SilentServer()
    await server.start()
    try:
        yield server
    finally:
        await server.aclose()


def timed_out(caplog: pytest.LogCaptureFixture, renderer: str) -> bool:
    return any(r.getMessage() == "renderer connection failed" and getattr(r, "renderer", "") == renderer
               and getattr(r, "error", "") == "TimeoutError" for r in caplog.records)


async def test_obs_that_never_says_hello_times_out_on_virtual_time(
    silent: SilentServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    clock = CountingClock()
    r = ObsRenderer(ObsConfig(url=silent.url, request_timeout_s=TIMEOUT_S), clock)
    await r.start()
    try:
        # sleep 1: the opening's alarm; sleep 2: the alarm on the wait for OBS's Hello
        await until(lambda: silent.opened == 1 and clock.sleeps == 2 and clock.pending == 1)
        clock.advance(TIMEOUT_S - 0.01)
        assert clock.pending == 1 and not timed_out(caplog, "obs")
        clock.advance(0.01)
        await until(lambda: timed_out(caplog, "obs") and silent.closed == 1)
        assert r.sessions == 0 and r.failed is None  # retried after the backoff, on the same clock
        await until(lambda: clock.sleeps == 3 and clock.pending == 1)
    finally:
        await r.aclose()
    assert clock.now() == pytest.approx(TIMEOUT_S)


async def test_vtube_studio_that_never_answers_times_out_on_virtual_time(
    silent: SilentServer, caplog: pytest.LogCaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setenv("TEST_VTS_TOKEN", "stored-token")  # so that the first request is a bounded one
    clock = CountingClock()
    cfg = VtsConfig(url=silent.url, token_env="TEST_VTS_TOKEN", token_file=str(tmp_path / "vts.token"),
                    request_timeout_s=TIMEOUT_S)
    r = VtubeStudioRenderer(cfg, clock)
    await r.start()
    try:
        # sleep 1: the opening's alarm; sleep 2: the alarm on the AuthenticationRequest's answer
        await until(lambda: silent.opened == 1 and clock.sleeps == 2 and clock.pending == 1)
        clock.advance(TIMEOUT_S)
        await until(lambda: timed_out(caplog, "vtube_studio") and silent.closed == 1)
        assert r.sessions == 0 and r.failed is None
    finally:
        await r.aclose()


def test_unknown_renderer_key_is_a_config_error_naming_table_and_key(tmp_path: Path) -> None:
    settings = Settings.model_validate({"root": str(tmp_path)})
    with pytest.raises(ConfigError, match=r"\[renderers\.vtube_studio\] unknown key 'expresions'.*'expressions'"):
        create_renderer("vtube_studio", {"expresions": {"reply": "Smile"}}, settings=settings, clock=VirtualClock())
    with pytest.raises(ConfigError, match=r"\[renderers\.livetalking\] key 'mode'"):
        create_renderer("livetalking", {"mode": "sing"}, settings=settings, clock=VirtualClock())
