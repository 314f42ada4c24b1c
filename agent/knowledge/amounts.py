"""Prices and counts as people type them in a catalog: '12,50', '€12.50', '¥1,299.00', '89元', '1 249,00 €'."""

from __future__ import annotations

import re

_AMOUNT = re.compile(
    r"\s*(?:[A-Za-z]{1,3}\s?[$¥]|[A-Za-z]{3}|[€$£¥￥₩₹])?\s*"
    r"(?P<num>-?\d[\d \u00a0\u202f\u2009',.]*)"
    r"\s*(?:[A-Za-z]{3}|[€$£¥￥元块]|RMB)?\s*"
)


def amount(text: str) -> float | None:
    """The number in a typed price; the decimal mark is the last of ',' and '.' when both are used, and a
    lone ',' before exactly three digits groups thousands ('1,299'), otherwise it is the decimal mark."""
    m = _AMOUNT.fullmatch(text)
    if m is None:
        return None
    digits = re.sub(r"[ \u00a0\u202f\u2009']", "", m["num"]).rstrip(",.")
    if "," in digits and "." in digits:
        mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if mark == "," else ",", "").replace(",", ".")
    elif "," in digits:
        digits = digits.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", digits) else digits.replace(",", ".")
    elif digits.count(".") > 1 and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", digits):
        digits = digits.replace(".", "")
    try:
        return float(digits)
    except ValueError:
        return None


_MARKS = {"€": "EUR", "£": "GBP", "￥": "CNY", "元": "CNY", "块": "CNY", "RMB": "CNY", "₩": "KRW", "₹": "INR"}
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


def currency_mark(text: str) -> str | None:
    """The currency a typed price names without doubt ('€12', '89元', 'CNY 89', '12.50 EUR'); None for a bare
    number and for '$' and '¥', which several currencies share."""
    if amount(text) is None:
        return None
    code = _CODE.search(text)
    if code is not None and code.group(1) != "RMB":
        return code.group(1)
    return next((cur for mark, cur in _MARKS.items() if mark in text), None)
