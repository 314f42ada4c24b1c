"""TikTok LIVE through the TikTokLive library (6.6.5, MIT): sign server -> webcast WebSocket -> events.

TikTok's webcast URLs must be signed by a third-party sign service (``endpoint``, default Euler Stream's),
which answers with the first ``ProtoMessageFetchResult``: the push server URL, its route parameters, the
cursor and cookies. TikTokLive then opens the WebSocket, enters the room, acks and sends heartbeats; this
module adds what the library leaves out: reconnect with backoff (signed URLs expire, so each attempt signs
again), de-duplication on message id across reconnects, a watchdog for a silent connection, and frames
that do not parse are logged and skipped instead of ending the connection.

``room`` is the creator's ``@unique_id`` (its room id is read from ``app_url``) or a numeric room id.
The sign service's API key and an optional logged-in session id come only from the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import warnings
import weakref
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from agent.errors import FatalError, RetryableError
from agent.ports import Clock
from agent.settings import PlatformSettings
from connectors.platforms.options import DEFAULT_TIKTOK_WEBCAST_URL, TikTokOptions, env_secret
from connectors.platforms.reconnect import Session, reconnect_forever
from connectors.platforms.source import PumpSource
from connectors.platforms.tiktok_events import Control, decode, read_push_frame

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # TikTokLive imports websockets.legacy
    from TikTokLive.client.errors import (  # type: ignore[import-untyped]
        AgeRestrictedError,
        SignatureRateLimitError,
        TikTokLiveError,
        UserNotFoundError,
        UserOfflineError,
    )
    from TikTokLive.client.logger import LogLevel, TikTokLiveLogHandler  # type: ignore[import-untyped]
    from TikTokLive.client.web.routes.fetch_signed_websocket import (  # type: ignore[import-untyped]
        WebcastPlatform,
    )
    from TikTokLive.client.web.web_client import TikTokWebClient  # type: ignore[import-untyped]
    from TikTokLive.client.web.web_settings import WebDefaults  # type: ignore[import-untyped]
    from TikTokLive.client.ws.ws_client import WebcastWSClient  # type: ignore[import-untyped]
    from TikTokLive.client.ws.ws_connect import WebcastConnect  # type: ignore[import-untyped]
    from TikTokLive.client.ws.ws_utils import extract_websocket_options  # type: ignore[import-untyped]

log = logging.getLogger(__name__)
DEFAULT_SIGN_URL = "https://tiktok.eulerstream.com"
DEFAULT_APP_URL = "https://www.tiktok.com"
DEFAULT_WEBCAST_URL = DEFAULT_TIKTOK_WEBCAST_URL
RETRYABLE_HTTP = (httpx.HTTPError, OSError)
MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, OSError, zlib.error)


class TolerantConnect(WebcastConnect):  # type: ignore[misc]
    """TikTokLive's connection iterator, except that frames are read by :func:`read_push_frame` (lean and
    ~50x faster than the library's generated classes) and a frame that does not parse is skipped, not fatal.

    The library ends the whole connection on one bad frame; a live show should lose that frame only.
    ``on_frame`` is told of every frame received (for the watchdog), ``on_malformed`` of every skipped one.
    """

    on_frame: Any = None
    on_malformed: Any = None

    async def __aiter__(self) -> AsyncIterator[tuple[Any, Any]]:
        try:
            async with self as protocol:
                self._ws = protocol
                self._ws_options = extract_websocket_options(protocol.response_headers)
                yield None, self._initial_response
                async for raw in protocol:
                    if self.on_frame is not None:
                        self.on_frame()
                    try:
                        if not isinstance(raw, bytes):
                            raise TypeError("text frame")
                        frame, response = read_push_frame(raw)
                    except MALFORMED as exc:
                        if self.on_malformed is not None:
                            self.on_malformed(exc, raw)
                        continue
                    if response is not None:  # heartbeat answers and acks carry no events
                        yield frame, response
        finally:
            self._ws = None
            self._ws_options = None


@contextlib.contextmanager
def _endpoints(sign_url: str, app_url: str, webcast_url: str) -> Iterator[None]:
    """Point TikTokLive's module-wide ``WebDefaults`` at our endpoints for one call, then restore them.

    The library reads these globals inside its routes; callers hold :func:`_endpoints_lock` (one per event
    loop) so two connectors with different endpoints never see each other's values.
    """
    saved = (WebDefaults.tiktok_sign_url, WebDefaults.tiktok_app_url, WebDefaults.tiktok_webcast_url)
    WebDefaults.tiktok_sign_url, WebDefaults.tiktok_app_url, WebDefaults.tiktok_webcast_url = (
        sign_url, app_url, webcast_url)
    try:
        yield
    finally:
        WebDefaults.tiktok_sign_url, WebDefaults.tiktok_app_url, WebDefaults.tiktok_webcast_url = saved


class TikTokSource(PumpSource):
    options: TikTokOptions

    def __init__(self, settings: PlatformSettings | TikTokOptions, clock: Clock, *,
                 rng: random.Random | None = None) -> None:
        opts = TikTokOptions.of(settings)
        super().__init__("tiktok", opts, clock, rng=rng)
        given = opts.room.strip()
        room = given.removeprefix("@")
        if not room:
            raise FatalError("platforms.tiktok.room: the creator's @unique_id (or a numeric room id) is required")
        self.room = room
        self.sign_url = (opts.endpoint or DEFAULT_SIGN_URL).rstrip("/")
        app_url = opts.app_url.rstrip("/")
        # Where to read a creator's room id: the configured page host; else, when a custom endpoint is set
        # (a self-hosted or local sign service), that host first, then tiktok.com.
        self.app_urls = ([app_url] if app_url else
                         [u for u in (opts.endpoint.rstrip("/"), DEFAULT_APP_URL) if u])
        self.webcast_url = opts.webcast_url.rstrip("/")
        self.room_id = opts.room_id or (given if given.isdigit() else "")
        self.history = opts.history_on_connect
        self.idle_timeout_s = opts.idle_timeout_s
        self.open_timeout_s = opts.open_timeout_s
        self.close_timeout_s = opts.close_timeout_s
        self._api_key = env_secret(opts.sign_api_key_env)
        self._session_id = env_secret(opts.session_id_env)
        # The library warns with the first characters of a session id; secrets are never logged here.
        TikTokLiveLogHandler.get_logger(level=LogLevel.ERROR)
        self._connect_cls = self._connect_class()
        self._last_rx = 0.0
        self.malformed = 0
        self.connections = 0
        self.ended = False

    async def _run(self) -> None:
        await reconnect_forever(self._session, name=self.name, clock=self.clock, backoff=self.backoff,
                                rng=self.rng, watch=self.link)

    def _web_client(self) -> Any:
        signer = {"sign_api_base": self.sign_url, "sign_api_key": self._api_key or None}
        web = TikTokWebClient(signer_kwargs=signer, httpx_kwargs={"timeout": self.open_timeout_s})
        if self._session_id:
            web.set_session(self._session_id, web.cookies.get("tt-target-idc"))
        return web

    async def _sign(self, web: Any) -> tuple[int, Any]:
        """The room id and the sign server's first fetch result; TikTokLive errors become ours."""
        async with _endpoints_lock():
            with _endpoints(self.sign_url, self.app_urls[0], self.webcast_url):
                try:
                    room_id = int(self.room_id or await self._lookup_room_id(web))
                    self.room_id = str(room_id)  # reconnects skip the page
                    web.params["room_id"] = str(room_id)
                    first = await web.fetch_signed_websocket(WebcastPlatform.WEB, room_id=room_id)
                except SignatureRateLimitError as exc:
                    wait = _retry_after(exc)
                    log.warning("sign server rate limit; waiting", extra={"platform": self.name, "wait_s": wait})
                    await self.clock.sleep(wait)
                    raise RetryableError("tiktok: sign server rate limit") from exc
                except (UserNotFoundError, AgeRestrictedError) as exc:
                    raise FatalError(f"tiktok: cannot watch @{self.room}: {exc}") from exc
                except TikTokLiveError as exc:  # offline, blocked, sign errors: try again later
                    raise RetryableError(f"tiktok: {type(exc).__name__}") from exc
        return room_id, first

    async def _lookup_room_id(self, web: Any) -> str:
        """The creator's current room id, from the live page (TikTokLive's parser) on each page host."""
        error: BaseException | None = None
        for url in self.app_urls:
            WebDefaults.tiktok_app_url = url
            try:
                return str(await web.fetch_room_id_from_html(self.room))
            except (UserNotFoundError, UserOfflineError):
                raise
            except (TikTokLiveError, *RETRYABLE_HTTP) as exc:
                error = exc
                log.info("no room id from this page host", extra={"platform": self.name, "host": url,
                                                                   "reason": type(exc).__name__})
        assert error is not None
        raise error

    async def _session(self, session: Session) -> bool:
        web = self._web_client()
        ws = WebcastWSClient(ws_kwargs={"open_timeout": self.open_timeout_s, "close_timeout": self.close_timeout_s,
                                        "max_size": 2**22})
        watchdog: asyncio.Task[None] | None = None
        try:
            room_id, first = await self._sign(web)
            # One attribute of the library's client picks the connection class: ours skips bad frames.
            ws._connect_generator_class = self._connect_cls
            self._last_rx = self.clock.now()
            watchdog = asyncio.create_task(self._watchdog(ws))
            stream = ws.connect(room_id=room_id, cookies=web.cookies, user_agent=web.headers["User-Agent"],
                                initial_webcast_response=first, process_connect_events=True,
                                compress_ws_events=True)
            try:
                async for response in stream:
                    if response is first:  # yielded once the WebSocket is open
                        session.healthy()
                        self.connections += 1
                        log.info("tiktok connected", extra={"platform": self.name, "room_id": room_id})
                        if session.number == 0 and not self.history:
                            # the recent comments shown on entering were not asked of this host: remember
                            # their ids, so a reconnect's catch-up does not deliver them either
                            await self._handle(response, emit=False)
                            continue
                    if await self._handle(response):
                        self.ended = True
                        return False
            except TikTokLiveError as exc:  # e.g. the push server refused the signed URL
                raise RetryableError(f"tiktok: {type(exc).__name__}") from exc
            return True
        finally:
            if watchdog is not None:
                watchdog.cancel()
                await asyncio.gather(watchdog, return_exceptions=True)
            await self._close(web, ws)

    @staticmethod
    async def _close(web: Any, ws: Any) -> None:
        """Close what TikTokLive leaves open: the socket, its ping task, and both HTTP clients."""
        with contextlib.suppress(Exception):
            await ws.disconnect()
        ping = getattr(ws, "_ping_loop", None)
        if ping is not None:
            ping.cancel()
            await asyncio.gather(ping, return_exceptions=True)
        await web.httpx_client.aclose()
        await web.signer.client.aclose()

    def _connect_class(self) -> type:
        source = self

        class Connect(TolerantConnect):
            def on_frame(self) -> None:
                source._last_rx = source.clock.now()

            def on_malformed(self, exc: BaseException, raw: Any) -> None:
                source.malformed += 1
                log.warning("malformed frame; skipped", extra={"platform": source.name, "reason": type(exc).__name__,
                                                                 "bytes": len(raw) if raw is not None else 0})

        return Connect

    async def _handle(self, response: Any, *, emit: bool = True) -> bool:
        """Queue the events of one fetch result (or only remember their ids); True when the stream ended."""
        now = self.clock.now()
        for message in response.messages:
            try:
                decoded = decode(message.method, bytes(message.payload), self.room, now)
            except MALFORMED as exc:
                self.malformed += 1
                log.warning("malformed message; skipped",
                            extra={"platform": self.name, "method": message.method, "reason": type(exc).__name__})
                continue
            if decoded is Control.ENDED:
                log.info("tiktok live ended", extra={"platform": self.name, "room": self.room})
                return True
            if decoded is None:
                continue
            if emit:
                await self._emit(decoded)
            else:
                self._fresh(decoded)
        return False

    async def _watchdog(self, ws: Any) -> None:
        """Close a connection that has gone silent (heartbeats are answered, so silence means trouble)."""
        while True:
            left = self._last_rx + self.idle_timeout_s - self.clock.now()
            if left <= 0:
                log.warning("no frame within the idle timeout; reconnecting", extra={"platform": self.name})
                await ws.disconnect()
                return
            await self.clock.sleep(left)


# TikTokLive keeps its endpoints in module globals: one lock per event loop makes setting and using them one
# step. (An asyncio.Lock belongs to one loop; tests and `listen` each run their own.)
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _endpoints_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _LOCKS.get(loop)
    if lock is None:
        lock = _LOCKS[loop] = asyncio.Lock()
    return lock


def _retry_after(exc: Any) -> float:
    try:
        return float(max(0, int(exc.retry_after)))
    except (TypeError, ValueError, AttributeError):
        return 0.0

