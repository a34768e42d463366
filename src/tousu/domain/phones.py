"""Customers' phone numbers and account numbers as people write them (SPEC §8).

A phone is kept as typed (for people) and known by its canonical digits (for search,
repeat detection and masking): a mobile's 11 digits without +86/0086, a fixed line's area
code and number, with `-` and the extension when there is one. Anything else — a hotline
such as 12345, a number without its area code, a run of 30 digits — is refused with the
forms that are valid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tousu.errors import TousuError

FORMS = ("手机号 11 位（如 13912345678、139 1234 5678、+86 139-1234-5678）",
         "座机号 区号+7至8位号码（如 023-12345678、(0571)8765432、010 12345678 转 123）")
_SEPARATORS = re.compile(r"[\s\-.·()（）/]+")
_EXTENSION = re.compile(r"^(?P<main>.*?)(?:转|分机|ext\.?|x|#|-)\s*(?P<ext>\d{1,6})$", re.IGNORECASE)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 3-digit area codes: 010 and 020–029; all others 4 digits. The local number never starts with 0.
_FIXED = re.compile(r"^(?P<area>0(?:10|2\d|[3-9]\d{2}))(?P<local>[1-9]\d{6,7})$")


@dataclass(frozen=True)
class Phone:
    typed: str  # as written (trimmed), shown to people
    digits: str  # canonical: 13912345678, 02312345678, or 02312345678-123 with an extension
    kind: str  # 手机 | 座机

    @property
    def number(self) -> str:
        """The canonical digits without the extension (what repeats and searches compare)."""
        return self.digits.split("-")[0]


def _strip_country(digits: str) -> str:
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and _MOBILE.match(digits[len(prefix):]):
            return digits[len(prefix):]
    return digits


def _main_number(text: str) -> tuple[str, str] | None:
    """(kind, digits) for a number without extension, or None."""
    raw = _SEPARATORS.sub("", text)
    if raw.startswith("+"):
        raw = raw[1:]
    if not raw.isdigit():
        return None
    digits = _strip_country(raw)
    if _MOBILE.match(digits):
        return "手机", digits
    if raw.startswith("86") and _FIXED.match("0" + raw[2:]):  # +86 23 12345678: area code without its 0
        return "座机", "0" + raw[2:]
    if _FIXED.match(digits):
        return "座机", digits
    return None


def parse_phone(typed: str) -> Phone:
    """A mobile or fixed-line number; TousuError naming it and the valid forms otherwise."""
    text = unicodedata.normalize("NFKC", str(typed)).strip()
    found = _main_number(text)
    if found is not None:
        return Phone(text, found[1], found[0])
    m = _EXTENSION.match(text)
    if m:
        main = _main_number(m.group("main"))
        if main is not None and main[0] == "座机":
            return Phone(text, f"{main[1]}-{m.group('ext')}", "座机")
    raise TousuError(f"联系电话「{str(typed).strip()}」无效，应为{'，或'.join(FORMS)}", field="phone")


def phone_digits(typed: str) -> str:
    """The canonical digits of a stored phone (no extension); for one that no longer parses
    (written by hand or before these checks), its digits as they stand."""
    if isinstance(typed, str) and len(typed) == 11 and typed.isascii() and _MOBILE.match(typed):
        return typed  # a mobile as tousu stores it: its own digits
    try:
        return parse_phone(typed).number
    except TousuError:
        return re.sub(r"\D", "", unicodedata.normalize("NFKC", typed or ""))


def query_digits(text: str) -> str:
    """The digits of a search term, without +86/0086 in front of a mobile."""
    return _strip_country(re.sub(r"\D", "", unicodedata.normalize("NFKC", text or "")))


# ---------------------------------------------------------------- 户号

def account_text(typed: str) -> str:
    """户号 is text (never a number): trimmed and width-normalised, leading zeros kept."""
    return unicodedata.normalize("NFKC", str(typed or "")).strip()


def lost_leading_zero(account: str, known: set[str] | frozenset[str] = frozenset(), typical: int = 0) -> str | None:
    """Why an all-digit 户号 looks like it lost its leading 0 (an Excel number cell), or None.

    Flagged when another record has the same digits with leading zeros, or when the other
    numeric 户号 have a `typical` length one or more digits longer that all start with 0.
    """
    if not account.isdigit() or account.startswith("0"):
        return None
    for other in sorted(known):
        if other != account and other.isdigit() and other.lstrip("0") == account:
            return f"户号「{account}」可能丢了开头的 0：已有户号「{other}」"
    if typical > len(account):
        return f"户号「{account}」只有 {len(account)} 位，本单位的户号多为以 0 开头的 {typical} 位，可能丢了开头的 0（Excel 数字格式）"
    return None
