"""Bilibili open-platform HTTP API: signed start / heartbeat / end of an "app session" (a game).

Every call is signed with HMAC-SHA256 over the ``x-bili-*`` headers, so signing lives next to the calls
and nowhere else. The platform's error codes decide what a caller may retry: a bad key or identity code
never gets better, a cooldown does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from agent.errors import FatalError, ProtocolError

log = logging.getLogger(__name__)

# The headers the platform signs, in the order it sorts them (by name). Only these: a header outside the
# list (Accept, Content-Type) is sent but not signed, as the platform's own demos do.
SIGNED_HEADERS = (
    "x-bili-accesskeyid",
    "x-bili-content-md5",
    "x-bili-signature-method",
    "x-bili-signature-nonce",
    "x-bili-signature-version",
    "x-bili-timestamp",
)
# Codes that go away by waiting: 7001 "request cooling down", 5xxx server-side trouble.
RETRY_CODES = frozenset({7001, 5000, 5001, 5002})
# The game is gone (heartbeat expired or ended elsewhere): start a new one.
GAME_GONE_CODES = frozenset({7003, 7004})


def string_to_sign(headers: Mapping[str, str]) -> str:
    """``name:value`` of the signed headers, sorted by name, joined by newlines."""
    return "\n".join(f"{k}:{headers[k]}" for k in sorted(SIGNED_HEADERS))


def sign_headers(body: bytes, key_id: str, key_secret: str, *, timestamp: int, nonce: str) -> dict[str, str]:
    """The headers for one call carrying ``body`` (exactly these bytes must be sent)."""
    headers = {
        "x-bili-accesskeyid": key_id,
        "x-bili-content-md5": hashlib.md5(body).hexdigest(),
        "x-bili-signature-method": "HMAC-SHA256",
        "x-bili-signature-nonce": nonce,
        "x-bili-signature-version": "1.0",
        "x-bili-timestamp": str(timestamp),
    }
    mac = hmac.new(key_secret.encode(), string_to_sign(headers).encode(), hashlib.sha256)
    return {"Accept": "application/json", "Content-Type": "application/json", **headers,
            "Authorization": mac.hexdigest()}


@dataclass(frozen=True, slots=True)
class Game:
    """One started app session: what the WebSocket needs and which room it reads."""

    game_id: str
    auth_body: str
    urls: tuple[str, ...]
    room_id: str


class OpenApiError(ProtocolError):
    """The platform answered with a non-zero code that waiting may fix."""

    def __init__(self, path: str, code: int, message: str) -> None:
        super().__init__(f"bilibili open platform {path}: code {code} ({message})")
        self.code = code


class OpenApi:
    """Signed calls to ``{endpoint}/v2/app/*``. ``wall`` gives Unix seconds for the timestamp header."""

    def __init__(self, http: httpx.AsyncClient, endpoint: str, key_id: str, key_secret: str, app_id: int,
                 wall: Callable[[], float]) -> None:
        self._http = http
        self._api = endpoint.rstrip("/")
        self._key_id = key_id
        self._key_secret = key_secret
        self._app_id = app_id
        self._wall = wall

    async def _call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = sign_headers(body, self._key_id, self._key_secret, timestamp=int(self._wall()),
                               nonce=secrets.token_hex(16))
        r = await self._http.post(self._api + path, content=body, headers=headers)
        if r.status_code == 429 or r.status_code >= 500:
            raise ProtocolError(f"bilibili open platform {path}: HTTP {r.status_code}")
        r.raise_for_status()
        answer = r.json()
        if not isinstance(answer, dict):
            raise ProtocolError(f"bilibili open platform {path}: answer is not an object")
        code = int(answer.get("code", -1))
        if code != 0:
            message = str(answer.get("message") or answer.get("msg") or "")
            if code in RETRY_CODES or code in GAME_GONE_CODES:
                raise OpenApiError(path, code, message)
            raise FatalError(f"bilibili open platform refused {path} (code {code}: {message}); check the "
                             "access key variables (key_id_env, key_secret_env), app_id and the identity code")
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    async def start(self, code: str) -> Game:
        """Start an app session on the streamer's room (``code`` is their identity code)."""
        data = await self._call("/v2/app/start", {"code": code, "app_id": self._app_id})
        try:
            ws = data["websocket_info"]
            game = Game(game_id=str(data["game_info"]["game_id"]), auth_body=str(ws["auth_body"]),
                        urls=tuple(str(u) for u in ws["wss_link"]),
                        room_id=str((data.get("anchor_info") or {}).get("room_id", "")))
        except (KeyError, TypeError) as exc:
            raise ProtocolError("bilibili open platform /v2/app/start: answer lacks game or websocket info") \
                from exc
        if not game.urls:
            raise ProtocolError("bilibili open platform /v2/app/start: no WebSocket links")
        log.info("bilibili open app session started", extra={"game_id": game.game_id, "room": game.room_id})
        return game

    async def heartbeat(self, game_id: str) -> None:
        await self._call("/v2/app/heartbeat", {"game_id": game_id})

    async def end(self, game_id: str) -> None:
        await self._call("/v2/app/end", {"app_id": self._app_id, "game_id": game_id})
