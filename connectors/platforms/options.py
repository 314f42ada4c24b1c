"""The keys each platform connector reads from its ``[platforms.NAME]`` table, typed, with their defaults.

A key ending in ``_env`` names the environment variable that holds a secret; the secret itself never lives
in the settings file. A default that depends on other keys (``nav_url``, ``user_id``, ``room_id``,
``start_tasks``) is written as empty or None here and worked out by the connector.
This module imports nothing heavy, so that ``livehost config check`` can validate every table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from agent.settings import PlatformSettings
from connectors.platforms.douyin_events import MSG_TYPES
from connectors.platforms.tables import ConnectorOptions, plain, validate_table

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"
DEFAULT_TIKTOK_WEBCAST_URL = "https://webcast.tiktok.com/webcast"
EVENTSUB_TYPES = ("channel.chat.message", "channel.chat.notification", "channel.cheer", "channel.follow")


def _split(value: Any) -> Any:
    """A list may also be written as one comma-separated string: ``"a, b"``."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


Names = Annotated[tuple[str, ...], BeforeValidator(_split)]
Port = Annotated[int, Field(ge=0, le=65535)]  # 0: a free port


def env_secret(env_name: str) -> str:
    """The secret held by the environment variable ``env_name`` ("" when unset or when no name is given)."""
    return os.environ.get(env_name, "") if env_name else ""


class PlatformOptions(ConnectorOptions):
    """Keys every ``[platforms.NAME]`` table has (they are :class:`agent.settings.PlatformSettings`'s)."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # room = 123456 reads as "123456"
    table: ClassVar[str] = ""  # the registry name whose table this is, for messages

    enabled: bool = False
    room: str = ""
    endpoint: str = ""

    @classmethod
    def of(cls, settings: PlatformSettings | Mapping[str, Any] | Self, table: str | None = None) -> Self:
        """Validate a platform table (``PlatformSettings`` with its extra keys, or a plain mapping).

        Raises :class:`ConfigError` naming ``[platforms.TABLE]`` and each unknown or ill-typed key."""
        if isinstance(settings, cls):
            return settings
        data = settings.model_dump() if isinstance(settings, PlatformSettings | ConnectorOptions) else settings
        return validate_table(cls, plain(data), f"platforms.{table or cls.table}")


class SourceOptions(PlatformOptions):
    """Keys every streaming connector shares: reconnect backoff, de-duplication, the event queue, timeouts."""

    dedupe_size: int = 4096  # message ids remembered to drop re-deliveries
    queue_size: int = 1000  # events waiting for the show (0: unbounded)
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    backoff_factor: float = 2.0
    backoff_jitter: float = 0.5
    max_failures: int = 0  # consecutive failed connections before giving up; 0: never
    # HTTP requests the connector makes (API calls, a WebSocket's opening handshake); ingress-only connectors
    # (the browser bridge) accept it and make none.
    http_timeout_s: float = 10.0
    # Closing a connection (the WebSocket close handshake, an ingress server's graceful stop); YouTube polls
    # over HTTP and accepts it without using it.
    close_timeout_s: float = 2.0


class ReplayOptions(PlatformOptions):
    """``[platforms.replay]``: a JSONL chat log (``log``, or ``endpoint``) replayed on the show's clock."""

    table = "replay"
    log: str = ""  # empty: endpoint, else demo/chat.jsonl
    speed: float = Field(1.0, gt=0)  # 2.0 plays it twice as fast
    loop: bool = False


class BilibiliOptions(SourceOptions):
    """``[platforms.bilibili]``: the web danmaku WebSocket. ``room`` is the room number in the URL."""

    table = "bilibili"
    nav_url: str = ""  # empty: the main site's nav API, or ENDPOINT/x/web-interface/nav for a custom endpoint
    wbi: bool = True  # sign getDanmuInfo with the WBI keys from nav_url
    room_init_path: str = "/room/v1/Room/room_init"
    danmu_info_path: str = "/xlive/web-room/v1/index/getDanmuInfo"
    ws_url: str = ""  # pins one WebSocket URL instead of getDanmuInfo's host list
    ws_scheme: Literal["ws", "wss"] = "wss"
    fallback_hosts: Names = ("broadcastlv.chat.bilibili.com",)
    heartbeat_s: float = 30.0
    idle_timeout_s: float = 70.0
    auth_timeout_s: float = 5.0
    refresh_after_failures: int = 3  # failed connections before room info is fetched again
    uid: int = 0
    user_agent: str = BROWSER_UA
    cookie_env: str = "LIVEHOST_BILIBILI_COOKIE"


