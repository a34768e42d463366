"""Masking customers' data in reports and exports (对投诉举报者严格保密).

The fields are masked by shape (王*明, 139****5678, ******4567, 城关镇******). Free
text (诉求内容, 原因, 处理过程, notes) writes the same data in other ways, and
those are masked too: the customer's phone and account by their canonical
digits across any separators and widths (139-1234-5678, +86 139 1234 5678,
１３９…, 0301 2345 67), the name and its given name alone (小明), the address's
distinctive parts (解放路18号 without its town), and any other run of digits
shaped like a mobile number (11 digits, 1[3-9]…) or a 户号 (10 digits or more).
Kept: staff names and units (the complaint's own), the complaint's ID and
95598 number, dates and times, amounts and counts (fewer than 10 digits).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tousu.domain.model import Complaint


def mask_name(name: str) -> str:
    """王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678; keeps the first 3 and last 4 digits of longer numbers."""
    digits = [i for i, ch in enumerate(phone or "") if ch.isdigit()]
    if len(digits) < 7:
        return "*" * len(phone or "")
    hide = set(digits[3:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(phone))


def mask_account(account: str) -> str:
    """Keep the last 4 characters of an account number."""
    account = (account or "").strip()
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


def mask_address(address: str) -> str:
    """Keep roughly the first third (district, street), hide the rest (house number)."""
    address = (address or "").strip()
    if len(address) <= 3:
        return "*" * len(address)
    keep = max(3, len(address) // 3)
    return address[:keep] + "*" * min(6, len(address) - keep)


# ---- runs of digits in free text -------------------------------------------------------------

_SEP = r"[ \u3000\-‐－—.．·()（）/]{0,3}"
_RUN = re.compile(
    # a date (and time) is kept whole: its digits never join a run
    r"(?P<date>(?:19|20)\d\d\s*[-./年－．]\s*\d{1,2}\s*[-./月－．]\s*\d{1,2}\s*[日号]?"
    r"(?:[ T]*\d{1,2}[:：]\d\d(?:[:：]\d\d)?)?)"
    # a run of digits, separators allowed between them; never the tail of an ID such as TS2026…
    rf"|(?P<run>(?<![0-9A-Za-z０-９])(?:[+＋]\s?)?\d(?:{_SEP}\d)*)"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
ACCOUNT_SHAPED = 10
"""A run of this many digits or more is taken for a 户号 (or an ID card, a bank account) and masked."""


def digits(text: str) -> str:
    """The canonical digits of `text` (full-width and other widths as ASCII), nothing else."""
    if (text or "").isascii():  # the usual case, without a Unicode lookup per character
        return "".join(filter(str.isdigit, text or ""))
    return "".join(str(unicodedata.digit(ch)) for ch in text or "" if ch.isdigit() and unicodedata.digit(ch, None) is not None)


def phone_digits(text: str) -> str:
    """A phone's canonical digits: a mobile without its +86 / 0086."""
    d = digits(text)
    for prefix in ("0086", "86"):
        if d.startswith(prefix) and _MOBILE.fullmatch(d[len(prefix):]):
            return d[len(prefix):]
    return d


def _fixed_line_local(d: str) -> str:
    """The local number of a fixed line written with its area code (0371 66123456 → 66123456)."""
    if len(d) >= 10 and d.startswith("0") and not _MOBILE.fullmatch(d):
        local = d[3:] if d[1] in "12" else d[4:]
        return local if len(local) >= 7 else ""
    return ""


def _hide_digits(run: str, keep_last: int) -> str:
    where = [i for i, ch in enumerate(run) if ch.isdigit()]
    hide = set(where[:-keep_last] if keep_last else where)
    return "".join("*" if i in hide else ch for i, ch in enumerate(run))


# ---- addresses -------------------------------------------------------------------------------

_ADMIN = ("特别行政区", "自治区", "自治州", "自治县", "地区", "街道", "省", "市", "州", "盟", "县", "旗", "区", "镇", "乡")
_PLACE = ("小区", "社区", "新村", "花园", "大道", "胡同", "号院", "号楼", "单元", "村", "组", "路", "街", "巷", "弄",
          "里", "号", "栋", "幢", "座", "楼", "层", "室", "户")
_PART = re.compile(r".*?(?:" + "|".join(map(re.escape, sorted(_ADMIN + _PLACE, key=len, reverse=True))) + r")")


def address_parts(address: str) -> list[str]:
    """The distinctive parts of an address, longest first: every run of two or more of its parts after
    the administrative ones (省 市 县 区 镇 乡 街道), and each named part (解放路, 幸福村, 阳光小区).
    A number alone (18号) is not one: it would hide dates (11月18号) and counts."""
    address = unicodedata.normalize("NFKC", address or "").strip()
    parts, rest = [], address
    while rest:
        m = _PART.match(rest)
        token = m.group(0) if m else rest
        parts.append(token.strip())
        rest = rest[len(token):]
    first = 0
    while first < len(parts) and parts[first].endswith(_ADMIN) and not parts[first].endswith(_PLACE):
        first += 1
    tail = [p for p in parts[first:] if p]
    out = {"".join(tail[i:j]) for i in range(len(tail)) for j in range(i + 2, len(tail) + 1)}
    out |= {p for p in tail if len(re.sub(r"\d", "", p)) - 1 >= 2 and not p[0].isdigit()}
    return sorted((p for p in out if len(p) >= 3), key=len, reverse=True)


