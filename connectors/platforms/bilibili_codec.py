"""Bilibili live danmaku framing and commands, as pure functions (shared by the web and open-platform
connectors, the fake server and the benchmark).

A packet is a 16-byte big-endian header (length, header length, version, operation, sequence) and a body;
bodies of version 2 (zlib) and 3 (brotli) decompress to a further run of packets.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import brotli

from agent.errors import ProtocolError

HEADER = struct.Struct(">IHHII")
HEADER_LEN = HEADER.size  # 16
MAX_DEPTH = 4


class Op(IntEnum):
    HEARTBEAT = 2
    HEARTBEAT_REPLY = 3
    COMMAND = 5
    AUTH = 7
    AUTH_REPLY = 8


class Ver(IntEnum):
    JSON = 0
    CONTROL = 1  # heartbeat and auth bodies
    ZLIB = 2
    BROTLI = 3


@dataclass(frozen=True, slots=True)
class Packet:
    op: int
    body: bytes
    ver: int = Ver.JSON
    seq: int = 1

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProtocolError("packet body is not JSON") from exc
        if not isinstance(value, dict):
            raise ProtocolError("packet body is not a JSON object")
        return value


def encode(op: int, body: bytes | str | Mapping[str, Any] = b"", ver: int = Ver.CONTROL, seq: int = 1) -> bytes:
    """One packet; a mapping body is sent as compact JSON."""
    if isinstance(body, Mapping):
        body = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    raw = body.encode() if isinstance(body, str) else body
    return HEADER.pack(HEADER_LEN + len(raw), HEADER_LEN, ver, op, seq) + raw


def compress(packets: bytes, ver: int) -> bytes:
    """Wrap a run of encoded packets in one compressed command packet, as the server batches them."""
    body = zlib.compress(packets) if ver == Ver.ZLIB else brotli.compress(packets)
    return encode(Op.COMMAND, body, ver=ver, seq=0)


def decode(data: bytes, _depth: int = 0) -> Iterator[Packet]:
    """Every packet in a frame, with compressed bodies opened. Raises :class:`ProtocolError` on bad framing."""
    if _depth > MAX_DEPTH:
        raise ProtocolError("packets nested too deep")
    pos = 0
    while pos < len(data):
        if len(data) - pos < HEADER_LEN:
            raise ProtocolError("truncated packet header")
        length, hlen, ver, op, seq = HEADER.unpack_from(data, pos)
        if hlen < HEADER_LEN or length < hlen or pos + length > len(data):
            raise ProtocolError("bad packet lengths")
        body = data[pos + hlen : pos + length]
        pos += length
        if ver in (Ver.ZLIB, Ver.BROTLI) and op == Op.COMMAND:
            try:
                inner = zlib.decompress(body) if ver == Ver.ZLIB else brotli.decompress(body)
            except (zlib.error, brotli.error) as exc:
                raise ProtocolError("cannot decompress packet body") from exc
            yield from decode(inner, _depth + 1)
        else:
            yield Packet(op=op, body=body, ver=ver, seq=seq)


def command_name(msg: Mapping[str, Any]) -> str:
    """``cmd`` without the ``:suffix`` some commands carry (``DANMU_MSG:4:0:2:2:2:0``)."""
    return str(msg.get("cmd", "")).split(":", 1)[0]


def auth_body(room_id: int, token: str, uid: int = 0, buvid: str = "") -> dict[str, Any]:
    return {"uid": uid, "roomid": room_id, "protover": 3, "platform": "web", "type": 2, "buvid": buvid,
            "key": token}
