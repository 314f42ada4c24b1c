"""The protobuf wire format, read one message level at a time: enough to pick a few fields out fast.

Webcast messages (TikTok, Douyin) nest large ``User`` and ``Common`` messages of which we read five fields;
a generated class that builds every field costs milliseconds per message, this costs microseconds.
"""

from __future__ import annotations

from collections.abc import Mapping

Fields = Mapping[int, list[int | bytes]]


def _varint(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if i >= len(data):
            raise ValueError("truncated varint")
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7
        if shift >= 70:
            raise ValueError("varint too long")


def read(data: bytes) -> Fields:
    """Field number -> its values in order (repeated fields keep all). Raises ``ValueError`` on bad input."""
    out: dict[int, list[int | bytes]] = {}
    i, n = 0, len(data)
    while i < n:
        key, i = _varint(data, i)
        num, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            size, i = _varint(data, i)
            if i + size > n:
                raise ValueError(f"field {num}: length {size} past the end")
            value, i = data[i:i + size], i + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if i + width > n:
                raise ValueError(f"field {num}: truncated fixed-width value")
            value, i = int.from_bytes(data[i:i + width], "little"), i + width
        else:
            raise ValueError(f"field {num}: unsupported wire type {wire}")
        if num == 0:
            raise ValueError("field number 0")
        out.setdefault(num, []).append(value)
    return out


def integer(f: Fields, num: int, default: int = 0) -> int:
    """The last value of varint field ``num`` (int64 two's complement folded back to negative)."""
    v = f.get(num)
    if not v:
        return default
    x = v[-1]
    if not isinstance(x, int):
        raise ValueError(f"field {num}: expected a varint")
    return x - (1 << 64) if x >= 1 << 63 else x


def blobs(f: Fields, num: int) -> list[bytes]:
    """Every value of length-delimited field ``num`` (a repeated message or a map's entries)."""
    out = []
    for x in f.get(num, ()):
        if not isinstance(x, bytes):
            raise ValueError(f"field {num}: expected length-delimited bytes")
        out.append(x)
    return out


def blob(f: Fields, num: int) -> bytes:
    """The last value of length-delimited field ``num``, empty when absent."""
    values = blobs(f, num)
    return values[-1] if values else b""


def text(f: Fields, num: int) -> str:
    return blob(f, num).decode("utf-8", errors="replace")


def message(f: Fields, num: int) -> Fields:
    """A nested message field, empty when absent."""
    return read(blob(f, num))
