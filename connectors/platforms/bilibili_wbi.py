"""Bilibili's WBI request signature (``w_rid``, ``wts``), which web APIs such as getDanmuInfo ask for.

Without it getDanmuInfo answers -352 (risk control) after a few calls, and the danmaku server then only
accepts anonymous connections with masked user names. The two keys come from the nav API's ``wbi_img``
(they change daily); they are mixed by a fixed permutation into a 32-character salt. Algorithm and test
vector: bilibili-API-collect, docs/misc/sign/wbi.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

MIXIN_KEY_ENC_TAB = (
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49,
    33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40,
    61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11,
    36, 20, 34, 44, 52,
)
_DROPPED = str.maketrans("", "", "!'()*")


def unix_now() -> float:
    """Wall-clock Unix seconds: only for signature timestamps (the show itself runs on ``Clock``)."""
    return datetime.now(UTC).timestamp()


def mixin_key(img_key: str, sub_key: str) -> str:
    raw = img_key + sub_key
    if len(raw) < 64:
        raise ValueError("wbi keys: img_key + sub_key must be 64 characters")
    return "".join(raw[i] for i in MIXIN_KEY_ENC_TAB)[:32]


def keys_from_nav(body: Mapping[str, Any]) -> tuple[str, str]:
    """``(img_key, sub_key)``: the file names in the nav answer's ``data.wbi_img`` URLs (logged in or not)."""
    img = body["data"]["wbi_img"]

    def name(url: str) -> str:
        return str(url).rsplit("/", 1)[-1].split(".", 1)[0]

    return name(img["img_url"]), name(img["sub_url"])


def sign(params: Mapping[str, Any], mixin: str, wts: int) -> dict[str, str]:
    """``params`` with ``wts`` and ``w_rid`` added: md5 of the sorted query (values without ``!'()*``,
    percent-encoded with ``%20`` for spaces) followed by the mixin key."""
    signed = {k: str(v).translate(_DROPPED) for k, v in params.items()}
    signed["wts"] = str(wts)
    query = urlencode(sorted(signed.items()), quote_via=quote)
    signed["w_rid"] = hashlib.md5((query + mixin).encode()).hexdigest()
    return signed
