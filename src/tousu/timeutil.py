"""China time (UTC+8) whatever the machine's zone; parsing and formatting.

China has kept UTC+8 without daylight saving since 1991, so a fixed offset is
exact for every date tousu deals with and needs no tz database (Windows has
none without the tzdata package).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
import unicodedata
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

_FORMS = [
    # 2026-11-03 09:05, 2026/11/3 9:05, 2026.11.3 9:05:30, with T or space
    re.compile(
        r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
        r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?$"
    ),
    # 2026年11月3日 09:05 / 2026年11月3日9时5分
    re.compile(
        r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
        r"(?:\s*(?P<H>\d{1,2})[:时点](?P<M>\d{1,2})(?:[:分](?:(?P<S>\d{1,2})秒?)?)?)?$"
    ),
]

YEARS = range(2000, 2100)
"""Years a time may fall in: anything else is a typo."""

FORMAT_HINT = "YYYY-MM-DD HH:MM（如 2026-11-26 09:30，也接受 ISO 8601、2026/11/26 9:30、2026年11月26日 09:30）"


def to_china(dt: datetime) -> datetime:
    """An aware datetime in China time; a naive one is taken to be China time."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=CHINA)
    return dt.astimezone(CHINA)


def now_china() -> datetime:
    """The current time in China. Only the CLI calls this; the core is given `now`."""
    return datetime.now(CHINA).replace(microsecond=0)


def parse_datetime(text: str, *, end_of_day: bool = False) -> datetime:
    """Parse a time a person typed (China time unless an offset is given).

    A bare date means 00:00 of it, or 24:00 (next day 00:00) with `end_of_day`.
    Raises ValueError with a Chinese message naming the value; years outside
    YEARS are refused (a typo, and beyond them date arithmetic overflows).
    """
    s = str(text).strip()
    try:
        dt = _parse(s, end_of_day)
    except OverflowError:
        dt = None
    if dt is None or not in_years(dt):
        raise ValueError(f"时间「{s}」的年份超出范围（{YEARS.start}–{YEARS.stop - 1}年）")
    return dt


def in_years(dt: datetime) -> bool:
    """Within YEARS (24:00 of the last day, i.e. 00:00 of the year after, included)."""
    dt = to_china(dt)
    return dt.year in YEARS or dt == datetime(YEARS.stop, 1, 1, tzinfo=CHINA)


def check_year(dt: datetime, shown: object = None) -> datetime:
    """`dt` if its year is within YEARS; ValueError in Chinese naming it otherwise."""
    if not in_years(dt):
        raise ValueError(f"时间「{shown if shown is not None else human(dt)}」的年份超出范围（{YEARS.start}–{YEARS.stop - 1}年）")
    return dt


def from_iso(text: str) -> datetime:
    """A time tousu itself wrote (ISO 8601), read back as China time: no checks meant for typing."""
    return to_china(datetime.fromisoformat(text))


def _parse(s: str, end_of_day: bool) -> datetime:
    if not s:
        raise ValueError(f"时间为空，应为 {FORMAT_HINT}")
    if "+" in s:
        # ISO 8601 with an offset, as tousu writes every time in its files. No
        # form below can match a "+", so this is the fallback's answer, found
        # without trying the regular expressions first.
        try:
            return to_china(datetime.fromisoformat(s))
        except ValueError:
            raise ValueError(f"时间「{s}」无法识别，应为 {FORMAT_HINT}") from None
    for form in _FORMS:
        m = form.match(s)
        if m:
            g = m.groupdict()
            try:
                day = date(int(g["y"]), int(g["m"]), int(g["d"]))
                if g["H"] is None:
                    dt = datetime.combine(day, time(), CHINA)
                    return dt + timedelta(days=1) if end_of_day else dt
                hour, minute, sec = int(g["H"]), int(g["M"]), int(g["S"] or 0)
                if hour == 24 and minute == 0 and sec == 0:
                    return datetime.combine(day, time(), CHINA) + timedelta(days=1)
                return datetime.combine(day, time(hour, minute, sec), CHINA)
            except ValueError:
                raise ValueError(f"时间「{s}」不是有效的日期时间：{_why_invalid(g)}") from None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"时间「{s}」无法识别，应为 {FORMAT_HINT}") from None
    return to_china(dt)


def _why_invalid(g: dict) -> str:
    """Why y-m-d H:M is no time: '11月只有30天', '月份应为1–12' …"""
    from calendar import monthrange

    y, m, d = int(g["y"]), int(g["m"]), int(g["d"])
    if not 1 <= m <= 12:
        return f"月份「{m}」应为 1–12"
    last = monthrange(y, m)[1] if y >= 1 else 31
    if not 1 <= d <= last:
        year = f"{y}年" if m == 2 else ""
        return f"{year}{m}月只有{last}天"
    if g.get("H") is not None and not (0 <= int(g["H"]) <= 23 and 0 <= int(g["M"]) <= 59):
        return f"「{g['H']}:{g['M']}」不是有效的时刻（00:00–23:59，或 24:00）"
    return f"应为 {FORMAT_HINT}"


_CLOCK = r"(?P<H>\d{1,2})[:：时点](?P<M>\d{2})分?"
_RELATIVE = [
    (re.compile(rf"^{_CLOCK}$"), "today"),
    (re.compile(rf"^(?P<day>今天|今日|昨天|昨日|前天)\s*{_CLOCK}$"), "named"),
    (re.compile(rf"^(?P<m>\d{{1,2}})(?:[-/.]|月)(?P<d>\d{{1,2}})日?[ T]*{_CLOCK}$"), "month_day"),
]
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
RELATIVE_HINT = "15:00（今天）、11-23 14:30（今年）、昨天 15:00、前天 9:30"


