"""The naive baseline: the same jobs as tousu, written the way a first attempt would.

    python bench/naive.py check-overdue DATA --at "2026-12-20 10:00"
    python bench/naive.py list DATA --month 2026-07 --at "2026-12-20 10:00"

An honest first attempt, not a straw man: it reads the same files and rules.yaml
and computes the same answer (bench/run.py asserts that it does), but with
the obvious tools — PyYAML's pure-Python `SafeLoader`, `dateutil` to parse
every time, `chinese_calendar.is_workday` asked again for every day of every
deadline, each record's stage clocks worked out from scratch — and none of
tousu's care for speed. It prints JSON, as `tousu … --format json` does.
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


def pending_stages(rec: dict, rules: dict) -> dict[str, datetime]:
    """Stage key → deadline, for every stage still waiting on a step."""
    pending: dict[str, datetime] = {}
    severity = rec.get("severity") or "一般"
    received = parse_time(rec["received_at"])
    reply_deadline: datetime | None = None
    for ev in rec.get("history") or []:
        action, at = ev["action"], parse_time(ev["at"])
        if action == "add":
            pending["dispatch"] = deadline("dispatch", received, rules)
            if severity in SERIOUS:
                pending["notify"] = deadline("notify", received, rules)
        elif action == "dispatch":
            pending.pop("dispatch", None)
            pending["contact"] = deadline("contact", at, rules)
            pending["reply"] = reply_deadline = deadline("reply", at, rules)
        elif action == "contact":
            pending.pop("contact", None)
        elif action == "return":
            pending.pop("contact", None)
            pending.pop("reply", None)
            pending["dispatch"] = deadline("dispatch", at, rules)
        elif action == "extend" and "reply" in pending:
            pending["reply"] = reply_deadline = parse_time(ev["until"])
        elif action == "reply":
            pending.pop("reply", None)
            pending["revisit"] = deadline("revisit", at, rules)
        elif action == "review" and ev.get("approved") is False:
            pending.pop("revisit", None)
            if reply_deadline is not None:
                pending["reply"] = reply_deadline
        elif action == "revisit":
            pending.pop("revisit", None)
            if ev.get("satisfied") is False:
                pending["dispatch"] = deadline("dispatch", at, rules)
        elif action == "grade":
            new = ev.get("severity") or severity
            if new in SERIOUS and new != severity and "notify" not in pending:
                pending["notify"] = deadline("notify", at, rules)
            severity = new
        elif action == "notify":
            pending.pop("notify", None)
    return pending


def state_of(rec: dict) -> str:
    state = "pending_dispatch"
    for ev in rec.get("history") or []:
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
        for stage, when in pending_stages(rec, rules).items():
            row = {"id": rec["id"], "stage": stage, "deadline": when.isoformat()}
            if now > when:
                overdue.append(row)
            elif when - now <= due_soon_for:
                due_soon.append(row)
    return {"as_of": now.isoformat(), "overdue": overdue, "due_soon": due_soon}


def list_month(data: Path, rules: dict, month: str) -> list[dict]:
    rows = []
    for rec in load_records(data / "complaints" / month):
        pending = pending_stages(rec, rules)
        nxt = min(pending.items(), key=lambda kv: kv[1], default=None)
        rows.append({"id": rec["id"], "state": state_of(rec), "next_stage": nxt[0] if nxt else None,
                     "next_deadline": nxt[1].isoformat() if nxt else None})
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
    now = parse_time(args.at)
    if args.job == "check-overdue":
        result = check_overdue(args.data, rules, now)
    else:
        result = list_month(args.data, rules, args.month)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