class BilibiliOpenOptions(SourceOptions):
    """``[platforms.bilibili_open]``: the open platform. ``code`` is the streamer's identity code (a secret)."""

    table = "bilibili_open"
    code: str = ""
    app_id: int = 0
    key_id_env: str = "LIVEHOST_BILIBILI_OPEN_KEY_ID"
    key_secret_env: str = "LIVEHOST_BILIBILI_OPEN_KEY_SECRET"
    app_heartbeat_s: float = 20.0
    heartbeat_s: float = 20.0
    idle_timeout_s: float = 70.0
    auth_timeout_s: float = 5.0


class TwitchIrcOptions(SourceOptions):
    """``[platforms.twitch]``: chat over IRC. ``room`` is the channel login (comma-separated for several)."""

    table = "twitch"
    nick: str = ""  # only with a token; anonymous read-only without
    token_env: str = "LIVEHOST_TWITCH_TOKEN"
    ping_s: float = 60.0
    idle_timeout_s: float = 150.0
    auth_timeout_s: float = 10.0
    join_limit: int = 20  # JOINs per join_window_s
    join_window_s: float = 10.0


class TwitchEventSubOptions(SourceOptions):
    """``[platforms.twitch_eventsub]``. ``room`` is the broadcaster's user id."""

    table = "twitch_eventsub"
    helix_url: str = "https://api.twitch.tv/helix/eventsub/subscriptions"
    user_id: str = ""  # the token's user; empty: room
    subscriptions: Names = EVENTSUB_TYPES
    subscribe_deadline_s: float = 8.0
    welcome_timeout_s: float = 10.0
    keepalive_grace_s: float = 5.0
    rate_limit_wait_s: float = 1.0
    token_env: str = "LIVEHOST_TWITCH_TOKEN"
    client_id: str = ""  # or the variable named by client_id_env
    client_id_env: str = "LIVEHOST_TWITCH_CLIENT_ID"

    @field_validator("subscriptions")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in v if t not in EVENTSUB_TYPES]
        if unknown:
            raise ValueError(f"unknown subscription type(s) {unknown}; known: {list(EVENTSUB_TYPES)}")
        return v


class DouyinOptions(SourceOptions):
    """``[platforms.douyin]``: the official push. Douyin POSTs to ``host``:``port````path``; ``endpoint`` is
    the task API base."""

    table = "douyin"
    host: str = "127.0.0.1"
    port: Port = 8790
    path: str = "/douyin/push"
    app_id: str = ""
    msg_types: Names = MSG_TYPES
    max_body_bytes: int = 4 * 1024 * 1024
    verify_signature: bool = True  # false: tests only
    secret_env: str = "LIVEHOST_DOUYIN_SECRET"
    access_token_env: str = "LIVEHOST_DOUYIN_ACCESS_TOKEN"
    start_tasks: bool | None = None  # None: when app_id and the access token are set
    close_timeout_s: float = 1.0  # graceful stop of the push ingress

    @field_validator("msg_types")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in v if t not in MSG_TYPES]
        if unknown:
            raise ValueError(f"unknown message type(s) {unknown}; known: {list(MSG_TYPES)}")
        return v


class YouTubeOptions(SourceOptions):
    """``[platforms.youtube]``: ``room`` is the video id (or set ``live_chat_id``)."""

    table = "youtube"
    live_chat_id: str = ""
    api_key_env: str = "LIVEHOST_YOUTUBE_API_KEY"
    oauth_token_env: str = "LIVEHOST_YOUTUBE_TOKEN"
    max_results: int = 2000
    skip_backlog: bool = True
    min_interval_s: float = 1.0
    daily_quota: int = 10_000
    poll_cost: int = 5
    show_hours: float = 6.0  # the daily quota is spread over these hours


class TikTokOptions(SourceOptions):
    """``[platforms.tiktok]``: ``room`` is ``@creator`` or a numeric room id; ``endpoint`` the sign service."""

    table = "tiktok"
    app_url: str = ""  # the live-page host; empty: the endpoint's host, then https://www.tiktok.com
    webcast_url: str = DEFAULT_TIKTOK_WEBCAST_URL
    room_id: str = ""  # empty: room when it is numeric, else read from the live page
    history_on_connect: bool = False
    idle_timeout_s: float = 60.0
    open_timeout_s: float = 10.0  # HTTP requests and the WebSocket opening
    sign_api_key_env: str = "LIVEHOST_TIKTOK_SIGN_API_KEY"
    session_id_env: str = "LIVEHOST_TIKTOK_SESSION_ID"


class BridgeOptions(SourceOptions):
    """``[platforms.taobao]``, ``kuaishou``, ``jd``, ``bridge``: the browser bridge ingress."""

    table = "bridge"
    platform: str = "bridge"  # the platform name events get by default (the registry sets the table's name)
    host: str = "127.0.0.1"
    port: Port = 8791
    platforms: Names = ()  # accepted platform names; empty: any
    max_message_bytes: int = 1_000_000
    token_env: str = "LIVEHOST_BRIDGE_TOKEN"
    close_timeout_s: float = 1.0  # graceful stop of the ingress
