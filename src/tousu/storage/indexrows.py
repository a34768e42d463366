"""How the index (storage/index.py) keeps a record's summary, its stage clocks and its problems: JSON text;
and the columns it narrows queries by (FACTS, LOOKUP).

Stages and problems are kept field by field from their dataclasses, so a field added to
`Stage` or `Problem` is kept without a change here (and tousu's code is in the index's key).
"""

from __future__ import annotations

import json
from dataclasses import fields
from operator import attrgetter
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from tousu.domain.deadlines import Stage
from tousu.domain.lookup import customer_keys, norm
from tousu.domain.model import STATES, Complaint, Customer
from tousu.domain.phones import phone_digits
from tousu.errors import Problem
from tousu.timeutil import to_china

_STAGE_FIELDS = tuple(fields(Stage))
_PROBLEM_FIELDS = tuple(f.name for f in fields(Problem))
_customer_values = attrgetter(*(f.name for f in fields(Customer)))


class Summary(NamedTuple):
    """A complaint's facts as list, check-overdue, find, todo and the filters read them (Complaint's names).
    A named tuple: built in one step, as many as a query returns; its path is made only when asked for."""

    id: str
    received_at: datetime
    channel: str
    category: str
    item: str
    unit: str | None
    state: str
    current_severity: str
    customer: Customer
    ref: str | None
    content: str
    urges: tuple[tuple[str, datetime], ...]  # (stage key, when) of each 催办, as Complaint.urges
    folder: Path  # the month folder holding the record file
    file_name: str

    @property
    def path(self) -> Path:
        return self.folder / self.file_name

    @property
    def state_zh(self) -> str:
        return STATES[self.state]


_SUMMARY = ("id", "channel", "category", "item", "unit", "state", "current_severity", "ref", "content")
"""The summary's plain values as they are kept (its received_at and customer are kept apart)."""


def _iso(v: Any) -> str:
    if isinstance(v, datetime):
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not kept in the index")


_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=_iso).encode
"""json.dumps(v, ensure_ascii=False) with times as ISO text, without building an encoder per call (a build
encodes ~600 000 values at 100 000 records); tuples are arrays, as json.dumps writes them."""

_stage_values = attrgetter(*(f.name for f in _STAGE_FIELDS))
_STAGE_TIMES = tuple(i for i, f in enumerate(_STAGE_FIELDS) if "datetime" in str(f.type))
_STAGE_TUPLES = tuple(i for i, f in enumerate(_STAGE_FIELDS) if str(f.type).startswith("tuple"))


def encode_stage(s: Stage) -> str:
    return _dumps(_stage_values(s))


def decode_stage(text: str) -> Stage:
    v = json.loads(text)
    for i in _STAGE_TIMES:
        if v[i] is not None:
            v[i] = to_china(datetime.fromisoformat(v[i]))
    for i in _STAGE_TUPLES:
        if v[i] is not None:
            v[i] = tuple(v[i])
    return Stage(*v)


def encode_problems(ps: list[Problem]) -> str | None:
    return _dumps([[str(p.path) if n == "path" else getattr(p, n) for n in _PROBLEM_FIELDS] for p in ps]) \
        if ps else None


def decode_problems(text: str) -> list[Problem]:
    return [Problem(**{**dict(zip(_PROBLEM_FIELDS, v)), "path": Path(v[0])}) for v in json.loads(text)]


class Tally(NamedTuple):
    """What a month's bulletin counts of a complaint it need not read (the 12-month trend, 环比, 同比, the
    repeat window): received when, 属实+供电责任 or not, 作废 or not, the time of its last event (before
    which those are what they were at any later --at), and what 重复投诉 matches an earlier complaint by
    (its ID, 投诉项 and customer keys: reports/repeats.py)."""

    received_at: datetime
    counted: bool
    voided: bool
    last_at: datetime
    id: str
    item: str
    keys: tuple[tuple[str, str], ...]


def encode_tally(c: Complaint) -> str:
    last = max((e.at for e in c.history), default=c.received_at)
    return _dumps([c.received_at, c.counted, c.voided, last, c.id, c.item, customer_keys(c.customer)])


def decode_tally(text: str) -> Tally:
    return tally_of(json.loads(text))


def tally_values(texts: list[str]) -> list[list[Any]]:
    """The plain values of each tally text, in one JSON parse (a month's bulletin reads some 60 000):
    for tally_of, tally_last and tally_count."""
    return json.loads(f"[{','.join(texts)}]") if texts else []


def tally_of(v: list[Any]) -> Tally:
    received, counted, voided, last, cid, item, keys = v
    return Tally(to_china(datetime.fromisoformat(received)), counted, voided, to_china(datetime.fromisoformat(last)),
                 cid, item, tuple((kind, key) for kind, key in keys))


def tally_last(v: list[Any]) -> datetime:
    return datetime.fromisoformat(v[3])


def tally_count(v: list[Any]) -> tuple[tuple[int, int] | None, bool]:
    """((year, month) of 受理 in China time, 属实+供电责任) of a tally; (None, False) for a voided one."""
    if v[2]:
        return None, False
    at = to_china(datetime.fromisoformat(v[0]))
    return (at.year, at.month), v[1]


def encode_summary(c: Complaint) -> tuple[str, tuple[Any, ...]]:
    """The summary's text and the values of FACTS (a complaint's state and unit are worked out once, here)."""
    values = {n: getattr(c, n) for n in _SUMMARY}
    text = _dumps([c.received_at, list(values.values()), _customer_values(c.customer), c.urges])
    return text, tuple(values[n] for n in FACTS)


def decode_summary(text: str, folder: Path, file_name: str) -> Summary:
    received, values, customer, urges = json.loads(text)
    cid, channel, category, item, unit, state, severity, ref, content = values
    return Summary(cid, to_china(datetime.fromisoformat(received)), channel, category, item, unit, state, severity,
                   Customer(*customer), ref, content,
                   tuple((k, to_china(datetime.fromisoformat(at))) for k, at in urges), folder, file_name)


FACTS = ("unit", "state", "category", "item")
"""The columns list's filters narrow by (listing.Filters), as the complaint holds them."""

LOOKUP = ("phone_digits", "account", "account0", "ref", "id", "name", "address", "content", "keys")
"""The columns `find` narrows by: each key of reports/search.matched_keys in lookup.norm's form, and all of them
in one text (`keys`: whatever a key holds, it holds; one scan of it sieves 100 000 rows in half the time)."""

KEYS_SEP = "\x1f"
"""Between the keys in `keys` (the unit separator: no key holds it, and a query holding it only finds more)."""


def lookup_keys(c: Complaint) -> tuple[str | None, ...]:
    """The values of LOOKUP for `c` (cf. search.matched_keys)."""
    cu = c.customer
    account = norm(cu.account)
    keys = (phone_digits(cu.phone), account, account.lstrip("0"), norm(c.ref) if c.ref else None,
            c.id.casefold(), norm(cu.name), norm(cu.address) if cu.address else "",
            norm(c.content))
    return (*keys, KEYS_SEP.join(k for k in keys if k))
