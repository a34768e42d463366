"""China time (UTC+8) whatever the machine's zone; parsing and formatting.

China has kept UTC+8 without daylight saving since 1991, so a fixed offset is
exact for every date tousu deals with and needs no tz database (Windows has
none without the tzdata package).
"""

from __future__ import annotations

import re
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
                raise ValueError(f"时间「{s}」不是有效的日期时间，应为 {FORMAT_HINT}") from None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"时间「{s}」无法识别，应为 {FORMAT_HINT}") from None
    return to_china(dt)


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
    return f"{to_china(dt):%Y-%m-%d %H:%M}"


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