@lru_cache(maxsize=4096)
def _address_pattern(address: str) -> re.Pattern[str] | None:
    def one(part: str) -> str:  # any width of digit, any spacing between characters
        return r"\s*".join(f"[{ch}{chr(ord(ch) + 0xFEE0)}]" if ch.isdigit() else re.escape(ch) for ch in part)

    parts = address_parts(address)
    return re.compile("|".join(one(p) for p in parts)) if parts else None


@lru_cache(maxsize=4096)
def _address_starts(address: str) -> str:
    """Every character a match of `_address_pattern(address)` can begin with: a text holding none of them
    cannot hold the address, and its pattern need not be compiled (a millisecond each, per customer)."""
    firsts = {p[0] for p in address_parts(address)}
    return "".join(sorted(firsts | {chr(ord(ch) + 0xFEE0) for ch in firsts if ch.isdigit()}))


_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "夏侯", "轩辕",
             "令狐", "宇文", "司徒", "端木", "西门", "南宫", "独孤", "申屠", "钟离", "闻人", "澹台", "呼延")


def given_name(name: str) -> str:
    """王小明 → 小明, 欧阳小明 → 小明; '' where the given name is one character (it would hide common words)."""
    name = (name or "").strip()
    surname = 2 if name[:2] in _COMPOUND else 1
    given = name[surname:]
    return given if len(given) >= 2 and len(name) >= 3 else ""


class Masker:
    """Masks one complaint's customer data, also where it appears in free text (see the module docstring)."""

    def __init__(self, c: Complaint, unmask: bool) -> None:
        cu = c.customer
        self.unmask = unmask
        self.name = cu.name if unmask else mask_name(cu.name)
        self.phone = cu.phone if unmask else mask_phone(cu.phone)
        self.account = cu.account if unmask else mask_account(cu.account)
        self.address = cu.address if unmask else mask_address(cu.address)
        # Longest first, so an address containing the name is replaced whole.
        pairs = [(cu.address, self.address), (cu.account, self.account), (cu.phone, self.phone), (cu.name, self.name)]
        self._pairs = sorted(((raw, m) for raw, m in pairs if raw and len(raw) >= 2 and raw != m),
                             key=lambda p: -len(p[0]))
        self._phone = phone_digits(cu.phone) if len(digits(cu.phone)) >= 5 else ""
        self._local = _fixed_line_local(self._phone)
        self._account = digits(cu.account) if len(digits(cu.account)) >= 5 else ""
        self._keep_runs = {d for d in (digits(c.ref or ""), digits(c.id)) if d}
        self._address = (cu.address or "").strip()
        self._given = given_name(cu.name)
        staff = {c.received_by, *(getattr(e, k) for e in c.history for k in ("by", "person", "approved_by", "unit"))}
        self._staff = sorted((s for s in staff if s and self._given and self._given in s), key=len, reverse=True)

    def text(self, value: str | None) -> str:
        """Free text (诉求内容, 原因 …) with the customer's own data masked."""
        value = value or ""
        if self.unmask or not value:
            return value
        for raw, masked in self._pairs:
            value = value.replace(raw, masked)
        value = _RUN.sub(self._run, value)
        pattern = _address_pattern(self._address) if self._address and any(
            ch in value for ch in _address_starts(self._address)) else None
        if pattern is not None:
            value = pattern.sub(lambda m: "*" * min(6, len(m.group(0))), value)
        if self._given:
            value = self._mask_given(value)
        return value

    def _run(self, m: re.Match[str]) -> str:
        run = m.group("run")
        if run is None:
            return m.group(0)  # a date or time
        d = digits(run)
        bare = phone_digits(run)
        if self._phone and bare == self._phone:
            return mask_phone(run)
        if (self._phone and self._phone in d) or (self._local and self._local in d):
            return _hide_digits(run, 0)
        if self._account and self._account in d:
            return _hide_digits(run, 4 if d == self._account else 0)
        if d in self._keep_runs:
            return run
        if _MOBILE.fullmatch(bare):
            return mask_phone(run)
        if len(d) >= ACCOUNT_SHAPED:
            return _hide_digits(run, 4)
        return run

    def _mask_given(self, value: str) -> str:
        """The given name alone (小明), except inside a staff name of this complaint (李小明)."""
        kept: list[tuple[int, int]] = []
        for name in self._staff:
            start = value.find(name)
            while start >= 0:
                kept.append((start, start + len(name)))
                start = value.find(name, start + 1)
        out, i, g = [], 0, self._given
        while (j := value.find(g, i)) >= 0:
            if any(a <= j < b for a, b in kept):
                out.append(value[i:j + len(g)])
            else:
                out.append(value[i:j] + "*" * len(g))
            i = j + len(g)
        out.append(value[i:])
        return "".join(out)

    def customer(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "account": self.account, "address": self.address}
