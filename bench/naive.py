"""The naive baseline: the same jobs as tousu, written the way a first attempt would.

    python bench/naive.py check-overdue DATA --at "2026-12-20 10:00"
    python bench/naive.py list DATA --month 2026-07 --at "2026-12-20 10:00"

An honest first attempt, not a straw man: it reads the same files and rules.yaml
and computes the same answer (bench/run.py asserts that it does: every overdue and
due-soon stage, every row of the month's list), but with the obvious tools —
PyYAML's pure-Python `SafeLoader`, `dateutil` to parse every time,
`chinese_calendar.is_workday` asked again for every day of every deadline, each
record's stage clocks worked out from scratch — and none of tousu's care for speed.
It knows the same rules: the 营销部审核 stage between reply and revisit (第十六条),
the four warning levels that put a stage among the due-soon ones, 撤销 (undo) and
作废 (void). It leaves out what the synthetic data never has: steps imported with an
unknown time, and a rules.yaml with deadlines.revisit.starts or a review limit of its
own (it stops on those rather than answer differently). It prints JSON, as
`tousu … --format json` does.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import chinese_calendar
import yaml
from dateutil import parser as dateparser

CHINA = timezone(timedelta(hours=8))
SERIOUS = ("严重", "重大")


def parse_time(text: str) -> datetime:
    dt = dateparser.parse(str(text))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CHINA)
    return dt.astimezone(CHINA)


def load_rules(path: Path) -> dict:
    rules = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    overrides: dict[date, bool] = {}
    cal = rules.get("calendar") or {}
    for key, workday in (("holidays", False), ("workdays", True)):
        for entry in cal.get(key) or []:
            spec = str(entry).split()[0]
            first, _, last = spec.partition("~")
            d, end = date.fromisoformat(first), date.fromisoformat(last or first)
            while d <= end:
                overrides[d] = workday
                d += timedelta(days=1)
    rules["_overrides"] = overrides
    return rules


def is_workday(d: date, rules: dict) -> bool:
    if d in rules["_overrides"]:
        return rules["_overrides"][d]
    if any(o.year == d.year for o in rules["_overrides"]):
        return d.weekday() < 5
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return d.weekday() < 5


def deadline(stage: str, start: datetime, rules: dict) -> datetime:
    spec = rules["deadlines"]["stages"][stage]
    if spec["unit"] == "hours":
        return start + timedelta(hours=spec["limit"])
    if spec["unit"] == "same_day":
        return datetime.combine(start.date() + timedelta(days=1), time(), CHINA)
    day, left = start.date(), spec["limit"]
    while left:
        day += timedelta(days=1)
        if is_workday(day, rules):
            left -= 1
    if rules["deadlines"].get("working_day_rule") == "same_clock":
        return datetime.combine(day, start.time(), CHINA)
    return datetime.combine(day + timedelta(days=1), time(), CHINA)


MAIN_LINE = ("dispatch", "contact", "return", "extend", "reply", "review", "revisit", "archive")


def live_steps(rec: dict) -> list[dict]:
    """The history without the steps an undo withdrew (the latest main-line one each time) and the corrections."""
    history = rec.get("history") or []
    live: list[int] = []
    gone: set[int] = set()
    for i, ev in enumerate(history):
        if ev["action"] == "undo" and live:
            gone.add(live.pop())
        elif ev["action"] in MAIN_LINE:
            live.append(i)
    return [ev for i, ev in enumerate(history) if i not in gone and ev["action"] not in ("undo", "correct")]


def voided(rec: dict) -> bool:
    return any(ev["action"] == "void" for ev in rec.get("history") or [])


def pending_stages(rec: dict, rules: dict) -> dict[str, tuple[datetime, datetime]]:
    """Stage key → (started, deadline), for every stage still waiting on a step."""
    pending: dict[str, tuple[datetime, datetime]] = {}
    if voided(rec):
        return pending
    severity = rec.get("severity") or "一般"
    received = parse_time(rec["received_at"])
    reply: tuple[datetime, datetime] | None = None
    replied_at: datetime | None = None

    def start(stage: str, at: datetime, limit_of: str | None = None) -> tuple[datetime, datetime]:
        pending[stage] = (at, deadline(limit_of or stage, at, rules))
        return pending[stage]

    for ev in live_steps(rec):
        action, at = ev["action"], parse_time(ev["at"])
        if ev.get("time_unknown"):
            raise SystemExit(f"{rec['id']}: a step with an unknown time (imported) — the baseline does not know those")
        if action == "add":
            start("dispatch", received)
            if severity in SERIOUS:
                start("notify", received)
        elif action == "dispatch":
            pending.pop("dispatch", None)
            start("contact", at)
            reply = start("reply", at)
        elif action == "contact":
            pending.pop("contact", None)
        elif action == "return":
            pending.pop("contact", None)
            pending.pop("reply", None)
            start("dispatch", at)
        elif action == "extend" and "reply" in pending:
            pending["reply"] = reply = (pending["reply"][0], parse_time(ev["until"]))
        elif action == "reply":
            pending.pop("reply", None)
            replied_at = at
            start("review", at, "revisit")  # 营销部审核 is due with the revisit (第十六条)
        elif action == "review":
            pending.pop("review", None)
            if ev.get("approved") is False:
                if reply is not None:
                    pending["reply"] = reply
            else:
                start("revisit", replied_at or at)  # the 24 hours run from the reply
        elif action == "revisit":
            pending.pop("revisit", None)
            if ev.get("satisfied") is False:
                start("dispatch", at)
        elif action == "grade":
            new = ev.get("severity") or severity
            if new in SERIOUS and new != severity and "notify" not in pending:
                start("notify", at)
            severity = new
        elif action == "notify":
            pending.pop("notify", None)
    return pending


def working_hours(start: datetime, end: datetime, rules: dict) -> timedelta:
    """The part of [start, end) on working days, a day at a time."""
    total, day = timedelta(), start.date()
    while start < end and day <= end.date():
        lo = max(start, datetime.combine(day, time(), CHINA))
        hi = min(end, datetime.combine(day + timedelta(days=1), time(), CHINA))
        if hi > lo and is_workday(day, rules):
            total += hi - lo
        day += timedelta(days=1)
    return total


def warning_level(stage: str, started: datetime, due: datetime, now: datetime, rules: dict) -> str | None:
    """The highest warning level whose share of the stage's time is used up (rules.yaml warning_levels)."""
    spec = rules["deadlines"]["stages"].get(stage) or {}  # review has no limit of its own: calendar time
    share = None
    if spec.get("unit") == "working_days":
        begin = started
        if rules["deadlines"].get("working_day_rule", "civil_code") == "civil_code":
            begin = datetime.combine(started.date() + timedelta(days=1), time(), CHINA)
        whole = working_hours(begin, due, rules)
        if whole > timedelta():
            share = 1.0 + (now - due) / whole if now >= due else working_hours(begin, now, rules) / whole
    if share is None:
        whole = due - started
        share = (1.0 if now <= due else 2.0) if whole <= timedelta() else (now - started) / whole
    reached = None
    for w in rules.get("warning_levels") or []:
        if (now > due) if w["at"] >= 100 else (share * 100 >= w["at"] or now > due):
            reached = w["name"]
    return reached