def parse_typed(text: str, now: datetime, *, end_of_day: bool = False, future_ok: bool = False) -> datetime:
    """A time as people type it (SPEC §8): the full forms of parse_datetime, and relative to `now`
    `HH:MM` (today), `MM-DD HH:MM` (this year; never in the future unless `future_ok`),
    `今天/昨天/前天 HH:MM`. ValueError in Chinese otherwise."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    now = to_china(now)
    for form, kind in _RELATIVE:
        m = form.match(s)
        if not m:
            continue
        g = m.groupdict()
        if kind == "month_day":
            g["y"] = str(now.year)
            try:
                dt = _parse(f"{now.year}-{g['m']}-{g['d']} {g['H']}:{g['M']}", end_of_day)
            except ValueError:
                raise ValueError(f"时间「{s}」不是有效的日期时间：{_why_invalid(g)}") from None
            if dt > now + timedelta(minutes=5) and not future_ok:
                last_year = f"{now.year - 1}-{int(g['m']):02d}-{int(g['d']):02d} {int(g['H']):02d}:{g['M']}"
                raise ValueError(f"时间「{s}」按今年是 {human(dt)}，晚于现在（{human(now)}）；"
                                 f"如是去年，请写全年份：{last_year}")
            return dt
        day = now.date() - timedelta(days=_DAYS_BACK.get(g.get("day") or "今天", 0))
        g.update(y=str(day.year), m=str(day.month), d=str(day.day))
        try:
            return _parse(f"{day:%Y-%m-%d} {g['H']}:{g['M']}", end_of_day)
        except ValueError:
            raise ValueError(f"时间「{s}」不是有效的日期时间：{_why_invalid(g)}") from None
    try:
        return parse_datetime(s, end_of_day=end_of_day)
    except ValueError as exc:
        if "无法识别" in str(exc):
            raise ValueError(f"{exc}，或 {RELATIVE_HINT}") from None
        raise


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' → (2026, 11); ValueError with a Chinese message otherwise."""
    m = re.match(r"^\s*(\d{4})[-/年](\d{1,2})月?\s*$", str(text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月份「{text}」无效，应为 YYYY-MM（如 2026-11）")
    if int(m.group(1)) not in YEARS:
        raise ValueError(f"月份「{text}」的年份超出范围（{YEARS.start}–{YEARS.stop - 1}年）")
    return int(m.group(1)), int(m.group(2))


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with +08:00, for files and JSON."""
    return None if dt is None else to_china(dt).isoformat()


def human(dt: datetime | None) -> str:
    """'2026-11-26 09:30' for people, in China time."""
    if dt is None:
        return "—"
    return to_china(dt).isoformat(" ", "minutes")[:16]  # = f"{…:%Y-%m-%d %H:%M}", without strftime's cost


def human_deadline(dt: datetime | None) -> str:
    """A deadline for people: midnight is written as 24:00 of the day before ('2026-10-08 24:00')."""
    if dt is None:
        return "—"
    dt = to_china(dt)
    if dt.time() == time(0, 0):
        prev = dt - timedelta(days=1)
        return f"{prev:%Y-%m-%d} 24:00"
    return f"{dt:%Y-%m-%d %H:%M}"


def duration_zh(delta: timedelta) -> str:
    """A duration for people: '2天3小时', '45分钟'."""
    total = int(abs(delta).total_seconds() // 60)
    days, rem = divmod(total, 1440)
    hours, minutes = divmod(rem, 60)
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours:
        parts.append(f"{hours}小时")
    if minutes and not days:
        parts.append(f"{minutes}分钟")
    return "".join(parts) or "0分钟"


# ---------------------------------------------------------------- months and half years


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in China time: [start, end)."""

    year: int
    month: int

    @classmethod
    def of(cls, dt: datetime) -> Month:
        t = to_china(dt)
        return cls(t.year, t.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-11' → Month(2026, 11); ValueError in Chinese otherwise."""
        return cls(*parse_month(text))

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def zh(self) -> str:
        return f"{self.year}年{self.month}月"

    @cached_property  # a month's bounds are asked for once per complaint of a province's month
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=CHINA)

    @cached_property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def last_year(self) -> Month:
        return Month(self.year - 1, self.month)

    def back(self, n: int) -> Month:
        """The month n months before this one."""
        k = self.year * 12 + self.month - 1 - n
        return Month(k // 12, k % 12 + 1)

    def contains(self, dt: datetime) -> bool:
        return self.start <= to_china(dt) < self.end


HALF_NAMES = {1: "上半年", 2: "下半年"}


@dataclass(frozen=True)
class Half:
    """A half year (第二十七条): H1 = January–June, H2 = July–December, China time."""

    year: int
    half: int

    @classmethod
    def parse(cls, text: str) -> Half:
        """'2026H2' (or 2026-H2, 2026h2) → Half(2026, 2); ValueError in Chinese otherwise."""
        s = str(text).strip().upper().replace("-", "")
        if len(s) == 6 and s[:4].isdigit() and s[4] == "H" and s[5] in "12" and int(s[:4]) in YEARS:
            return cls(int(s[:4]), int(s[5]))
        raise ValueError(f"半年「{text}」无效，应为 YYYYH1（1—6月）或 YYYYH2（7—12月），如 2026H2")

    @property
    def label(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def zh(self) -> str:
        return f"{self.year}年{HALF_NAMES[self.half]}"

    @property
    def first(self) -> Month:
        return Month(self.year, 1 if self.half == 1 else 7)

    @property
    def last(self) -> Month:
        return Month(self.year, 6 if self.half == 1 else 12)

    @property
    def start(self) -> datetime:
        return self.first.start

    @property
    def end(self) -> datetime:
        return self.last.end

    def contains(self, dt: datetime) -> bool:
        return self.start <= to_china(dt) < self.end
