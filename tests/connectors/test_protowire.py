"""The protobuf wire reader the webcast connectors use: values, nesting, and clear errors on bad bytes."""

from __future__ import annotations

import pytest

from connectors.platforms import protowire as pw
from testkit.tiktok_server import pb


def test_reads_varints_strings_nested_and_repeated_fields() -> None:
    inner = pb((1, 42), (3, "名字"))
    f = pw.read(pb((1, inner), (2, 7), (4, "a"), (4, "b"), (5, -5)))
    assert pw.integer(f, 2) == 7 and pw.integer(f, 5) == -5  # int64 two's complement
    assert pw.text(pw.message(f, 1), 3) == "名字" and pw.integer(pw.message(f, 1), 1) == 42
    assert f[4] == [b"a", b"b"] and pw.text(f, 4) == "b"  # a repeated scalar keeps every value
    assert pw.integer(f, 99, default=3) == 3 and pw.text(f, 99) == "" and pw.message(f, 99) == {}


def test_reads_fixed_width_fields() -> None:
    data = bytes([0x09]) + (5).to_bytes(8, "little") + bytes([0x15]) + (6).to_bytes(4, "little")
    f = pw.read(data)
    assert pw.integer(f, 1) == 5 and pw.integer(f, 2) == 6


@pytest.mark.parametrize("bad", [
    b"\x0a\x05ab",  # length past the end
    b"\x08",  # truncated varint
    b"\xff" * 11,  # varint too long
    b"\x0b",  # start-group: not in these messages
    b"\x00\x01",  # field number 0
])
def test_bad_bytes_raise_value_error(bad: bytes) -> None:
    with pytest.raises(ValueError):
        pw.read(bad)


def test_a_field_of_the_wrong_wire_type_raises() -> None:
    f = pw.read(pb((1, "text"), (2, 5)))
    with pytest.raises(ValueError, match="field 1"):
        pw.integer(f, 1)
    with pytest.raises(ValueError, match="field 2"):
        pw.blob(f, 2)