def state_of(rec: dict) -> str:
    state = "pending_dispatch"
    for ev in live_steps(rec):
        a = ev["action"]
        if a == "dispatch":
            state = "dispatched"
        elif a == "return":
            state = "pending_dispatch"
        elif a == "reply":
            state = "replied"
        elif a == "review":
            state = "reviewed" if ev.get("approved") else "dispatched"
        elif a == "revisit":
            state = "revisited" if ev.get("satisfied") else "pending_dispatch"
        elif a == "archive":
            state = "archived"
    return state


def load_records(folder: Path) -> list[dict]:
    out = []
    for path in sorted(folder.rglob("TS*.yaml")):
        with open(path, encoding="utf-8") as fh:
            out.append(yaml.load(fh, Loader=yaml.SafeLoader))
    return out


def check_overdue(data: Path, rules: dict, now: datetime) -> dict:
    due_soon_for = timedelta(hours=rules["deadlines"]["due_soon_hours"])
    overdue, due_soon = [], []
    for rec in load_records(data / "complaints"):
        for stage, (started, when) in pending_stages(rec, rules).items():
            row = {"id": rec["id"], "stage": stage, "deadline": when.isoformat()}
            if now > when:
                overdue.append(row)
            elif when - now <= due_soon_for or warning_level(stage, started, when, now, rules):
                due_soon.append(row)
    return {"as_of": now.isoformat(), "overdue": overdue, "due_soon": due_soon}


def list_month(data: Path, rules: dict, month: str) -> list[dict]:
    rows = []
    for rec in load_records(data / "complaints" / month):
        if voided(rec):
            continue  # listed only when asked for (--state 已作废)
        pending = pending_stages(rec, rules)
        nxt = min(pending.items(), key=lambda kv: kv[1][1], default=None)
        rows.append({"id": rec["id"], "state": state_of(rec), "next_stage": nxt[0] if nxt else None,
                     "next_deadline": nxt[1][1].isoformat() if nxt else None})
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="naive baseline for bench/run.py")
    p.add_argument("job", choices=["check-overdue", "list"])
    p.add_argument("data", type=Path)
    p.add_argument("--rules", type=Path, default=Path(__file__).resolve().parents[1] / "rules.yaml")
    p.add_argument("--at", required=True)
    p.add_argument("--month")
    args = p.parse_args(argv)
    rules = load_rules(args.rules)
    if (rules["deadlines"].get("revisit") or {}).get("starts", "reply") != "reply" or \
            "review" in rules["deadlines"]["stages"]:
        raise SystemExit("rules.yaml sets deadlines.revisit.starts or a review limit: the baseline does not know those")
    now = parse_time(args.at)
    if args.job == "check-overdue":
        result = check_overdue(args.data, rules, now)
    else:
        result = list_month(args.data, rules, args.month)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
